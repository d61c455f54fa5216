"""Reads of the playground: saved programs (owner-scoped) and the code a link may prefill.

A prefill names where its code comes from (a concept page's block, a question, a saved program)
and is looked up here with the same rules as the page it comes from, so a link cannot show what
that page would not: a question's snippet only while its feedback may be seen, a concept block
only when its output is not withheld."""

from django.db.models import Q, QuerySet

from content.markdown import python_blocks
from content.selectors import pages_open_to
from playground.models import SavedProgram
from quizzes import selectors as quiz_selectors
from quizzes import variant_services
from quizzes.models import Question, QuizQuestion


def own_programs(user) -> QuerySet[SavedProgram]:
    return SavedProgram.objects.filter(owner=user)


def programs_open_to(user) -> QuerySet[SavedProgram]:
    """The user's own programs and those their owners shared."""
    return SavedProgram.objects.filter(Q(owner=user) | Q(is_shared=True))


def question_snippet_for(user, question_id: int) -> str | None:
    """The snippet of a question whose feedback `user` may see now, else None: published, with a
    valid key, in no unpublished-only quiz, and not guarded by a quiz whose feedback waits."""
    entries = QuizQuestion.objects.filter(question=question_id)
    in_open_quiz = entries.filter(quiz__is_published=True).exists()
    if entries.exists() and not in_open_quiz:
        return None
    if question_id in quiz_selectors.guarding_quizzes(user):
        return None
    question = Question.objects.filter(quiz_selectors.AVAILABLE, pk=question_id).first()
    # A parameterised question: the variant the user answered, never the template.
    return None if question is None else variant_services.snippet_for(user, question)


def concept_block_for(user, slug: str, index: int) -> str | None:
    """Python block `index` of concept page `slug` as `user` sees it, else None (no such page or
    block, or a block whose output is withheld from them)."""
    page = pages_open_to(user).filter(slug=slug).first()
    if page is None:
        return None
    blocks = python_blocks(page.body)
    if not 0 <= index < len(blocks) or index in quiz_selectors.withheld_blocks(user, page):
        return None
    return blocks[index]


def saved_source_for(user, link: str) -> str | None:
    program = programs_open_to(user).filter(link=link).first()
    return None if program is None else program.source
