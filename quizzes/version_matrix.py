"""The version matrix (issue 18 §2): every question (each variant of a parameterised one) and
concept-page block whose stored outcome differs between interpreter lines, with each line's
outcome side by side. Reads only."""

from dataclasses import dataclass

from content.markdown import python_blocks
from content.models import BlockVersionOutput, CodeBlockOutput
from quizzes.grading import source_hash
from quizzes.models import Question, StoredKey
from quizzes.services import outcomes_differ
from quizzes.variants import VariantError, describe, render


@dataclass(frozen=True)
class Row:
    label: str  # the question's slug, or page#block
    title: str
    source: str
    change_url: str  # the admin page it is edited on ("" for none)
    outcomes: dict[str, dict | None]  # line -> stored outcome


@dataclass(frozen=True)
class Matrix:
    lines: list[str]
    questions: list[Row]
    blocks: list[Row]

    def shown(self, row: Row) -> list[str]:
        """Each line's outcome as a student would see it printed, in the matrix's line order."""
        return [shown_outcome(row.outcomes.get(line)) for line in self.lines]


def shown_outcome(outcome: dict | None) -> str:
    if not outcome:
        return "(not computed)"
    if outcome.get("status") not in ("ok", "raised"):
        return f"(refused: {'; '.join(outcome.get('reasons') or [])})"
    return (outcome.get("stdout") or "") + (outcome.get("exception") or "")


def _differs(outcomes: dict[str, dict | None]) -> bool:
    known = [outcome for outcome in outcomes.values() if outcome]
    return any(outcomes_differ(known[0], other) for other in known[1:])


def variant_line_keys(question: Question) -> list[tuple[str, dict[str, StoredKey]]]:
    """Each stored variant of a parameterised question (its label) with its current keys by
    line: the rows of its rendered snippet. Reads the question's prefetched `variants` and
    `stored_keys` when the caller prefetched them (the admin's list: no query per row)."""
    keys: dict[int, list[StoredKey]] = {}
    for key in question.stored_keys.all():
        if key.variant_id is not None:
            keys.setdefault(key.variant_id, []).append(key)
    found = []
    for variant in sorted(question.variants.all(), key=lambda v: v.index):
        try:
            digest = source_hash(render(question.snippet, variant.params, code=True))
        except VariantError:
            continue  # a variant of older parameters, kept for the students given it
        rows = {key.python: key for key in keys.get(variant.pk, []) if key.source_hash == digest}
        found.append((f"#{variant.index} ({describe(variant.params)})", rows))
    return found


def differing_keys(rows: dict[str, StoredKey]) -> list[str]:
    """The lines whose outcome differs from another line's, of one question or variant."""
    return sorted(
        line
        for line, row in rows.items()
        if any(
            row.answer_key
            and other.answer_key
            and outcomes_differ(row.answer_key, other.answer_key)
            for other in rows.values()
        )
    )


def _variant_rows(question_url) -> list[Row]:
    """A parameterised question's variants whose outcome differs between lines: each variant's
    rendered snippet has its own row per line (its template is not a program). One query."""
    by_variant: dict[int, list[StoredKey]] = {}
    keys = StoredKey.objects.filter(variant__isnull=False).select_related("variant__question")
    for key in keys.order_by("python"):
        by_variant.setdefault(key.variant_id, []).append(key)
    rows = []
    for found in by_variant.values():
        variant = found[0].variant
        question = variant.question
        try:
            source = render(question.snippet, variant.params, code=True)
        except VariantError:
            continue  # a variant of older parameters, kept for the students given it
        digest = source_hash(source)
        outcomes = {key.python: key.answer_key for key in found if key.source_hash == digest}
        if len(outcomes) > 1 and _differs(outcomes):
            label = f"{question.slug} #{variant.index} ({describe(variant.params)})"
            rows.append(Row(label, question.title, source, question_url(question), outcomes))
    return rows


def version_matrix(default_line: str, question_url, page_url) -> Matrix:
    """The questions and blocks whose outcome differs between the lines stored for them (rows of
    an older snippet left out); `question_url(question)`/`page_url(page)` give admin links."""
    lines: set[str] = {default_line}
    questions = []
    rows_by_question: dict[int, list[StoredKey]] = {}
    for row in StoredKey.objects.filter(variant=None).order_by("python"):
        rows_by_question.setdefault(row.question_id, []).append(row)
    for question in Question.objects.filter(pk__in=rows_by_question).order_by("slug"):
        digest = source_hash(question.snippet)
        outcomes: dict[str, dict | None] = {default_line: question.answer_key}
        for row in rows_by_question[question.pk]:
            if row.source_hash == digest and row.python != default_line:
                outcomes[row.python] = row.answer_key
        lines.update(outcomes)
        if _differs(outcomes):
            questions.append(
                Row(
                    question.slug,
                    question.title,
                    question.snippet,
                    question_url(question),
                    outcomes,
                )
            )
    questions += _variant_rows(question_url)
    questions.sort(key=lambda row: row.label)
    lines.update(line for row in questions for line in row.outcomes)
    blocks = []
    defaults = {
        (output.page_id, output.index): output
        for output in CodeBlockOutput.objects.select_related("page")
    }
    by_block: dict[tuple[int, int], dict[str, dict | None]] = {}
    pages = {}
    for output in BlockVersionOutput.objects.select_related("page").order_by("page__slug", "index"):
        sources = python_blocks(output.page.body)
        if output.index >= len(sources) or output.source_hash != source_hash(sources[output.index]):
            continue
        pages[output.page_id] = output.page
        default = defaults.get((output.page_id, output.index))
        outcomes = by_block.setdefault(
            (output.page_id, output.index), {default_line: default.outcome if default else None}
        )
        if output.python != default_line:
            outcomes[output.python] = output.outcome
    for (page_id, index), outcomes in by_block.items():
        lines.update(outcomes)
        if _differs(outcomes):
            page = pages[page_id]
            source = python_blocks(page.body)[index]
            label = f"{page.slug}#{index}"
            blocks.append(Row(label, page.title, source, page_url(page), outcomes))
    ordered = [default_line, *sorted(lines - {default_line})]
    return Matrix(ordered, questions, blocks)
