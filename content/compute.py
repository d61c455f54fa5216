"""Grader results computed before a database transaction opens, and written inside it.

The rule: no grader run inside a transaction. On SQLite a write transaction takes the write lock
as it starts (IMMEDIATE), so students' saves would fail with "database is locked" for as long as
the grader ran. A writer that needs answer keys or page outputs (load_content) therefore first
asks which sources need a run (`key_needs_run`, `blocks_to_run`: reads only), runs them with
`compute_results` outside any transaction, then opens a short transaction and stores them with
`store_key` and `store_block_outputs`, which only write.

A stored result is reused when content.runs.StoredRun.is_current says so (the one rule, also
used by quizzes.services.refresh_answer_key and content.services.refresh_page_outputs).
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from django.utils import timezone

from content.markdown import python_blocks
from content.models import CodeBlockOutput, ConceptPage
from content.runs import (
    StoredRun,
    checked_outcome,
    current_python_version,
    predict_snippet,
    trace_snippet,
)
from quizzes import services
from quizzes.grading import source_hash
from quizzes.models import Question


@dataclass(frozen=True)
class Result:
    """What the grader gave for one source: the outcome as stored (no trace), and its trace."""

    outcome: dict
    trace: dict | None
    computed_at: datetime
    predictions: dict | None = None  # a question key's (content.runs.predict_snippet)

    @property
    def python_version(self) -> str:
        return self.outcome.get("python_version") or current_python_version()


class ResultMissing(Exception):
    """A write needed the result for `source`, not computed beforehand: the database changed
    between computing and writing (a row deleted or edited meanwhile). Roll back, compute it."""

    def __init__(self, source: str):
        super().__init__("no grader result computed for this source")
        self.source = source


def compute_results(sources: Iterable[str], *, keys: Iterable[str] = ()) -> dict[str, Result]:
    """Run the grader (a plain run, then a traced one) once per distinct source, and for the
    sources in `keys` (question snippets) the misconceptions' predictions. Call it outside any
    transaction."""
    results: dict[str, Result] = {}
    keys = set(keys)
    for source in [*sources, *keys]:
        if source not in results:
            outcome = checked_outcome(source)
            trace = trace_snippet(source, outcome)
            results[source] = Result(outcome=outcome, trace=trace, computed_at=timezone.now())
    for source in keys:
        result = results[source]
        if result.predictions is None:
            predictions = predict_snippet(source, result.outcome)
            results[source] = replace(result, predictions=predictions)
    return results


# --- What needs a run (reads only) ------------------------------------------------------------


def key_needs_run(stored: Question | None, snippet: str) -> bool:
    """Whether a question written with `snippet` over `stored` (None: a new question) needs the
    grader for its key: it does not when `stored` holds a current key of that very snippet."""
    if stored is None:
        return True
    return not StoredRun.of_key(stored).is_current(snippet)


def blocks_to_run(page: ConceptPage | None, body: str) -> list[str]:
    """The ```python blocks of `body` that need the grader if `page` (None: a new page) is given
    that body: those without a current stored output at their position."""
    stored = _stored_outputs(page)
    blocks = python_blocks(body)
    return [
        source
        for index, source in enumerate(blocks)
        if not _output_is_current(stored.get(index), source)
    ]


def _stored_outputs(page: ConceptPage | None) -> dict[int, CodeBlockOutput]:
    if page is None or page.pk is None:
        return {}
    return {output.index: output for output in page.block_outputs.all()}


def _output_is_current(stored: CodeBlockOutput | None, source: str) -> bool:
    return stored is not None and StoredRun.of_output(stored).is_current(source)


# --- Writing computed results (no grader run) -------------------------------------------------


def _result(results: dict[str, Result], source: str) -> Result:
    try:
        return results[source]
    except KeyError:
        raise ResultMissing(source) from None


def store_key(question: Question, results: dict[str, Result]) -> bool:
    """Give the saved `question` the computed key of its snippet, unless its stored key is current
    already; returns whether a key was stored. Raises ResultMissing when the key is not in
    `results`."""
    if services.key_is_current(question):
        return False
    result = _result(results, question.snippet)
    services.store_answer_key(
        question,
        result.outcome,
        trace=result.trace,
        predictions=result.predictions,
        now=result.computed_at,
    )
    return True


def store_block_outputs(page: ConceptPage, results: dict[str, Result]) -> int:
    """Store the computed output of every ```python block of the saved `page` without a current
    one, and drop outputs of blocks it no longer has; returns how many outputs were stored.
    Raises ResultMissing when an output is not in `results`."""
    stored = _stored_outputs(page)
    blocks = python_blocks(page.body)
    written = 0
    for index, source in enumerate(blocks):
        if _output_is_current(stored.get(index), source):
            continue
        result = _result(results, source)
        CodeBlockOutput.objects.update_or_create(
            page=page,
            index=index,
            defaults={
                "source_hash": source_hash(source),
                "outcome": result.outcome,
                "trace": result.trace,
                "python_version": result.python_version,
                "computed_at": result.computed_at,
            },
        )
        written += 1
    page.block_outputs.filter(index__gte=len(blocks)).delete()
    return written
