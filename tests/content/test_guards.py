"""The content check behind "a guarded snippet is never on a concept page", on synthetic texts,
and the feedback-policy conflicts the admin notes."""

import pytest

from content.guards import (
    SnippetOnPage,
    contains_snippet,
    normalised_lines,
    policy_conflicts,
    snippets_on_pages,
)
from quizzes.models import Quiz

SNIPPET = """\
class Greeter:
    def hello(self):
        return 'hi'

g = Greeter()
print(g.hello is g.hello)
"""


def page(*blocks: str, lang: str = "python") -> str:
    return "Some prose.\n\n" + "\n\nMore prose.\n\n".join(
        f"```{lang}\n{block}```" for block in blocks
    )


def test_normalising_ignores_indentation_spacing_and_blank_lines():
    assert normalised_lines("  a  =\t1\n\n\n   print( a )  \n") == ["a = 1", "print( a )"]


@pytest.mark.parametrize(
    "block",
    [
        SNIPPET,
        SNIPPET.replace("    ", "  "),  # reindented
        SNIPPET.replace("\n\n", "\n\n\n").replace("g = ", "g   =   "),  # spaced out
        "import sys\n" + SNIPPET + "print(sys.getrefcount(g))\n",  # inside a longer block
    ],
)
def test_a_copy_of_the_snippet_in_a_block_is_found(block):
    assert contains_snippet(block, SNIPPET)


@pytest.mark.parametrize(
    "block",
    [
        SNIPPET.replace("g.hello is g.hello", "g.hello == g.hello"),  # another line
        SNIPPET.replace("g = Greeter()\n", "g = Greeter()\nh = g\n"),  # not consecutive
        "x = 10\nprint(x)\n",
    ],
)
def test_a_different_block_is_not_a_copy(block):
    assert not contains_snippet(block, SNIPPET)


def test_lines_match_whole_not_as_substrings():
    assert not contains_snippet("x = 10\nprint(x)\n", "x = 1\n")
    assert not contains_snippet("print(x)\n", "   \n\n")  # an empty snippet is in nothing


def test_snippets_on_pages_names_question_page_and_block_number():
    pages = [
        ("other", page("print(1)\n")),
        ("identity", page("print(2)\n", SNIPPET)),
        ("shell", page(SNIPPET, lang="text")),  # not a python block: nothing runs or shows
    ]
    questions = [("bound-methods", SNIPPET), ("unrelated", "print(3)\n")]
    found = snippets_on_pages(questions, pages)
    assert found == [SnippetOnPage(question="bound-methods", page="identity", block=2)]
    assert "bound-methods" in found[0].message() and "code block 2" in found[0].message()


@pytest.mark.django_db
def test_policy_conflicts_list_questions_shared_with_another_policy(
    make_quiz, typed_question, raising_question, choice_question
):
    checkpoint = make_quiz([typed_question, raising_question], slug="checkpoint")
    make_quiz(
        [typed_question, choice_question],
        slug="practice",
        title="Practice",
        feedback_policy=Quiz.FeedbackPolicy.AFTER_EACH_ANSWER,
    )
    make_quiz([raising_question], slug="second", title="Second checkpoint")  # same policy
    [conflict] = policy_conflicts(checkpoint)
    assert conflict.question == typed_question
    assert {quiz.slug for quiz in conflict.quizzes} == {"checkpoint", "practice"}
    assert "After each answer" in conflict.message() and "After submitting" in conflict.message()
