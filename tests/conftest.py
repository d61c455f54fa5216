"""Shared Django fixtures: users, a topic, questions whose keys come from the real grader, a quiz.

Keys are computed by services.refresh_answer_key (the grader), never typed here; tests that need
the right answer read it from the stored key (grading.expected_text(question.answer_key)).
"""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection

import grader
from accounts.roles import INSTRUCTORS_GROUP
from content.models import Topic
from grader import config as grader_config
from quizzes import services, versions
from quizzes.grading import expected_text
from quizzes.models import Choice, Question, Quiz, QuizQuestion
from tests.helpers import (
    ALIASING_SNIPPET,
    DOUBLING_WORDS,
    PASSWORD,
    RAISING_SNIPPET,
    make_variant_question,
)
from tests.live_server_gate import LiveServerGate


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The default PBKDF2 costs ~0.3 s per user; tests check logins, not hash strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def restore_grader_configuration():
    """A test may change the grader's configuration (grader.configure); the next one starts
    with the configuration in force before it (the library's defaults and settings.GRADER)."""
    saved = grader.configuration()
    yield
    if grader.configuration() != saved:
        grader.configure(**{option: getattr(saved, option) for option in grader_config.OPTIONS})


@pytest.fixture(autouse=True)
def live_server_gate(request):
    """A live-server test's requests are all served before its database is flushed, and a later
    one gets a 503 (tests/live_server_gate.py). pytest-django's own autouse fixture set the test
    database up before this one, so this one's teardown runs before the flush."""
    if "live_server" not in request.fixturenames:
        yield None
        return
    gate = LiveServerGate.around(request.getfixturevalue("live_server"))
    gate.open()
    yield gate
    gate.close()


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    # Rate-limit counters live in the cache (accounts/ratelimit.py); users of different tests
    # share primary keys, so each test starts with none counted.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def grader_in_this_process(settings, monkeypatch):
    # The site's grader calls run in the test process's own grader server (graderclient's
    # "inprocess" backend), where tests can watch grader.run, and so do those of the manage.py
    # commands tests start (no machine-wide grader service outlives the tests); the other
    # backends have their own tests (tests/graderclient).
    settings.GRADER = {**settings.GRADER, "backend": "inprocess"}
    monkeypatch.setenv("GRADER_BACKEND", "inprocess")


@pytest.fixture
def other_line():
    """A second interpreter line the grader is configured with (quizzes/versions.py: keys per
    line, a course's pin); the test is skipped with one."""
    lines = versions.python_lines()
    if len(lines) < 2:
        pytest.skip("one interpreter configured (set GRADER_INTERPRETERS, as make test does)")
    return lines[1]


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
def instructor(make_user, instructors_group):
    user = make_user("instructor", is_staff=True)
    user.groups.add(instructors_group)
    return user


@pytest.fixture(scope="session")
def instructors_group_permissions(django_db_setup, django_db_blocker):
    """(app label, codename) of the Instructors group's permissions, as the migrations left them
    in the fresh test database."""
    with django_db_blocker.unblock():
        group = Group.objects.get(name=INSTRUCTORS_GROUP)
        return sorted(group.permissions.values_list("content_type__app_label", "codename"))


@pytest.fixture
def instructors_group(db, instructors_group_permissions):
    """The Instructors group the migrations made. A live-server (transactional) test flushes
    the database after it, data migrations included, so the group is made again, with the same
    permissions, when an earlier test took it away."""
    group, created = Group.objects.get_or_create(name=INSTRUCTORS_GROUP)
    if created:
        for app_label, codename in instructors_group_permissions:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
    return group


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


# --- Parameterised questions (issue 18): their variants' keys come from the grader too ---------


@pytest.fixture
def doubling(topic):
    """A typed question with four variants, each printing a different word twice."""
    question = make_variant_question(
        topic,
        slug="doubling",
        title="Doubling a string",
        prompt="What does `{{ word!r }} * 2` print?",
        snippet="word = {{ word }}\nprint(word * 2)\n",
        explanation="Repetition.",
        domains={"word": DOUBLING_WORDS},
    )
    assert services.question_problems(question) == []
    return question


@pytest.fixture
def small_ints(topic):
    """A choice question whose right choice depends on the variant (the small-int cache)."""
    question = make_variant_question(
        topic,
        slug="small-ints",
        title="Small ints",
        snippet="a = {{ n }}\nb = int(str(a))\nprint(a is b)\n",
        mode=Question.AnswerMode.CHOICE,
        choices=("True", "False"),
        explanation="Only -5..256 are cached.",
        domains={"n": [7, 256, 257, 1000]},
    )
    assert services.question_problems(question) == []
    return question


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


# --- Taking a quiz as a student's browser does (test_quiz_flow, test_diagrams, test_security) --


@pytest.fixture
def grader_calls(monkeypatch):
    """Every call into the grader package, with whether a database transaction was open then
    (the rule: none is). Tests that check it need a real transaction per write, so they are
    marked django_db(transaction=True)."""
    calls: list[tuple[str, bool]] = []
    for name in ("run", "output_varies", "simulate", "predict_misconceptions"):
        real = getattr(grader, name)

        def recorded(source, *args, _real=real, _name=name, **kwargs):
            calls.append((_name, connection.in_atomic_block))
            return _real(source, *args, **kwargs)

        monkeypatch.setattr(grader, name, recorded)
    return calls
