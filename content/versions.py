"""Concept-page block outputs per interpreter line (BlockVersionOutput), beside the default
interpreter's CodeBlockOutput that the page shows: computed outside any transaction, stored in a
short one, and compared by the version matrix (quizzes/version_matrix.py)."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from content.markdown import python_blocks
from content.models import BlockVersionOutput, ConceptPage
from content.runs import checked_outcome, trace_snippet
from quizzes.grading import source_hash
from quizzes.services import outcomes_differ


@dataclass(frozen=True)
class BlockChange:
    page: str
    index: int
    python: str
    before: dict
    after: dict


def refresh_block_versions(
    page: ConceptPage, lines: list[str], *, force: bool = False
) -> tuple[int, list[BlockChange]]:
    """Run each ```python block of `page` on each line of `lines` whose stored output is not of
    its current source (all with `force`); (how many ran, the outputs that changed)."""
    stored = {(row.index, row.python): row for row in BlockVersionOutput.objects.filter(page=page)}
    computed = []
    for index, source in enumerate(python_blocks(page.body)):
        digest = source_hash(source)
        for line in lines:
            row = stored.get((index, line))
            if force or row is None or row.source_hash != digest:
                outcome = checked_outcome(source, python=line)
                trace = trace_snippet(source, outcome, python=line)
                computed.append((index, line, digest, outcome, trace))
    changes = []
    with transaction.atomic():
        for index, line, digest, outcome, trace in computed:
            row = stored.get((index, line))
            if row is not None and outcomes_differ(row.outcome, outcome):
                changes.append(BlockChange(page.slug, index, line, row.outcome, outcome))
            BlockVersionOutput.objects.update_or_create(
                page=page,
                index=index,
                python=line,
                defaults={
                    "python_version": outcome.get("python_version") or "",
                    "source_hash": digest,
                    "outcome": outcome,
                    "trace": trace,
                    "computed_at": timezone.now(),
                },
            )
        BlockVersionOutput.objects.filter(
            page=page, index__gte=len(python_blocks(page.body))
        ).delete()
    return len(computed), changes
