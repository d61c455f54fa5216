"""Helpers shared by the tests (fixtures stay in conftest.py): test accounts' password, snippets
with a known outcome, and driving an attempt through its pages as a student does."""

from django.urls import reverse
from django.utils import timezone

from content.models import CodeBlockOutput, ConceptPage
from quizzes import grading, services
from quizzes.models import Attempt, Choice, Question

PASSWORD = "memory-model"  # noqa: S105 - test accounts only
SIGNUP_PASSWORD = "a-Long-passphrase-42"  # noqa: S105 - one the sign-up's validators accept


def signup_data(username: str = "ada") -> dict:
    """A sign-up form that is valid for a new `username` (email username@example.org)."""
    return {
        "username": username,
        "email": f"{username}@example.org",
        "password1": SIGNUP_PASSWORD,
        "password2": SIGNUP_PASSWORD,
    }


# Snippets with a deterministic outcome under CPython 3.12.
ALIASING_SNIPPET = "a = [1, 2]\nb = a\nb.append(3)\nprint(a)\nprint(a is b)\n"
RAISING_SNIPPET = "key = [1]\nprint('before')\nd = {key: 1}\nprint('after')\n"
REJECTED_SNIPPET = "import os\nprint(os.getcwd())\n"
# The words of conftest's parameterised `doubling` question: one variant each.
DOUBLING_WORDS = ["spam", "eggs", "toast", "beans"]


def make_variant_question(
    topic, *, slug, title, snippet, explanation, domains, mode="typed", choices=(), **fields
) -> Question:
    """A published parameterised question (`domains`: {name: values}) with choices of the texts
    `choices`, its variants and their keys computed by the grader."""
    question = Question.objects.create(
        topic=topic,
        slug=slug,
        title=title,
        snippet=snippet,
        answer_mode=mode,
        explanation=explanation,
        parameters={"domains": domains},
        is_published=True,
        **fields,
    )
    for order, text in enumerate(choices):
        Choice.objects.create(question=question, text=text, order=order)
    services.refresh_answer_key(question)
    return question


JSON = {"HTTP_ACCEPT": "application/json"}  # what attempt.js asks for when it autosaves


def start_quiz(client, quiz):
    """Start (or resume) an attempt at `quiz` through the page's button; the attempt."""
    response = client.post(reverse("quiz_start", args=[quiz.slug]))
    attempt = Attempt.objects.filter(quiz=quiz).latest("pk")
    assert response["Location"] == reverse("attempt_take", args=[attempt.pk])
    return attempt


def right_answer_data(entry) -> dict:
    """The form data of the right answer to a quiz question, read from its stored key."""
    question = entry.question
    prefix = f"q{entry.pk}-"
    if question.answer_mode == Question.AnswerMode.CHOICE:
        right = grading.matching_choices(question, question.answer_key)[0]
        return {prefix + "choice": right.pk}
    return {prefix + "answer_text": grading.expected_text(question.answer_key)}


def save_answer(client, attempt, entry, data=None, **extra):
    """Post an answer to one question of an attempt (the right one unless `data` is given)."""
    url = reverse("attempt_answer", args=[attempt.pk, entry.pk])
    return client.post(url, right_answer_data(entry) if data is None else data, **extra)


def question_post(topic, snippet, *, mode="typed", choices=(), slug="new-question", **extra):
    """The admin's add-question form data, with `choices` as inline rows."""
    data = {
        "topic": topic.pk,
        "title": "New question",
        "slug": slug,
        "answer_mode": mode,
        "difficulty": 1,
        "is_published": "on",
        "prompt": "What does this print?",
        "snippet": snippet,
        "explanation": "The rule.",
        "choices-TOTAL_FORMS": len(choices),
        "choices-INITIAL_FORMS": 0,
        "choices-MIN_NUM_FORMS": 0,
        "choices-MAX_NUM_FORMS": 1000,
        "_save": "Save",
    }
    for index, text in enumerate(choices):
        data[f"choices-{index}-text"] = text
        data[f"choices-{index}-misconception"] = ""
        data[f"choices-{index}-order"] = index
    data.update(extra)
    return data


def trace_without_ids(trace: dict | None) -> dict | None:
    """A stored trace without its objects' id()s: addresses, which differ from one run to the
    next, so two runs of one snippet give equal traces only without them (trace version 2)."""
    if trace is None:
        return None
    steps = [
        {**step, "heap": {k: {**e, "id": None} for k, e in step["heap"].items()}}
        if "heap" in step
        else step
        for step in trace["steps"]
    ]
    return {**trace, "steps": steps}


def page_output_of_python(topic, python_version: str):
    """A concept page whose one block's stored output was computed under `python_version` (what
    the footer and the start-up check read of page outputs); the page."""
    page = ConceptPage.objects.create(topic=topic, slug="p", title="P", body="")
    CodeBlockOutput.objects.create(
        page=page,
        index=0,
        source_hash="x",
        outcome={},
        python_version=python_version,
        computed_at=timezone.now(),
    )
    return page
