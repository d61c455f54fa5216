"""Fuzzing: malformed requests to every URL of the site never get a server error.

Every route of the URL resolver (the site's pages, and the admin's changelists, add, change,
delete, history and custom pages of every model) is requested with GET and POST by an anonymous
visitor, a student, an instructor and a superuser, with DEBUG off and on. Path parameters,
query strings and the fields of the page's own forms (read from the HTML a GET returns) are
made malformed: ids that are not numbers or too large for a column, NUL characters, invalid
UTF-8, missing and duplicated fields, wrong types, overlong values, thousands of parameters.
Any response >= 500, or an exception escaping the handler, fails the test with the requests.

Three passes: each route once (its forms posted by someone allowed to use them); then each
form's id-carrying fields (selects, hidden inputs, checkboxes, numbers) made wrong one at a
time, the rest as the page sent it; then random requests. The choices come from a seeded
random generator, so a failure reproduces exactly.
"""

import random
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from content import services as content_services
from content.models import ConceptPage
from quizzes import services
from quizzes.models import Attempt, PracticeAnswer, Quiz

pytestmark = pytest.mark.django_db

SEED = 20261204
RANDOM_REQUESTS = 100  # per DEBUG setting, after the two systematic passes
FIELDS_PER_FORM = 6  # other id-carrying fields (than choices) made wrong, per form

HUGE = "99999999999999999999"
# Values a field, a query parameter or an id should never break on.
MALFORMED = [
    "",
    " ",
    "0",
    "-1",
    HUGE,
    "-" + HUGE,
    "1e309",
    "1.5",
    "NaN",
    "abc",
    "\x00",
    "a\x00b",
    "1,2,3",
    "[]",
    "{}",
    "null",
    "true",
    "on",
    "2026-13-45",
    "9999-12-31 23:59:59",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "\u202eevil",
    "🙂" * 50,
    "\r\n\r\n",
    "x" * 20_000,
]
# What an id field is most likely to meet: not a number, several numbers, too large, NUL.
MALFORMED_IDS = ["abc", "\x00", "1,2,3", HUGE, "-" + HUGE, "1.5", "", "-1", "0", "1e3"]
# Path segments, percent-escaped: NUL and invalid UTF-8 included.
MALFORMED_SEGMENTS = ["0", HUGE, "abc", "%00", "%ff%fe", "-1", "1.5", "a" * 300, "no-such-thing"]
QUERY_NAMES = [
    "q",
    "o",
    "p",
    "e",
    "all",
    "next",
    "review",
    "_popup",
    "_to_field",
    "_changelist_filters",
    "id__in",
    "id__exact",
    "topic__id__exact",
    "is_published__exact",
    "app_label",
    "model_name",
    "field_name",
    "term",
    "page",
]
ROLES = ["anonymous", "student", "instructor", "superuser"]
FORM = "application/x-www-form-urlencoded"
MANY_PARAMS = "&".join(f"f{n}=1" for n in range(1_200))


# --- the routes -------------------------------------------------------------------------------


@dataclass
class Route:
    template: str  # the path, with {name} where a parameter goes
    params: list[str]

    @property
    def is_admin(self) -> bool:
        return self.template.startswith("/admin/")


def routes(resolver=None, prefix: str = "") -> list[Route]:
    """Every URL pattern the resolver knows, with its parameters' names."""
    found = []
    for pattern in (resolver or get_resolver()).url_patterns:
        text = str(pattern.pattern)
        if hasattr(pattern.pattern, "converters"):  # path(): <int:pk>, <slug:slug>, <id>
            text = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", text)
        else:  # re_path(): ^(?P<app_label>auth|quizzes)/$
            text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", text).replace("^", "").replace("$", "")
        if isinstance(pattern, URLResolver):
            found += routes(pattern, prefix + text)
        elif isinstance(pattern, URLPattern):
            found.append(Route("/" + prefix + text, re.findall(r"{(\w+)}", prefix + text)))
    return found


# --- the forms of a page ----------------------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # an input's type, or select, textarea, button
    value: str
    choices: list[str] = field(default_factory=list)  # a select's options, a radio group's
    checked: bool = True

    @property
    def carries_an_id(self) -> bool:
        return self.kind in {"select", "hidden", "checkbox", "radio", "number"}


