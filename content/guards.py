"""Authoring checks that keep a guarded question's answer off every other path.

A question is *guarded* when a quiz shows its feedback only after submitting or after closing:
until then its output, explanation and diagram must not reach a student. Two ways content can
undo that, caught here for the loader (content.loader) and the admin:

- its snippet also appears in a concept page's ```python block, whose real output and diagram
  every visitor sees (snippets_on_pages, a pure function of texts);
- it is also in a quiz with another feedback policy, e.g. a practice quiz with feedback after
  each answer (policy_conflicts). Students are then shown "feedback for this question comes with
  <quiz>" there instead (see quizzes.selectors), which the instructor should know.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from content.markdown import python_blocks
from content.models import ConceptPage
from quizzes import feedback_policies
from quizzes.models import Question, Quiz, QuizQuestion

DEFERRED_POLICIES = feedback_policies.deferred_policies()

_SPACES = re.compile(r"\s+")


def normalised_lines(source: str) -> list[str]:
    """The source's non-blank lines with runs of whitespace made one space: reindenting,
    spacing or blank lines do not hide a copy."""
    lines = (_SPACES.sub(" ", line).strip() for line in source.splitlines())
    return [line for line in lines if line]


def contains_snippet(block: str, snippet: str) -> bool:
    """Whether the block holds the whole snippet as consecutive lines (whitespace-normalised)."""
    wanted, lines = normalised_lines(snippet), normalised_lines(block)
    if not wanted:
        return False
    width = len(wanted)
    return any(lines[start : start + width] == wanted for start in range(len(lines) - width + 1))


@dataclass(frozen=True)
class SnippetOnPage:
    question: str  # the question's slug
    page: str  # the page's slug
    block: int  # the block's number on the page, from 1

    def message(self) -> str:
        return (
            f"The snippet of guarded question {self.question} is in code block {self.block} of "
            f"concept page {self.page}, which shows its real output to everyone: change the "
            "block or the question."
        )


def snippets_on_pages(
    questions: Iterable[tuple[str, str]], pages: Iterable[tuple[str, str]]
) -> list[SnippetOnPage]:
    """Every (question slug, snippet) whose snippet appears in a python block of a (page slug,
    Markdown body)."""
    blocks = [
        (page, number, block)
        for page, body in pages
        for number, block in enumerate(python_blocks(body), start=1)
    ]
    return [
        SnippetOnPage(question=slug, page=page, block=number)
        for slug, snippet in questions
        for page, number, block in blocks
        if contains_snippet(block, snippet)
    ]


def guarded_questions() -> list[tuple[str, str]]:
    """(slug, snippet) of every question in a quiz with deferred feedback, published or draft
    (a draft exam is published one day)."""
    rows = Question.objects.filter(quizzes__feedback_policy__in=DEFERRED_POLICIES).distinct()
    return list(rows.values_list("slug", "snippet"))


def page_texts(pages=None) -> list[tuple[str, str]]:
    pages = ConceptPage.objects.all() if pages is None else pages
    return [(page.slug, page.body) for page in pages]


def guarded_snippets_on_pages(*, questions=None, pages=None) -> list[SnippetOnPage]:
    """snippets_on_pages over the database: the guarded questions among `questions` (default:
    all) against `pages` (default: every page, published or not)."""
    guarded = guarded_questions()
    if questions is not None:
        slugs = {question.slug for question in questions}
        guarded = [(slug, snippet) for slug, snippet in guarded if slug in slugs]
    return snippets_on_pages(guarded, page_texts(pages))


@dataclass(frozen=True)
class PolicyConflict:
    question: Question
    quizzes: list[Quiz]  # every quiz holding the question, with at least two policies among them

    def message(self) -> str:
        where = "; ".join(
            f"{quiz.title} ({quiz.get_feedback_policy_display()})" for quiz in self.quizzes
        )
        return (
            f"“{self.question.title}” is in quizzes with different feedback policies: {where}. "
            "Until a student may see the feedback of a quiz that shows it after submitting or "
            "closing, the other quizzes accept their answer but show no feedback for it."
        )


def policy_conflicts(quiz: Quiz) -> list[PolicyConflict]:
    """The questions of `quiz` that are also in a quiz with another feedback policy."""
    entries = QuizQuestion.objects.filter(question__quiz_entries__quiz=quiz).select_related(
        "quiz", "question"
    )
    by_question: dict[int, list[QuizQuestion]] = {}
    for entry in entries.order_by("question__title", "quiz__title"):
        by_question.setdefault(entry.question_id, []).append(entry)
    conflicts = []
    for held in by_question.values():
        quizzes = [entry.quiz for entry in held]
        if len({q.feedback_policy for q in quizzes}) > 1:
            conflicts.append(PolicyConflict(question=held[0].question, quizzes=quizzes))
    return conflicts
