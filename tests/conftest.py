"""Shared Django fixtures: users, a topic, questions whose keys come from the real grader, a quiz.

Keys are computed by services.refresh_answer_key (the grader), never typed here; tests that need
the right answer read it from the stored key (grading.expected_text(question.answer_key)).
"""

import pytest
from django.contrib.auth.models import Group

from quizzes import services
from quizzes.grading import expected_text
from quizzes.models import Choice, Question, Quiz, QuizQuestion, Topic

PASSWORD = "memory-model"  # noqa: S105 - test accounts only

# Snippets with a deterministic outcome under CPython 3.12.
ALIASING_SNIPPET = "a = [1, 2]\nb = a\nb.append(3)\nprint(a)\nprint(a is b)\n"
RAISING_SNIPPET = "key = [1]\nprint('before')\nd = {key: 1}\nprint('after')\n"
REJECTED_SNIPPET = "import os\nprint(os.getcwd())\n"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The default PBKDF2 costs ~0.3 s per user; tests check logins, not hash strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_user(django_user_model):
    def make(username: str, **extra):
        return django_user_model.objects.create_user(username=username, password=PASSWORD, **extra)

    return make


@pytest.fixture
def student(make_user):
    return make_user("student")


@pytest.fixture
def other_student(make_user):
    return make_user("other_student")


@pytest.fixture
def logged_in(client, student):
    """The test client, logged in as `student`."""
    client.force_login(student)
    return student


@pytest.fixture
def instructor(make_user):
    user = make_user("instructor", is_staff=True)
    user.groups.add(Group.objects.get(name="Instructors"))
    return user


@pytest.fixture
def topic(db):
    return Topic.objects.create(
        slug="mutability-aliasing", title="Mutability and aliasing", order=3
    )


@pytest.fixture
def make_question(topic):
    """make_question(snippet, mode=..., choices=[text, ...] or callable(key) -> [text, ...]).

    A callable builds the choices from the real key, so a test can include the right output
    without typing it.
    """
    counter = iter(range(1, 10_000))

    def make(
        snippet: str = ALIASING_SNIPPET,
        *,
        mode: str = Question.AnswerMode.TYPED,
        choices=(),
        published: bool = True,
        slug: str | None = None,
    ):
        question = Question.objects.create(
            topic=topic,
            slug=slug or f"question-{next(counter)}",
            title=f"Question about {snippet.splitlines()[0]}",
            prompt="What does this print?",
            snippet=snippet,
            answer_mode=mode,
            explanation="An assignment binds a second name to the same object.",
            is_published=published,
        )
        services.refresh_answer_key(question)
        texts = choices(question.answer_key) if callable(choices) else choices
        for order, text in enumerate(texts):
            Choice.objects.create(question=question, text=text, order=order)
        return question

    return make


@pytest.fixture
def typed_question(make_question):
    return make_question(ALIASING_SNIPPET)


@pytest.fixture
def raising_question(make_question):
    return make_question(RAISING_SNIPPET)


@pytest.fixture
def choice_question(make_question):
    """A choice question with the real output among two wrong candidates."""
    return make_question(
        ALIASING_SNIPPET,
        mode=Question.AnswerMode.CHOICE,
        choices=lambda key: ["[1, 2]\nFalse", expected_text(key), "[1, 2, 3]\nFalse"],
    )


@pytest.fixture
def true_false_question(make_question):
    """Claims the real output, so the right answer is "true"."""
    return make_question(
        ALIASING_SNIPPET,
        mode=Question.AnswerMode.TRUE_FALSE,
        choices=lambda key: [expected_text(key)],
    )


@pytest.fixture
def make_quiz(db):
    def make(questions, *, points=1, **fields):
        quiz = Quiz.objects.create(
            slug=fields.pop("slug", "quiz"),
            title=fields.pop("title", "Aliasing quiz"),
            is_published=fields.pop("is_published", True),
            **fields,
        )
        for order, question in enumerate(questions):
            QuizQuestion.objects.create(quiz=quiz, question=question, order=order, points=points)
        return quiz

    return make


@pytest.fixture
def quiz(make_quiz, typed_question, choice_question):
    """Two questions, two points each, feedback after submitting, at most 2 attempts."""
    return make_quiz([typed_question, choice_question], points=2, max_attempts=2)
