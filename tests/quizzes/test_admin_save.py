"""How the admin saves questions and concept pages: text as browsers send it, concept-page blocks
held to the grader, and no grader run inside the save's database transaction."""

import json
import os
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from django import forms as django_forms
from django.conf import settings
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

import grader
from content import services as content_services
from content.admin_forms import UNSTABLE_BLOCK_OUTPUT
from content.markdown import python_blocks
from content.models import CodeBlockOutput, ConceptPage
from quizzes.admin_forms import NormalisedTextForm
from quizzes.grading import expected_text, source_hash
from quizzes.models import Question, Quiz
from tests.helpers import ALIASING_SNIPPET

# Three blocks, each with a real output and a diagram.
PAGE_BODY = """Two names, one list:

```python
a = [1, 2]
b = a
b.append(3)
print(a)
```

A copy is a new object:

```python
a = [1, 2]
c = list(a)
print(c == a, c is a)
```

Functions get references:

```python
def grow(items):
    items.append(0)

data = []
grow(data)
print(data)
```
"""


@pytest.fixture
def instructor_client(client, instructor):
    client.force_login(instructor)
    return client


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


class _FormFields(HTMLParser):
    """The fields a browser submits from the form with id `form_id`, with their current values."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside = form_id, False
        self.fields: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._select: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.fields.append((name, attrs.get("value", "on")))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self.fields.append((name, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields.append((self._select, attrs.get("value", "")))

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            # A browser drops the newline right after <textarea> and sends \r\n line endings.
            value = "".join(self._text).removeprefix("\n")
            self.fields.append((self._textarea, crlf(value)))
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self.inside = False


def browser_post_data(page_html: str, form_id: str, **changes) -> dict:
    """What the browser posts when the change form is saved after typing `changes`: every field
    of the form (inline management forms included), textareas with \\r\\n line endings."""
    parser = _FormFields(form_id)
    parser.feed(page_html)
    data: dict[str, list[str]] = {}
    for name, value in parser.fields:
        data.setdefault(name, []).append(value)
    assert data, f"no form {form_id!r} in the page"
    for name, value in changes.items():
        data[name] = [value]
    return {"_save": "Save", **data}


def outputs_and_diagrams(student_client, page: ConceptPage) -> tuple[int, int]:
    text = student_client.get(page.get_absolute_url()).text
    return text.count('<div class="code-output-label">Output (Python'), text.count(
        '<section class="memdiagram"'
    )


def stored_outputs_match(page: ConceptPage) -> bool:
    blocks = python_blocks(page.body)
    stored = list(page.block_outputs.order_by("index"))
    return [o.source_hash for o in stored] == [source_hash(b) for b in blocks] and all(
        o.outcome["status"] == "ok" and o.trace for o in stored
    )


# --- 1. Line endings ------------------------------------------------------------------------


def test_a_page_edited_in_the_real_change_form_keeps_every_output_and_diagram(
    client, instructor, student, topic
):
    """The reported case: one sentence added in the admin, posted with \\r\\n by the browser."""
    instructor_client = Client()  # the student uses `client`
    instructor_client.force_login(instructor)
    add = reverse("admin:content_conceptpage_add")
    form = browser_post_data(
        instructor_client.get(add).text,
        "conceptpage_form",
        topic=str(topic.pk),
        slug="names",
        title="Names",
        body=crlf(PAGE_BODY),
    )
    response = instructor_client.post(add, form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    page = ConceptPage.objects.get(slug="names")
    assert page.body == PAGE_BODY and stored_outputs_match(page)

    change = reverse("admin:content_conceptpage_change", args=[page.pk])
    edited = page.body.replace("Two names, one list:", "Two names, one list. Watch `b`:")
    form = browser_post_data(instructor_client.get(change).text, "conceptpage_form")
    form["body"] = [crlf(edited)]
    response = instructor_client.post(change, form, follow=True)
    assert response.status_code == 200
    page.refresh_from_db()
    assert page.body == edited and "\r" not in page.body
    assert [str(m) for m in response.context["messages"]][0] == (
        "Every code block (3) has its real output: 0 run by the grader now, 3 unchanged and kept."
    )
    assert stored_outputs_match(page) and page.block_outputs.count() == 3

    client.force_login(student)
    assert outputs_and_diagrams(client, page) == (3, 3)
    assert "no output checked by the grader" not in client.get(page.get_absolute_url()).text


def test_every_admin_form_of_the_course_normalises_line_endings(rf, instructor):
    """Each registered admin (and inline) form with a text field normalises it; a new admin that
    forgets fails here."""
    request = rf.get("/admin/")
    request.user = instructor
    checked = 0
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in ("content", "quizzes"):
            continue
        if not model_admin.has_add_permission(request):
            continue
        forms = [model_admin.get_form(request)]
        inlines = model_admin.get_inline_instances(request)
        forms += [inline.get_formset(request).form for inline in inlines]
        for form in forms:
            text_fields = [
                name
                for name, field in form.base_fields.items()
                if isinstance(field, django_forms.CharField)
            ]
            if text_fields:
                assert issubclass(form, NormalisedTextForm), (model, form, text_fields)
                checked += 1
    assert checked >= 5  # topic, page, question, choice, quiz


def test_topic_quiz_question_and_choices_are_stored_with_plain_newlines(instructor_client, topic):
    right = expected_text(grader.run(ALIASING_SNIPPET).to_dict())
    add_question = reverse("admin:quizzes_question_add")
    form = browser_post_data(
        instructor_client.get(add_question).text,
        "question_form",
        topic=str(topic.pk),
        title="Aliases",
        slug="aliases",
        answer_mode="choice",
        prompt=crlf("What does\nthis print?"),
        snippet=crlf(ALIASING_SNIPPET),
        explanation=crlf("Line one.\nLine two."),
    )
    form.update(
        {
            "choices-TOTAL_FORMS": ["2"],
            "choices-0-text": [crlf(right)],
            "choices-0-misconception": [""],
            "choices-0-order": ["0"],
            "choices-1-text": [crlf("[1, 2]\nFalse\n")],
            "choices-1-misconception": ["b = a copies"],
            "choices-1-order": ["1"],
        }
    )
    response = instructor_client.post(add_question, form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    question = Question.objects.get(slug="aliases")
    texts = [question.prompt, question.snippet, question.explanation]
    texts += [choice.text for choice in question.choices.all()]
    assert not any("\r" in text for text in texts)
    assert question.choices.get(order=0).text == right

    change_topic = reverse("admin:content_topic_change", args=[topic.pk])
    form = browser_post_data(
        instructor_client.get(change_topic).text, "topic_form", summary=crlf("One\nTwo")
    )
    assert instructor_client.post(change_topic, form).status_code == 302
    topic.refresh_from_db()
    assert topic.summary == "One\nTwo"

    add_quiz = reverse("admin:quizzes_quiz_add")
    form = browser_post_data(
        instructor_client.get(add_quiz).text,
        "quiz_form",
        title="Q",
        slug="q",
        description=crlf("First\n\nSecond"),
    )
    response = instructor_client.post(add_quiz, form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Quiz.objects.get(slug="q").description == "First\n\nSecond"


def test_a_page_stored_with_browser_newlines_still_finds_its_blocks(client, topic):
    """Rows saved before the fix keep their \\r\\n: the block finder reads them as Markdown does."""
    page = ConceptPage.objects.create(topic=topic, slug="old", title="Old", body=crlf(PAGE_BODY))
    assert content_services.refresh_page_outputs(page) == 3
    assert outputs_and_diagrams(client, page) == (3, 3)


# --- 2. Blocks the grader cannot vouch for ------------------------------------------------------

BAD_BLOCKS = {
    "endless loop": "while True:\n    pass\n",
    "import os": "import os\nprint(os.getcwd())\n",
    "set of strings": "print({'alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta'})\n",
}


def save_page(topic, body: str) -> dict:
    """The concept page form, saved (the page has no inlines)."""
    return {"topic": topic.pk, "slug": "p", "title": "P", "order": 0, "body": body, "_save": "Save"}


@pytest.mark.parametrize("case", BAD_BLOCKS)
def test_a_page_with_a_block_the_grader_cannot_vouch_for_is_refused_with_its_reasons(
    instructor_client, topic, case
):
    bad = BAD_BLOCKS[case]
    body = f"Fine:\n\n```python\nprint(6 * 7)\n```\n\nNot:\n\n```python\n{bad}```\n"
    add = reverse("admin:content_conceptpage_add")
    response = instructor_client.post(add, save_page(topic, body))
    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors["body"]
    first_line = bad.splitlines()[0]
    assert error.startswith(f"Code block 2 (“{first_line[:60]}”): ")
    outcome = grader.run(bad)
    if case == "set of strings":
        assert outcome.status == "ok" and grader.output_varies(bad)
        assert UNSTABLE_BLOCK_OUTPUT in error
    else:
        assert outcome.status in ("timeout", "rejected")
        # Which limit ends an endless loop first (CPU or wall clock) depends on the load.
        reason = "" if outcome.status == "timeout" else outcome.reasons[0]
        assert f"({outcome.status}): {reason}" in error
    assert not ConceptPage.objects.exists() and not CodeBlockOutput.objects.exists()


def test_adding_a_bad_block_to_a_page_keeps_the_page_as_it_was(instructor_client, topic):
    page = ConceptPage.objects.create(topic=topic, slug="p", title="P", body=PAGE_BODY)
    content_services.refresh_page_outputs(page)
    before = list(page.block_outputs.values_list("source_hash", "outcome"))
    change = reverse("admin:content_conceptpage_change", args=[page.pk])
    body = PAGE_BODY + "\n```python\nimport os\n```\n\n```python\nwhile True:\n    pass\n```\n"
    response = instructor_client.post(change, save_page(topic, body))
    errors = response.context["adminform"].form.errors["body"]
    assert [e.split("): ")[0] for e in errors] == [
        "Code block 4 (“import os”",
        "Code block 5 (“while True:”",
    ]
    page.refresh_from_db()
    assert page.body == PAGE_BODY
    assert list(page.block_outputs.values_list("source_hash", "outcome")) == before


def test_a_page_with_more_blocks_than_the_cap_is_refused_without_running_any(
    instructor_client, topic, settings, monkeypatch
):
    settings.ADMIN_MAX_BLOCKS_PER_PAGE = 2
    runs = []
    monkeypatch.setattr(grader, "run", lambda *args, **kwargs: runs.append(args))
    response = instructor_client.post(
        reverse("admin:content_conceptpage_add"), save_page(topic, PAGE_BODY)
    )
    [error] = response.context["adminform"].form.errors["body"]
    assert "This page has 3 ```python code blocks; a page may have at most 2" in error
    assert runs == [] and not ConceptPage.objects.exists()


def test_only_new_or_changed_blocks_run_again(instructor_client, topic, monkeypatch):
    page = ConceptPage.objects.create(topic=topic, slug="p", title="P", body=PAGE_BODY)
    content_services.refresh_page_outputs(page)
    ran = []
    real_run = grader.run
    monkeypatch.setattr(
        grader, "run", lambda source, **kw: ran.append(source) or real_run(source, **kw)
    )
    first, second, third = python_blocks(PAGE_BODY)
    new = "print(len('abc'))\n"
    # The third block moves to the top and a new one comes last: only the new one runs.
    body = f"```python\n{third}```\n\n```python\n{first}```\n\n```python\n{second}```\n\n"
    body += f"```python\n{new}```\n"
    change = reverse("admin:content_conceptpage_change", args=[page.pk])
    response = instructor_client.post(change, save_page(topic, body))
    assert response.status_code == 302
    assert set(ran) == {new}
    page.refresh_from_db()
    assert stored_outputs_match(page) and page.block_outputs.count() == 4


def test_the_student_page_never_presents_a_bad_stored_block_as_real(client, topic):
    """Rows stored before the admin refused such blocks (or by the loader): a notice instead."""
    body = (
        "```python\nprint(6 * 7)\n```\n\n```python\nwhile True:\n    pass\n```\n\n"
        "```python\nimport os\n```\n\n```python\nprint('changed since it ran')\n```\n"
    )
    page = ConceptPage.objects.create(topic=topic, slug="p", title="P", body=body)
    content_services.refresh_page_outputs(page)
    page.block_outputs.filter(index=3).update(source_hash=source_hash("print('before')\n"))
    text = client.get(page.get_absolute_url()).text
    assert "Code blocks 2, 3, 4 on this page have no output checked by the grader" in text
    assert text.count("Output (Python") == 1 and text.count('<section class="memdiagram"') == 1
    # The grader's own refusals, as stored for blocks 2 and 3 (an endless loop ends by whichever
    # limit comes first, CPU or wall clock, so a second run could name the other one).
    for index in (1, 2):
        outcome = page.block_outputs.get(index=index).outcome
        reasons = escape("; ".join(outcome["reasons"]))
        notice = (
            f"No output shown: the grader did not run this block to the end ({outcome['status']}: "
        )
        assert notice + reasons in text
    assert text.count("Output not computed yet") == 1


def test_the_change_form_says_which_blocks_have_no_real_output(instructor_client, topic):
    body = PAGE_BODY + "\n```python\nimport os\n```\n"
    page = ConceptPage.objects.create(topic=topic, slug="p", title="P", body=body)
    content_services.refresh_page_outputs(page)
    change = reverse("admin:content_conceptpage_change", args=[page.pk])
    assert "No real output for code block 4 of 4" in instructor_client.get(change).text
    page.block_outputs.filter(index=3).delete()
    page.body = PAGE_BODY
    page.save()
    assert "Every code block (3) has its real output." in instructor_client.get(change).text


# --- 3. No grader run inside a transaction ---------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_no_grader_call_runs_inside_a_transaction(client, make_user, topic, grader_calls):
    # A superuser: earlier transactional tests flush the Instructors group its migration made.
    client.force_login(make_user("author", is_staff=True, is_superuser=True))
    add = reverse("admin:quizzes_question_add")
    data = {
        "topic": topic.pk,
        "title": "Q",
        "slug": "q",
        "answer_mode": "typed",
        "difficulty": 1,
        "snippet": ALIASING_SNIPPET,
        "explanation": "Why.",
        "choices-TOTAL_FORMS": 0,
        "choices-INITIAL_FORMS": 0,
        "_save": "Save",
    }
    assert client.post(add, data).status_code == 302
    question = Question.objects.get(slug="q")
    change = reverse("admin:quizzes_question_change", args=[question.pk])
    data["snippet"] = "print([] == [])\n"
    assert client.post(change, data).status_code == 302
    client.post(
        reverse("admin:quizzes_question_changelist"),
        {"action": "recompute_answer_keys", "_selected_action": [question.pk]},
    )
    add_page = reverse("admin:content_conceptpage_add")
    assert client.post(add_page, save_page(topic, PAGE_BODY)).status_code == 302
    page = ConceptPage.objects.get()
    body = PAGE_BODY + "\n```python\nprint('one more')\n```\n"
    change_page = reverse("admin:content_conceptpage_change", args=[page.pk])
    assert client.post(change_page, save_page(topic, body)).status_code == 302
    client.post(
        reverse("admin:content_conceptpage_changelist"),
        {"action": "recompute_outputs", "_selected_action": [page.pk]},
    )
    question.refresh_from_db()
    assert question.answer_key["stdout"] == "True\n" and question.key_trace
    assert page.block_outputs.count() == 4
    assert len(grader_calls) > 10
    assert [call for call in grader_calls if call[1]] == []


def test_a_save_that_fails_half_way_writes_nothing(instructor_client, topic, monkeypatch):
    """The transaction now opens at the first write, and still covers every write of the save."""
    page = ConceptPage.objects.create(topic=topic, slug="p", title="P", body=PAGE_BODY)
    content_services.refresh_page_outputs(page)

    def broken_store(page, outputs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(content_services, "store_page_outputs", broken_store)
    change = reverse("admin:content_conceptpage_change", args=[page.pk])
    open_blocks = len(connection.atomic_blocks)  # the test's own
    with pytest.raises(RuntimeError):
        instructor_client.post(change, save_page(topic, PAGE_BODY + "\nMore text.\n"))
    assert len(connection.atomic_blocks) == open_blocks, "the save's transaction was left open"
    page.refresh_from_db()
    assert page.body == PAGE_BODY and stored_outputs_match(page)


CONCURRENT_SAVES = """
import json, threading, time
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
import grader
from quizzes import services
from content.models import ConceptPage, Topic
from quizzes.models import Attempt, Question, Quiz, QuizQuestion

