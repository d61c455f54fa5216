"""quizzes.diff: where a wrong typed answer first differs from the real outcome.

Every key is the real grader's outcome for its snippet (runs.run_snippet), never typed here;
the wrong answers are built from those keys. The explanation must agree with the grading rules:
a difference is reported exactly when quizzes.grading rejects the answer.
"""

import pytest

from content import runs
from quizzes import diff, grading

INDENTED = 'print("  indented")\nprint("next")\n'
TABBED = 'print("\\tx")\n'
SPACED = 'print("a b")\n'
RAISING = "key = [1]\nprint('before')\nd = {key: 1}\n"
SILENT = "x = [1]\ny = x\n"


@pytest.fixture(scope="module")
def key():
    """key(snippet): the grader's outcome for it, run once per snippet."""
    outcomes = {}

    def run(snippet: str) -> dict:
        if snippet not in outcomes:
            outcomes[snippet] = runs.run_snippet(snippet)
            assert grading.is_valid_key(outcomes[snippet]), outcomes[snippet]
        return outcomes[snippet]

    return run


def lines(key: dict) -> list[str]:
    return grading.expected_text(key).splitlines()


def test_missing_leading_spaces_are_marked_at_the_first_character(key):
    outcome = key(INDENTED)
    first, second = lines(outcome)
    difference = diff.first_difference(f"{first.lstrip()}\n{second}", outcome)
    assert difference.position == (1, 1)
    assert difference.kind == diff.INDENTATION
    assert difference.expected == diff.Side(True, "", "·", "·" + first.lstrip())
    assert difference.answered == diff.Side(True, "", first.lstrip()[0], first.lstrip()[1:])


def test_one_leading_space_too_few_is_marked_where_the_indentation_ends(key):
    outcome = key(INDENTED)
    first, second = lines(outcome)
    difference = diff.first_difference(f"{first[1:]}\n{second}", outcome)
    assert difference.position == (1, 2)
    assert difference.kind == diff.INDENTATION
    assert difference.expected.before == "·" and difference.expected.at == "·"


def test_a_tab_and_spaces_are_told_apart(key):
    outcome = key(TABBED)
    [line] = lines(outcome)
    assert line.startswith("\t")
    difference = diff.first_difference("    " + line[1:], outcome)
    assert difference.kind == diff.INDENTATION
    assert (difference.expected.at, difference.answered.at) == ("→", "·")


def test_a_no_break_space_inside_a_line_is_shown_as_itself(key):
    outcome = key(SPACED)
    [line] = lines(outcome)
    difference = diff.first_difference(line.replace(" ", "\u00a0"), outcome)
    assert difference.position == (1, line.index(" ") + 1)
    assert difference.kind == diff.WHITESPACE
    assert (difference.expected.at, difference.answered.at) == ("·", "<U+00A0>")


def test_a_different_exception_message_is_marked_in_the_message(key):
    outcome = key(RAISING)
    output, exception = lines(outcome)
    wrong = exception.replace("'list'", "list")
    assert wrong != exception
    difference = diff.first_difference(f"{output}\n{wrong}", outcome)
    assert difference.position == (2, exception.index("'") + 1)
    assert difference.kind == diff.EXCEPTION_MESSAGE
    assert difference.expected.at == "'" and difference.answered.at == "l"


def test_a_wrong_exception_type_is_marked_at_its_first_letter(key):
    outcome = key(RAISING)
    output, exception = lines(outcome)
    difference = diff.first_difference(f"{output}\nKeyError", outcome)
    assert difference.position == (2, 1)
    assert difference.kind == diff.TEXT


def test_a_missing_exception_line_is_a_missing_line(key):
    outcome = key(RAISING)
    output, exception = lines(outcome)
    difference = diff.first_difference(output, outcome)
    assert difference.position == (2, 1)
    assert difference.kind == diff.MISSING_LINE
    assert not difference.answered.exists
    assert difference.expected.at + difference.expected.after == diff.visible(exception)


def test_a_line_after_an_accepted_exception_type_is_an_extra_line(key):
    outcome = key(RAISING)
    output, exception = lines(outcome)
    answer = f"{output}\n{grading.exception_type(exception)}\nmore"
    difference = diff.first_difference(answer, outcome)
    assert difference.position == (3, 1)
    assert difference.kind == diff.EXTRA_LINE
    assert not difference.expected.exists


def test_a_line_that_stops_short_ends_with_the_line_end_mark(key):
    outcome = key(INDENTED)
    first, second = lines(outcome)
    difference = diff.first_difference(f"{first}\n{second[:-1]}", outcome)
    assert difference.position == (2, len(second))
    assert difference.kind == diff.LINE_ENDS_EARLY
    assert difference.answered.at == diff.LINE_END


def test_an_answer_to_a_program_that_prints_nothing_is_an_extra_line(key):
    outcome = key(SILENT)
    assert grading.expected_text(outcome) == ""
    difference = diff.first_difference("[1]", outcome)
    assert difference.kind == diff.EXTRA_LINE and difference.position == (1, 1)


def variants(text: str) -> list[str]:
    """Answers the grader accepts and ones it refuses, built from a right answer."""
    accepted = [
        text,
        text.rstrip("\n"),
        text + "\n\n  \n",
        text.replace("\n", "   \n"),
        text.replace("\n", "\r\n"),
    ]
    refused = [
        " " + text,
        text.replace("\n", "\n\n", 1),
        text.upper(),
        text[:-2] + "\n",
        text + "x\n",
        text.replace(" ", "  ", 1),
        "",
    ]
    return accepted + refused


@pytest.mark.parametrize("snippet", [INDENTED, TABBED, SPACED, RAISING, SILENT])
def test_a_difference_is_reported_exactly_when_the_grader_refuses(key, snippet):
    outcome = key(snippet)
    answers = variants(grading.expected_text(outcome) or "\n")
    if outcome.get("exception"):
        output, exception = lines(outcome)
        answers += variants(f"{output}\n{grading.exception_type(exception)}\n")
    for answer in answers:
        difference = diff.first_difference(answer, outcome)
        assert (difference is None) == grading.answer_matches(answer, outcome), repr(answer)
        if difference is not None:
            # The reported line is one the grader compares: never past both texts' ends.
            compared = max(len(grading.normalise(answer)), len(lines(outcome)))
            assert 1 <= difference.line <= compared, repr(answer)


def test_visible_marks_spaces_tabs_and_invisible_characters():
    assert diff.visible("a b\tc\u200bd") == "a·b→c<U+200B>d"
