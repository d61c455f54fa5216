"""Every state change of the course text: the stored outputs of concept pages' code blocks.

The grader runs in compute_page_outputs, which only reads; store_page_outputs only writes, in
one short transaction, so no grader run happens inside a transaction.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from content.markdown import python_blocks
from content.models import CodeBlockOutput, ConceptPage, Topic
from content.runs import (
    StoredRun,
    checked_outcome,
    current_python_version,
    output_varies,
    trace_snippet,
)
from quizzes import grading
from quizzes.grading import source_hash

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BlockOutput:
    """One ```python block of a page with its outcome and trace, computed before any transaction
    opens (compute_page_outputs) and written quickly afterwards (store_page_outputs)."""

    source: str
    outcome: dict
    trace: dict | None
    python_version: str
    computed_at: datetime
    ran: bool  # the grader ran it now; False: a stored output of the same source was reused
    varies: bool = False  # its output changes between runs of Python (checked only if asked)

    @property
    def is_real(self) -> bool:
        """A stable outcome that ran to the end or raised: what the page may show as real."""
        return grading.is_valid_key(self.outcome) and not self.varies


def _reusable_outputs(page: ConceptPage) -> dict[str, CodeBlockOutput]:
    """The page's stored outputs that need no new run, by source hash (a block that only moved
    keeps its output): computed with this interpreter, valid, and with their trace."""
    if page.pk is None:
        return {}
    return {
        stored.source_hash: stored
        for stored in page.block_outputs.all()
        # A block that only moved has the same source, so its own hash is the one to match.
        if grading.is_valid_key(stored.outcome)
        and StoredRun.of_output(stored).is_current_for(stored.source_hash)
    }


def compute_page_outputs(
    page: ConceptPage, blocks: list[str], *, force: bool = False, check_varies: bool = False
) -> list[BlockOutput]:
    """Run the grader on each of `blocks` (the page's ```python blocks, in order) that has no
    reusable stored output, or on all of them with `force`. Reads the database, never writes:
    call it before a transaction opens. `check_varies` also checks each block that ran for an
    output that changes between runs of Python (several more runs)."""
    reusable = {} if force else _reusable_outputs(page)
    outputs = []
    for source in blocks:
        stored = reusable.get(source_hash(source))
        if stored is not None:
            outputs.append(
                BlockOutput(
                    source=source,
                    outcome=stored.outcome,
                    trace=stored.trace,
                    python_version=stored.python_version,
                    computed_at=stored.computed_at,
                    ran=False,
                )
            )
            continue
        outcome = checked_outcome(source)
        valid = grading.is_valid_key(outcome)
        outputs.append(
            BlockOutput(
                source=source,
                outcome=outcome,
                trace=trace_snippet(source, outcome),
                python_version=outcome.get("python_version") or current_python_version(),
                computed_at=timezone.now(),
                ran=True,
                varies=check_varies and valid and output_varies(source),
            )
        )
    return outputs


def store_page_outputs(page: ConceptPage, outputs: list[BlockOutput]) -> None:
    """Write the outputs computed by compute_page_outputs, one row per block index, in one short
    transaction (no grader run inside it)."""
    with transaction.atomic():
        for index, output in enumerate(outputs):
            CodeBlockOutput.objects.update_or_create(
                page=page,
                index=index,
                defaults={
                    "source_hash": source_hash(output.source),
                    "outcome": output.outcome,
                    "trace": output.trace,
                    "python_version": output.python_version,
                    "computed_at": output.computed_at,
                },
            )
        page.block_outputs.filter(index__gte=len(outputs)).delete()


def refresh_page_outputs(page: ConceptPage, *, force: bool = False) -> int:
    """(Re)compute the outcome and trace of every ```python block of `page` that needs it, then
    store them; returns how many blocks ran."""
    outputs = compute_page_outputs(page, python_blocks(page.body), force=force)
    store_page_outputs(page, outputs)
    ran = sum(output.ran for output in outputs)
    if ran:
        logger.info(
            "Concept page %s: ran %d of its %d code block(s) and stored their outputs",
            page.slug,
            ran,
            len(outputs),
        )
    return ran


# --- Rows the content loader writes (content/loader.py decides which, and when) ---------------


def topic_upsert(*, slug: str, fields: dict) -> Topic:
    topic, _ = Topic.objects.update_or_create(slug=slug, defaults=fields)
    return topic


def page_upsert(*, slug: str, fields: dict) -> ConceptPage:
    page, _ = ConceptPage.objects.update_or_create(slug=slug, defaults=fields)
    return page


def content_digest_store(*, row, digest: str) -> None:
    """Record that a loaded row (topic, page, question or quiz) is what the fixture said."""
    if row.content_digest != digest:
        type(row).objects.filter(pk=row.pk).update(content_digest=digest)