topic = Topic.objects.create(slug="t", title="T")
def question(slug):
    q = Question.objects.create(topic=topic, slug=slug, title=slug, snippet="print(1)\\n",
                                answer_mode="typed", explanation="x", is_published=True)
    services.refresh_answer_key(q)
    return q
quiz = Quiz.objects.create(slug="z", title="Z", is_published=True, max_attempts=None)
entry = QuizQuestion.objects.create(quiz=quiz, question=question("in-quiz"))
practised = question("practised")
users = get_user_model().objects
student = users.create_user("student")
student_client = Client()
student_client.force_login(student)
instructors = {}
for name in ("question_author", "page_author"):
    user = users.create_user(name, is_staff=True)
    user.groups.add(Group.objects.get(name="Instructors"))
    instructors[name] = Client()
    instructors[name].force_login(user)
student_client.post(f"/quizzes/{quiz.slug}/start/")
attempt = Attempt.objects.get()
grader.output_varies("print(1)\\n")  # starts the witness servers, as a running site has them

# The machine running the tests may be busy: a long wall-clock limit keeps the heavy snippet from
# timing out, so the saves do what they do on a quiet server (the CPU limit stays).
patient = grader.Limits(wall_seconds=60)
runs = {"finished": 0}
counting = threading.Lock()
grading_started = threading.Event()
real_run, real_varies = grader.run, grader.output_varies
def counted_run(source, **kwargs):
    grading_started.set()
    try:
        return real_run(source, **{**kwargs, "limits": patient})
    finally:
        with counting:
            runs["finished"] += 1
