"""Content-Security-Policy: every page carries the policy, and no page needs what it forbids
(inline script, inline event handlers, inline style), whoever looks at it."""

from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import URLPattern, get_resolver, reverse

from content import services as content_services
from content.models import ConceptPage
from quizzes.models import PracticeAnswer
from tests.helpers import JSON, save_answer, start_quiz

pytestmark = pytest.mark.django_db

REQUIRED_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def policy_of(response) -> dict[str, str]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = (part.strip().split(None, 1) for part in header.split(";") if part.strip())
    return {d[0]: d[1] if len(d) > 1 else "" for d in directives}


class InlineCode(HTMLParser):
    """Collects what a strict policy refuses: script elements with code, on* handler attributes,
    style attributes and elements, and javascript: URLs."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._script_type: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name == "style":
                self.found.append(f"<{tag} style={value!r}>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag == "style":
            self.found.append("<style> element")
        if tag == "script":
            # src= loads a static file; application/json (json_script) is data, never run.
            self._script_type = None if "src" in attrs else attrs.get("type") or "text/javascript"

    def handle_data(self, data):
        if self._script_type and self._script_type != "application/json" and data.strip():
            self.found.append(f"inline <script>: {data.strip()[:60]!r}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._script_type = None


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


@pytest.fixture
def site(client, student, instructor, quiz, topic, make_question):
    """One of each page: a concept page with a diagram, a practice feedback, attempts taken,
    submitted and shown, the admin; returned as (who, url) pairs."""
    page = ConceptPage.objects.create(
        topic=topic,
        slug="aliasing",
        title="Aliasing",
        body="Text\n\n```python\na = [1]\nb = a\nprint(a is b)\n```\n",
        is_published=True,
    )
    content_services.refresh_page_outputs(page)
    practised = make_question(slug="practised")  # not in the quiz, so open to practice
    client.force_login(student)
    client.post(reverse("practice_question", args=[practised.pk]), {"answer_text": "x"})
    answer = PracticeAnswer.objects.get()
    taken = start_quiz(client, quiz)
    entry = quiz.quiz_questions.first()
    save_answer(client, taken, entry, **JSON)
    open_attempt_urls = [
        reverse("attempt_take", args=[taken.pk]),
        reverse("attempt_submit", args=[taken.pk]),
    ]
    client.post(reverse("attempt_submit", args=[taken.pk]))
    student_urls = [
        reverse("home"),
        reverse("how_answers_are_checked"),
        reverse("concept_list"),
        page.get_absolute_url(),
        reverse("practice_topics"),
        reverse("practice_topic", args=[topic.slug]) + "?review",
        reverse("practice_question", args=[practised.pk]),
        reverse("practice_feedback", args=[answer.pk]),
        reverse("quiz_list"),
        reverse("quiz_detail", args=[quiz.slug]),
        reverse("attempt_list"),
        reverse("attempt_result", args=[taken.pk]),
        "/no-such-page/",
    ]
    second = start_quiz(client, quiz)
    open_attempt_urls = [
        url.replace(f"/{taken.pk}/", f"/{second.pk}/") for url in open_attempt_urls
    ]
    anonymous_urls = [
        reverse("login"),
        reverse("signup"),
        reverse("password_reset"),
        reverse("password_reset_done"),
        reverse("password_reset_complete"),
        reverse("password_reset_confirm", args=["MQ", "not-a-token"]),
        reverse("home"),
        page.get_absolute_url(),
    ]
    instructor_urls = [
        reverse("admin:index"),
        reverse("admin:quizzes_question_changelist"),
        reverse("admin:quizzes_question_change", args=[practised.pk]),
        reverse("admin:quizzes_question_add"),
        reverse("admin:content_conceptpage_change", args=[page.pk]),
        reverse("admin:quizzes_quiz_change", args=[quiz.pk]),
        page.get_absolute_url(),
    ]
    return (
        [(None, url) for url in anonymous_urls]
        + [(student, url) for url in student_urls + open_attempt_urls]
        + [(instructor, url) for url in instructor_urls]
    )


def fetch_all(client, site):
    responses = []
    for user, url in site:
        client.logout()
        if user is not None:
            client.force_login(user)
        response = client.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        responses.append((url, response))
    return responses


def test_every_page_carries_the_policy(client, site):
    for url, response in fetch_all(client, site):
        policy = policy_of(response)
        for directive, value in REQUIRED_DIRECTIVES.items():
            assert policy.get(directive) == value, (url, directive, policy)
        sources = " ".join(policy.values())
        assert "unsafe-inline" not in sources and "unsafe-eval" not in sources, url
        assert "http" not in sources and "*" not in sources, f"{url}: an outside host: {sources}"


def test_no_page_has_inline_script_handlers_or_style(client, site):
    for url, response in fetch_all(client, site):
        assert not inline_code(response.content.decode()), url


def test_the_scanner_sees_what_the_policy_refuses():
    page = (
        '<script>alert(1)</script><button onclick="go()">x</button><div style="width:5%"></div>'
        '<style>p{}</style><a href="javascript:void 0">x</a>'
    )
    assert len(inline_code(page)) == 5
    allowed = (
        '<script src="/static/a.js"></script><script type="application/json">{"a": 1}</script>'
    )
    assert inline_code(allowed) == []


def test_every_student_page_is_in_the_scan(site):
    """A new page of the site joins the scan above, or this test names it."""
    scanned = {url.split("?")[0] for _user, url in site}
    for pattern in get_resolver("quizzes.urls").url_patterns:
        assert isinstance(pattern, URLPattern)
        if pattern.name in ("quiz_start", "attempt_answer"):
            continue  # POST only: they redirect or answer JSON, never a page
        assert any(pattern.pattern.match(url.lstrip("/")) for url in scanned), pattern.name


def test_no_template_source_has_inline_code():
    """Templates the page scan above does not render (e-mails, error pages) are read as text."""
    from django.conf import settings

    for template_dir in settings.TEMPLATES[0]["DIRS"]:
        for path in sorted(Path(template_dir).rglob("*.html")):
            assert not inline_code(path.read_text(encoding="utf-8")), path