class FormParser(HTMLParser):
    """The fields of each POST form of a page."""

    def __init__(self):
        super().__init__()
        self.forms: list[list[Field]] = []
        self._form: list[Field] | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "form":
            self._form = [] if (attrs.get("method") or "").lower() == "post" else None
        elif self._form is None:
            return
        elif tag == "option" and self._select is not None:
            value = attrs.get("value") or ""
            self._select.choices.append(value)
            if "selected" in attrs:
                self._select.value = value
        elif not name:
            return
        elif tag == "input":
            self._input(name, (attrs.get("type") or "text").lower(), attrs)
        elif tag == "select":
            self._select = Field(name, "select", "")
            self._form.append(self._select)
        elif tag == "textarea":
            self._textarea = Field(name, "textarea", "")
            self._form.append(self._textarea)
        elif tag == "button" and (attrs.get("type") or "submit") == "submit":
            # The button pressed: the form's first (the admin's action button sends "index").
            if all(each.name != name for each in self._form):
                self._form.append(Field(name, "button", attrs.get("value") or ""))

    def _input(self, name: str, kind: str, attrs: dict) -> None:
        value = attrs.get("value") or ("on" if kind in {"checkbox", "radio"} else "")
        if kind == "radio":
            group = next((f for f in self._form if f.name == name and f.kind == "radio"), None)
            if group is None:
                group = Field(name, "radio", value)
                self._form.append(group)
            group.choices.append(value)
            if "checked" in attrs:
                group.value = value
            return
        self._form.append(Field(name, kind, value, checked="checked" in attrs))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form" and self._form is not None:
            if self._form:
                self.forms.append(self._form)
            self._form = None


def page_forms(html: str) -> list[list[Field]]:
    parser = FormParser()
    parser.feed(html)
    return parser.forms


# --- the fuzzer -------------------------------------------------------------------------------


@dataclass
class Fuzzer:
    rng: random.Random
    clients: dict[str, Client]
    users: dict[str, object]
    ids: list[str]
    slugs: list[str]
    forms: dict[tuple[str, str], list] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    sent: int = 0

    # paths and query strings

    def path(self, route: Route, *, malformed: float = 0.3) -> str:
        values = {}
        for name in route.params:
            pool = self.slugs if name in {"slug", "uidb64", "token", "url"} else self.ids
            if name == "app_label":
                pool = ["auth", "quizzes"]
            if name == "object_id":
                pool = admin_object_ids(route) or pool
            bad = self.rng.random() < malformed
            values[name] = self.rng.choice(MALFORMED_SEGMENTS if bad else pool)
        return route.template.format(**values)

    def query(self) -> str:
        roll = self.rng.random()
        if roll < 0.5:
            return ""
        if roll < 0.55:
            return "?" + MANY_PARAMS
        names = self.rng.sample(QUERY_NAMES, self.rng.randint(1, 4))
        pairs = [(name, self.rng.choice(MALFORMED + self.ids)) for name in names]
        return "?" + "&".join(f"{name}={quote(value, safe='')}" for name, value in pairs)

    # form data

    def forms_of(self, role: str, path: str) -> list[list[Field]]:
        """The POST forms of the page (each page is read once per role and path)."""
        if (role, path) not in self.forms:
            response = self.send(role, "GET", path)
            html = response.content.decode(errors="replace") if response is not None else ""
            self.forms[(role, path)] = page_forms(html)
        return self.forms[(role, path)]

    def submitted(self, form: list[Field]) -> dict[str, list[str]]:
        """What a user could send: each choice either as the page preset it or another one."""
        data: dict[str, list[str]] = {}
        for each in form:
            if each.kind == "checkbox" and not (
                each.checked or each.name == "_selected_action" or self.rng.random() < 0.5
            ):
                continue
            value = each.value
            options = [choice for choice in each.choices if choice]
            if options and self.rng.random() < 0.5:
                value = self.rng.choice(options)
            data.setdefault(each.name, []).append(value)
        return data

    def bad_values(self, values: list[str], pool: list[str]) -> list[str]:
        """A field's values made wrong: replaced, dropped, or duplicated with another."""
        roll = self.rng.random()
        if roll < 0.1:
            return []
        if roll < 0.2:
            return values + [self.rng.choice(pool + self.ids)]
        return [self.rng.choice(pool)] * max(1, len(values))

    def body(self, form: list[Field]) -> dict:
        """Keyword arguments for Client.post: the form, made malformed."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.05:
            return {"data": b"a=%ff%fe&\xff\xfe=\x00", "content_type": FORM}
        if roll < 0.1:
            return {"data": MANY_PARAMS, "content_type": FORM}
        if roll < 0.13:
            return {"data": b'{"answer_text": [1, {}]}', "content_type": "application/json"}
        if roll < 0.16:
            return {"data": b"--x\r\nbroken multipart", "content_type": "multipart/form-data"}
        data = self.submitted(form)
        if data and rng.random() < 0.6:
            # One field wrong, the rest as the page sent it: what each field's check must catch.
            name = rng.choice(list(data))
            data[name] = self.bad_values(data[name], MALFORMED)
        else:
            for name in list(data):
                if rng.random() < 0.3:
                    data[name] = self.bad_values(data[name], MALFORMED)
        if rng.random() < 0.2:
            extra = rng.choice(QUERY_NAMES + ["_selected_action", "action", "index"])
            data[extra] = [rng.choice(MALFORMED + self.ids)]
        return {"data": data}

    # requests

    def client(self, role: str) -> Client:
        client = self.clients[role]
        if role != "anonymous":
            user = self.users[role]
            if not type(user).objects.filter(pk=user.pk).exists():
                user.save(force_insert=True)  # a fuzzed admin post deleted the account
            client.force_login(user)  # a fuzzed logout or password change ended the session
        return client

    def send(self, role: str, method: str, path: str, **post):
        self.sent += 1
        client = self.client(role)
        try:
            response = client.get(path) if method == "GET" else client.post(path, **post)
        except Exception as error:  # escaped the handler: the server answers 500
            self.failures.append(f"{role} {method} {path[:200]!r}: {error!r} {summary(post)}")
            return None
        if response.status_code >= 500:
            status = response.status_code
            self.failures.append(f"{role} {method} {path[:200]!r}: {status} {summary(post)}")
        return response

    def request(self, route: Route, method: str, role: str | None = None) -> None:
        role = role or self.rng.choice(ROLES)
        path = self.path(route)
        if method == "GET":
            self.send(role, "GET", path + self.query())
        else:
            forms = self.forms_of(role, path)
            form = self.rng.choice(forms) if forms else []
            self.send(role, "POST", path + self.query(), **self.body(form))

    def post_each_id_field_wrong(self, route: Route, role: str) -> None:
        """The route's forms, with their id-carrying fields made wrong one at a time."""
        path = self.path(route, malformed=0)
        for form in self.forms_of(role, path):
            # Every choice field (related objects, mostly), and a sample of the other id fields.
            choices = sorted({each.name for each in form if each.kind in {"select", "radio"}})
            others = sorted({each.name for each in form if each.carries_an_id} - set(choices))
            sample = self.rng.sample(others, min(FIELDS_PER_FORM, len(others)))
            for name in choices + sample:
                data = self.submitted(form)
                data[name] = self.bad_values(data.get(name, []), MALFORMED_IDS)
                self.send(role, "POST", path, data=data)