grader.run = counted_run
grader.output_varies = lambda source, **kwargs: real_varies(source, limits=patient)

SAVES = {
    "question_author": ("/admin/quizzes/question/add/", {
        "topic": topic.pk, "title": "Heavy", "slug": "heavy", "answer_mode": "typed",
        "difficulty": 1, "snippet": SNIPPET, "explanation": "Why.",
        "choices-TOTAL_FORMS": 0, "choices-INITIAL_FORMS": 0, "_save": "Save"}),
    "page_author": ("/admin/content/conceptpage/add/", {
        "topic": topic.pk, "title": "Heavy page", "slug": "heavy-page", "order": 0,
        "body": f"```python\\n{SNIPPET}```\\n\\n```python\\nprint(len('abc'))\\n```\\n",
        "_save": "Save"}),
}
report = {}
def instructor_saves(name):
    try:
        url, data = SAVES[name]
        response = instructors[name].post(url, data)
        report[name] = response.status_code
        if response.status_code == 200:
            report[name + "_errors"] = str(response.context["adminform"].form.errors)
    finally:
        connection.close()

saving = [threading.Thread(target=instructor_saves, args=(name,)) for name in SAVES]
[thread.start() for thread in saving]
assert grading_started.wait(60)
autosave = student_client.post(f"/attempts/{attempt.pk}/answers/{entry.pk}/",
                               {f"q{entry.pk}-answer_text": "1"}, HTTP_ACCEPT="application/json")
