"""export_content: the database back as fixtures that load_content reads back unchanged."""

from datetime import datetime, timedelta, timezone
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from content import services as content_services
from content.export import export_content
from content.loader import load_content
from content.models import CodeBlockOutput, ConceptPage, Topic
from quizzes.grading import expected_text
from quizzes.models import Choice, KnownWrongAnswer, Question, Quiz, QuizQuestion

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
CONTENT_MODELS = (
    Topic,
    ConceptPage,
    CodeBlockOutput,
    Question,
    Choice,
    KnownWrongAnswer,
    Quiz,
    QuizQuestion,
)
# Computed on every load (times, and grader outcomes that hold a duration); the keys' and
# outputs' sources and versions are compared instead.
COMPUTED = {
    "created_at",
    "updated_at",
    "answer_key",
    "key_trace",
    "key_computed_at",
    "outcome",
    "trace",
    "computed_at",
}


def snapshot(*, ignore: frozenset = frozenset()) -> dict[str, list]:
    """Every stored field of the course but the computed ones (and `ignore`), foreign keys by
    slug."""
    state = {}
    for model in CONTENT_MODELS:
        names = [
            f"{field.name}__slug" if field.is_relation else field.name
            for field in model._meta.concrete_fields
            if not field.primary_key and field.name not in COMPUTED | ignore
        ]
        state[model.__name__] = sorted(model.objects.values_list(*names), key=repr)
    state["keys"] = sorted(
        (question.slug, expected_text(question.answer_key) if question.answer_key else None)
        for question in Question.objects.all()
    )
    return state


def wipe_course() -> None:
    Quiz.objects.all().delete()
    Question.objects.all().delete()
    Topic.objects.all().delete()
    assert not any(model.objects.exists() for model in CONTENT_MODELS)


def files(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): path.read_text(encoding="utf-8")
        for path in sorted(root.rglob("*.toml"))
    }


def round_trip(tmp_path: Path, *, ignore: frozenset = frozenset()) -> tuple[dict, dict]:
    """Export the database, load the export into an empty one, export again; checks both
    exports are the same bytes and returns the course before and after."""
    before = snapshot(ignore=ignore)
    export_content(tmp_path / "first")
    wipe_course()
    report = load_content(tmp_path / "first")
    assert report.skipped == [] and report.updated.total() == 0
    export_content(tmp_path / "second")
    assert files(tmp_path / "first") == files(tmp_path / "second")
    return before, snapshot(ignore=ignore)


def test_the_real_fixtures_survive_export_and_reload(tmp_path):
    # Runs every snippet and page block through the grader twice: the one test that does.
    loaded = load_content(FIXTURES)
    assert loaded.created["question"] > 100 and loaded.created["quiz"] > 0
    before, after = round_trip(tmp_path)
    assert after == before
    assert sorted(files(tmp_path / "first")) == sorted(files(FIXTURES))


def test_content_authored_in_the_admin_round_trips(tmp_path, topic, make_question):
    page = ConceptPage.objects.create(
        topic=topic,
        slug="quotes",
        title="Strings: \"quotes\" and '''",
        order=2,
        body="Triple quotes: '''. A backslash: \\n.\n\n```python\nprint('''a''')\n```\n",
    )
    content_services.refresh_page_outputs(page)  # as the admin does on save
    ConceptPage.objects.create(
        topic=topic, slug="draft", title="Draft", body="Not ready'", is_published=False
    )
    typed = make_question("s = '''x'''\nprint(s, end='')\n", slug="typed-quotes")
    Question.objects.filter(pk=typed.pk).update(prompt="", difficulty=3)
    choice = make_question(
        "print([1] * 2)\n",
        mode=Question.AnswerMode.CHOICE,
        choices=lambda key: [expected_text(key), "[2]", "[[1], [1]]"],
        slug="choice",
    )
    choice.choices.filter(text="[2]").update(misconception='"*" multiplies the items')
    Question.objects.filter(pk=choice.pk).update(explanation="It repeats.\n\n'Twice'")
    zone = timezone(timedelta(hours=2))
    quiz = Quiz.objects.create(
        slug="timed",
        title="Timed",
        description="",
        max_attempts=None,
        time_limit_minutes=20,
        opens_at=datetime(2026, 1, 5, 9, 0, tzinfo=zone),
        closes_at=datetime(2026, 1, 6, 9, 0, tzinfo=zone),
        feedback_policy=Quiz.FeedbackPolicy.AFTER_CLOSE,
        shuffle_questions=True,
        is_published=True,
    )
    QuizQuestion.objects.create(quiz=quiz, question=choice, order=0, points=3)
    QuizQuestion.objects.create(quiz=quiz, question=typed, order=1, points=0)

    before, after = round_trip(tmp_path, ignore=frozenset({"content_digest"}))

    assert after == before
    # Authored in the admin, then loaded: every row now records what it was loaded from.
    for model in (Topic, ConceptPage, Question, Quiz):
        assert not model.objects.filter(content_digest="").exists()


def test_export_writes_plain_newlines(tmp_path, topic):
    ConceptPage.objects.create(topic=topic, slug="crlf", title="CRLF", body="One\r\nTwo\rThree\r\n")
    export_content(tmp_path)
    written = (tmp_path / "topics" / "03-mutability-aliasing.toml").read_bytes()
    assert b"\r" not in written and b"body = '''\nOne\nTwo\nThree\n'''" in written


def run_export(*args) -> str:
    out = StringIO()
    call_command("export_content", *args, stdout=out)
    return out.getvalue()


def test_export_command_makes_the_directory_hold_exactly_the_course(tmp_path, topic):
    Topic.objects.create(slug="identity", title="Identity", order=1)
    (tmp_path / "topics").mkdir()
    renumbered = tmp_path / "topics" / "07-mutability-aliasing.toml"
    renumbered.write_text("[topic]\n")
    (tmp_path / "README.md").write_text("Authors' notes.\n")

    output = run_export("--output", str(tmp_path))

    assert "Wrote 3 file(s), 0 already up to date, removed 1." in output
    assert "removed topics/07-mutability-aliasing.toml" in output
    assert sorted(files(tmp_path)) == [
        "quizzes.toml",
        "topics/01-identity.toml",
        "topics/03-mutability-aliasing.toml",
    ]
    assert (tmp_path / "README.md").read_text() == "Authors' notes.\n"
    assert "Wrote 0 file(s), 3 already up to date" in run_export("--output", str(tmp_path))


def test_export_refuses_what_load_content_would_refuse_and_writes_nothing(tmp_path, topic):
    Quiz.objects.create(slug="never", title="Never", max_attempts=0)
    with pytest.raises(CommandError, match="Nothing was written: load_content would refuse"):
        run_export("--output", str(tmp_path))
    assert not tmp_path.joinpath("topics").exists()


def test_the_quizzes_header_is_the_one_the_fixture_starts_with():
    """An export of an untouched course rewrote quizzes.toml's header (a diff with no edit)."""
    from content.fixture_format import QUIZZES_HEADER

    assert (FIXTURES / "quizzes.toml").read_text(encoding="utf-8").startswith(QUIZZES_HEADER)