def admin_object_ids(route: Route) -> list[str]:
    """The ids of the model an admin page such as /admin/quizzes/quiz/{object_id}/ is about."""
    named = re.match(r"/admin/(\w+)/(\w+)/\{object_id\}", route.template)
    if not named:
        return []
    model = apps.get_model(*named.groups())
    return [str(pk) for pk in model.objects.values_list("pk", flat=True)]


def summary(post: dict) -> str:
    """The posted data, short: each value cut, the CSRF token left out."""
    data = post.get("data", "")
    if isinstance(data, dict):
        data = {
            name: [value[:40] for value in values]
            for name, values in data.items()
            if name != "csrfmiddlewaretoken"
        }
    text = repr(data)
    return text[:600] + ("…" if len(text) > 600 else "")


# --- the site under test ----------------------------------------------------------------------


@pytest.fixture
def site(make_user, student, instructor, quiz, make_quiz, true_false_question, topic):
    """Content and state for every page to have something to show: questions of each answer
    mode in two quizzes, a concept page with its output, attempts open and submitted."""
    superuser = make_user("root", is_staff=True, is_superuser=True)
    page = ConceptPage.objects.create(
        topic=topic, slug="aliasing", title="Aliasing", body="Text.\n\n```python\nprint(1)\n```\n"
    )
    content_services.refresh_page_outputs(page)
    each = make_quiz(
        [true_false_question],
        slug="each-answer",
        title="Each answer",
        feedback_policy=Quiz.FeedbackPolicy.AFTER_EACH_ANSWER,
        max_attempts=None,
    )
    services.start_attempt(user=student, quiz=quiz)
    done = services.start_attempt(user=student, quiz=each)
    services.submit_attempt(attempt=done)
    services.answer_practice(user=student, question=true_false_question, answer_text="true")
    users = {"student": student, "instructor": instructor, "superuser": superuser}
    objects = [
        *Quiz.objects.all(),
        *Attempt.objects.all(),
        *PracticeAnswer.objects.all(),
        page,
        topic,
        *quiz.quiz_questions.all(),
        *quiz.questions.all(),
        *users.values(),
    ]
    ids = sorted({str(obj.pk) for obj in objects})
    slugs = [topic.slug, page.slug, quiz.slug, each.slug, "MTA", "set-password"]
    return users, ids, slugs


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
def test_no_malformed_request_gets_a_server_error(site, settings, debug):
    settings.DEBUG = debug
    users, ids, slugs = site
    clients = {role: Client(raise_request_exception=False) for role in ROLES}
    fuzzer = Fuzzer(random.Random(SEED), clients, users, ids, slugs)
    every_route = routes()
    assert len(every_route) > 60  # the site's pages and every admin model's
    for route in every_route:
        # Once with a random role, and its forms as someone allowed to use them.
        fuzzer.request(route, "GET")
        for role in ["instructor", "superuser"] if route.is_admin else ["student"]:
            fuzzer.request(route, "POST", role)
    for number, route in enumerate(every_route):
        role = ["instructor", "superuser"][number % 2] if route.is_admin else "student"
        fuzzer.post_each_id_field_wrong(route, role)
    for _ in range(RANDOM_REQUESTS):
        method = fuzzer.rng.choice(["GET", "POST"])
        fuzzer.request(fuzzer.rng.choice(every_route), method)
    assert fuzzer.sent > 500
    assert fuzzer.failures == []