practice = student_client.post(f"/practice/question/{practised.pk}/", {"answer_text": "1"})
report["student"] = [autosave.status_code, practice.status_code]
report["runs_finished_when_student_done"] = runs["finished"]
[thread.join() for thread in saving]
report["runs"] = runs["finished"]
report["saved_answers"] = [attempt.responses.count(), practised.practice.count()]
heavy = Question.objects.filter(slug="heavy").first()
report["heavy_key"] = heavy and heavy.answer_key["status"]
page = ConceptPage.objects.filter(slug="heavy-page").first()
report["page_outputs"] = page and [o.outcome["status"] for o in page.block_outputs.all()]
print(json.dumps(report))
"""

# About 0.8 s of CPU in the sandbox (under the grader's 2 s limit); with its witness runs and
# its trace, the instructor's save runs the grader for several seconds.
HEAVY_SNIPPET = "print(sum(range(3 * 10**7)))\n"


@pytest.mark.django_db(transaction=False)
def test_a_student_saves_while_instructors_save_slow_content(tmp_path):
    """On the real settings (SQLite, IMMEDIATE transactions) and a database file, as the site
    runs: the student's autosave and practice answer go through during two instructors' saves of
    a slow question and a slow page, and both instructors' saves succeed."""
    # The script watches grader.run in its own process: its grader calls must run there.
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}",
        "GRADER_BACKEND": "inprocess",
    }
    manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, timeout=180)
    script = CONCURRENT_SAVES.replace("SNIPPET", repr(HEAVY_SNIPPET))
    result = subprocess.run(
        [*manage, "shell", "-v0", "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["question_author"] == report["page_author"] == 302, json.dumps(report)
    assert report["heavy_key"] == "ok" and report["page_outputs"] == ["ok", "ok"], report
    assert report["student"] == [200, 302], report
    assert report["saved_answers"] == [1, 1], report
    # The student was done while the instructors' saves were still running the grader.
    assert report["runs_finished_when_student_done"] < report["runs"], report


DOWN = "the grader server did not start"


def test_without_the_grader_a_page_save_is_refused_and_nothing_changes(
    instructor_client, topic, monkeypatch
):
    page = ConceptPage.objects.create(topic=topic, slug="p", title="P", body=PAGE_BODY)
    content_services.refresh_page_outputs(page)
    before = list(page.block_outputs.values_list("index", "source_hash"))

    def unavailable(*args, **kwargs):
        raise grader.GraderUnavailable(DOWN)

    monkeypatch.setattr(grader, "run", unavailable)
    change = reverse("admin:content_conceptpage_change", args=[page.pk])
    body = PAGE_BODY + "\n```python\nprint('new')\n```\n"
    response = instructor_client.post(change, save_page(topic, body))
    assert response.status_code == 200
    [error] = response.context["adminform"].form.non_field_errors()
    assert error == f"The grader is unavailable, so nothing was saved: {DOWN}"
    response = instructor_client.post(
        reverse("admin:content_conceptpage_changelist"),
        {"action": "recompute_outputs", "_selected_action": [page.pk]},
        follow=True,
    )
    shown = [str(message) for message in response.context["messages"]]
    assert any(message.startswith("The grader is unavailable") for message in shown)
    page.refresh_from_db()
    assert page.body == PAGE_BODY
    assert list(page.block_outputs.values_list("index", "source_hash")) == before


def test_saving_a_loaded_page_and_question_unchanged_leaves_them_as_loaded(tmp_path, instructor):
    """Save pressed on an untouched change form: the text areas came back without the final
    newline the fixture gave them (Django strips form text), so load_content skipped both rows
    from then on as edited in the admin and export_content wrote them differently."""
    from content.loader import load_content
    from tests.content.test_loader import QUIZZES, topic_toml

    (tmp_path / "topics").mkdir()
    (tmp_path / "topics" / "03-mutability-aliasing.toml").write_text(topic_toml())
    (tmp_path / "quizzes.toml").write_text(QUIZZES)
    load_content(tmp_path)
    page, question = ConceptPage.objects.get(), Question.objects.get(slug="alias-choice")
    loaded = (page.body, question.snippet)
    assert all(text.endswith("\n") for text in loaded)

    instructor_client = Client()
    instructor_client.force_login(instructor)
    for url, form_id in (
        (reverse("admin:content_conceptpage_change", args=[page.pk]), "conceptpage_form"),
        (reverse("admin:quizzes_question_change", args=[question.pk]), "question_form"),
    ):
        response = instructor_client.post(
            url, browser_post_data(instructor_client.get(url).text, form_id)
        )
        assert response.status_code == 302, response.context["adminform"].form.errors

    page.refresh_from_db()
    question.refresh_from_db()
    assert (page.body, question.snippet) == loaded
    report = load_content(tmp_path)
    assert report.skipped == [] and report.updated.total() == 0
