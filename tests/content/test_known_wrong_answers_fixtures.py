"""Known wrong answers of typed questions in the fixtures: export_content writes them, the loader
reads them back (the same rows into an empty database, nothing changed by a second load), and
bad ones are refused naming the file and the question.

Every output here is a prediction (grader.simulate, through the admin's service), never typed."""

from pathlib import Path

import pytest

import grader
from content.export import export_content
from content.loader import ContentError, load_content
from quizzes import services
from quizzes.grading import expected_text
from quizzes.models import KnownWrongAnswer, Question

pytestmark = pytest.mark.django_db

# assignment-copies predicts [1]; CPython prints [1, 2].
ALIAS_SNIPPET = "a = [1]\nb = a\nb.append(2)\nprint(a)\n"
# del-destroys-object predicts a NameError; CPython prints [1].
DEL_SNIPPET = "a = [1]\nb = a\ndel a\nprint(b)\n"
FREE_LABEL = "a deleted name takes its object with it"
TOPIC_FILE = "topics/03-mutability-aliasing.toml"


def known_rows() -> list[tuple]:
    return list(
        KnownWrongAnswer.objects.order_by("question__slug", "pk").values_list(
            "pk", "question__slug", "stdout", "exception", "misconception"
        )
    )


def without_pks(rows: list[tuple]) -> list[tuple]:
    return [row[1:] for row in rows]


@pytest.fixture
def recorded(make_question):
    """Two typed questions with known wrong answers recorded as an instructor does: from the
    stored prediction (one click), and a free label on a simulated output with an exception."""
    alias = make_question(ALIAS_SNIPPET, slug="alias")
    services.known_wrong_answer_add_predicted(question=alias, misconception="assignment-copies")
    deleted = make_question(DEL_SNIPPET, slug="deleted")
    simulated = grader.simulate(DEL_SNIPPET, "del-destroys-object")
    KnownWrongAnswer.objects.create(
        question=deleted,
        stdout=simulated.stdout,
        exception=simulated.exception,
        misconception=FREE_LABEL,
    )
    return alias, deleted


def test_known_wrong_answers_round_trip_through_the_fixtures(tmp_path, recorded):
    before = known_rows()
    assert len(before) == 2 and before[1][3].startswith("NameError")
    export_content(tmp_path)
    written = (tmp_path / TOPIC_FILE).read_text(encoding="utf-8")
    assert written.count("[[questions.known_wrong_answers]]") == 2
    assert 'misconception = "assignment-copies"' in written

    Question.objects.all().delete()
    assert not KnownWrongAnswer.objects.exists()
    report = load_content(tmp_path)
    assert report.invalid == {}
    loaded = known_rows()
    assert without_pks(loaded) == without_pks(before)

    again = load_content(tmp_path)
    assert again.updated.total() == 0 and again.skipped == []
    assert known_rows() == loaded  # the same rows, not written afresh
    export_content(tmp_path / "second")
    assert (tmp_path / "second" / TOPIC_FILE).read_text(encoding="utf-8") == written


def test_a_known_wrong_answer_changed_in_the_admin_is_kept_on_reload(tmp_path, recorded):
    alias, _ = recorded
    export_content(tmp_path)
    load_content(tmp_path)
    alias.known_wrong_answers.update(misconception="names are boxes")
    report = load_content(tmp_path)
    assert ("question", "alias") in [(section, slug) for section, slug, _ in report.skipped]
    assert alias.known_wrong_answers.get().misconception == "names are boxes"


def replace_in_topic_file(root: Path, old: str, new: str) -> Path:
    path = root / TOPIC_FILE
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (
            'misconception = "assignment-copies"',
            "",
            "question alias known wrong answer 1: missing `misconception`",
        ),
        (
            'misconception = "assignment-copies"',
            'misconception = " "',
            "question alias known wrong answer 1: `misconception` must name the misconception",
        ),
        (
            'misconception = "assignment-copies"',
            "misconception = 3",
            "question alias known wrong answer 1: `misconception` has the wrong type (int)",
        ),
        ('mode = "typed"', 'mode = "choice"', "question alias: Only a typed question keeps"),
        (
            "[[questions.known_wrong_answers]]",
            "[[questions.known_wrong_answers]]\nexception = '''A\nB'''",
            "question alias known wrong answer 1: `exception` is one line",
        ),
        (
            "[[questions.known_wrong_answers]]",
            "known_wrong_answers = 3\n[[questions.choices]]",
            "question alias: `known_wrong_answers` must be an array of tables",
        ),
    ],
    ids=["no-label", "blank-label", "not-text", "choice-question", "two-lines", "not-tables"],
)
def test_malformed_known_wrong_answers_load_nothing_and_name_file_and_question(
    tmp_path, recorded, old, new, problem
):
    export_content(tmp_path)
    path = replace_in_topic_file(tmp_path, old, new)
    Question.objects.all().delete()
    with pytest.raises(ContentError) as refused:
        load_content(tmp_path)
    assert any(str(path) in line and problem in line for line in refused.value.problems), (
        refused.value.problems
    )
    assert not Question.objects.exists()


def test_the_same_output_twice_is_refused(tmp_path, recorded):
    export_content(tmp_path)
    path = tmp_path / TOPIC_FILE
    text = path.read_text(encoding="utf-8")
    start = text.index("[[questions.known_wrong_answers]]")
    end = text.index('"assignment-copies"', start) + len('"assignment-copies"')
    path.write_text(text[:end] + "\n" + text[start:end] + text[end:], encoding="utf-8")
    with pytest.raises(ContentError) as refused:
        load_content(tmp_path)
    assert f"{path} question alias known wrong answer 2: the same output as an earlier" in str(
        refused.value
    )


def test_a_known_wrong_answer_the_key_refutes_is_reported_and_unpublished(tmp_path, recorded):
    """The real outcome as a "wrong" answer, and a catalogue label on another misconception's
    output: the load names the file and the question, and does not publish it."""
    alias, deleted = recorded
    real = grader.run(ALIAS_SNIPPET)
    export_content(tmp_path)
    path = tmp_path / TOPIC_FILE
    text = path.read_text(encoding="utf-8")
    predicted = expected_text(alias.known_wrong_answers.get().outcome)
    text = text.replace(f"stdout = '''\n{predicted}'''", f"stdout = '''\n{real.stdout}'''", 1)
    text = text.replace(f'"{FREE_LABEL}"', '"assignment-copies"', 1)
    path.write_text(text, encoding="utf-8")

    report = load_content(tmp_path, overwrite=True)

    assert set(report.invalid) == {"alias", "deleted"}
    assert report.invalid["alias"] == [
        f"{path} question alias: The known wrong answer {real.stdout!r} is the real outcome, "
        "not a wrong answer."
    ]
    [problem] = report.invalid["deleted"]
    assert problem.startswith(f"{path} question deleted: The known wrong answer")
    assert "assignment-copies" in problem
    assert not Question.objects.filter(slug__in=["alias", "deleted"], is_published=True).exists()
