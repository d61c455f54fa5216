"""The published grading rules ("How answers are checked").

Normalisation rules are checked on literal strings (they are rules, not program outputs); every
check that needs a program's outcome uses a key the real grader computed.
"""

import pytest

from quizzes import grading
from quizzes.grading import answer_matches, expected_text, normalise
from quizzes.models import Choice, Question


def test_normalise_strips_trailing_spaces_and_trailing_blank_lines_only():
    assert normalise("a  \n\tb\t\n\n  \n") == ["a", "\tb"]
    assert normalise("\nx\n") == ["", "x"]  # a leading blank line is output too


def test_normalise_accepts_windows_and_old_mac_newlines():
    assert normalise("a\r\nb\r\n") == normalise("a\nb\n") == normalise("a\rb\r")


def test_expected_text_is_output_then_exception_line():
    key = {"stdout": "1\n", "exception": "KeyError: 'x'"}
    assert expected_text(key) == "1\nKeyError: 'x'\n"
    assert expected_text({"stdout": "1\n", "exception": None}) == "1\n"


def test_expected_text_puts_the_exception_on_its_own_line():
    assert expected_text({"stdout": "no newline", "exception": "ValueError"}) == (
        "no newline\nValueError\n"
    )


@pytest.mark.django_db
def test_typed_answer_must_equal_output_line_by_line(typed_question):
    key = typed_question.answer_key
    assert key["status"] == "ok"
    lines = expected_text(key).splitlines()
    assert answer_matches("\n".join(lines), key)
    assert answer_matches("\r\n".join(line + "   " for line in lines) + "\n\n\n", key)
    assert not answer_matches("\n".join(lines[:-1]), key)  # a missing line
    assert not answer_matches("\n".join(reversed(lines)), key)  # lines out of order
    assert not answer_matches(" " + "\n".join(lines), key)  # leading space is significant


@pytest.mark.django_db
def test_exception_line_may_be_full_or_just_the_type(raising_question):
    key = raising_question.answer_key
    assert key["status"] == "raised" and ": " in key["exception"]
    stdout, name = key["stdout"], grading.exception_type(key["exception"])
    other_name = "KeyError" if name != "KeyError" else "ValueError"
    assert answer_matches(stdout + key["exception"], key)
    assert answer_matches(stdout + name, key)
    assert answer_matches(stdout + name + "  \n\n", key)
    assert not answer_matches(stdout, key)  # the exception must be named
    assert not answer_matches(stdout + other_name, key)
    assert not answer_matches(stdout + name + ": some other message", key)
    assert not answer_matches(name, key)  # the output before it is required


@pytest.mark.django_db
def test_an_exception_without_message_is_named_by_its_type(make_question):
    question = make_question("print(1)\nraise StopIteration\n")
    key = question.answer_key
    assert key["status"] == "raised" and ":" not in key["exception"]
    assert answer_matches(key["stdout"] + grading.exception_type(key["exception"]), key)


@pytest.mark.django_db
def test_choice_question_right_iff_the_matching_choice(choice_question):
    matches = grading.matching_choices(choice_question, choice_question.answer_key)
    assert len(matches) == 1
    for choice in choice_question.choices.all():
        assert grading.is_correct(choice_question, choice=choice) == (choice == matches[0])
    assert not grading.is_correct(choice_question)  # no choice at all


@pytest.mark.django_db
def test_choice_of_another_question_is_never_right(choice_question, make_question):
    other = make_question(
        "print('x')\n",
        mode=Question.AnswerMode.CHOICE,
        choices=lambda key: [expected_text(key), "y"],
    )
    foreign = grading.matching_choices(other, other.answer_key)[0]
    assert not grading.is_correct(choice_question, choice=foreign)


@pytest.mark.django_db
def test_true_false_claim_judged_against_key(true_false_question, make_question):
    assert grading.is_correct(true_false_question, answer_text="true")
    assert grading.is_correct(true_false_question, answer_text=" TRUE ")
    assert not grading.is_correct(true_false_question, answer_text="false")
    assert not grading.is_correct(true_false_question, answer_text="maybe")

    false_claim = make_question(
        "print(1 + 1)\n", mode=Question.AnswerMode.TRUE_FALSE, choices=["11"]
    )
    assert grading.normalise(expected_text(false_claim.answer_key)) != ["11"]
    assert grading.is_correct(false_claim, answer_text="false")
    assert not grading.is_correct(false_claim, answer_text="true")


@pytest.mark.django_db
def test_grading_without_a_valid_key_is_refused(make_question):
    question = make_question("import os\n")
    assert question.answer_key["status"] == "rejected"
    with pytest.raises(ValueError, match="no valid answer key"):
        grading.is_correct(question, answer_text="")


@pytest.mark.django_db
def test_choice_problems_name_the_real_output(typed_question):
    key = typed_question.answer_key
    right = expected_text(key)
    choice = Question.AnswerMode.CHOICE
    assert grading.choice_problems(choice, key, [Choice(text=right), Choice(text="x")]) == []
    none_match = grading.choice_problems(choice, key, [Choice(text="x"), Choice(text="y")])
    assert "0 do" in none_match[0] and right in none_match[0]
    two_match = grading.choice_problems(choice, key, [Choice(text=right), Choice(text=right)])
    assert "2 do" in two_match[0]
    assert grading.choice_problems(choice, key, [Choice(text=right)])  # needs two choices
    true_false = Question.AnswerMode.TRUE_FALSE
    assert grading.choice_problems(true_false, key, [Choice(text=right)]) == []
    assert grading.choice_problems(true_false, key, [Choice(text="a"), Choice(text="b")])
    assert grading.choice_problems(Question.AnswerMode.TYPED, key, [Choice(text="a")])
