"""The site's adapter to the grader (through graderclient, the site's one way to it), and the
one rule for a stored run being current.

Question keys (Question.answer_key, key_trace, key_predictions, key_source_hash,
key_python_version) and page
outputs (CodeBlockOutput.outcome, trace, source_hash, python_version) are both stored grader
runs; StoredRun reads either, and `is_current` is the only place that decides whether one must
run again.
"""

import logging
from dataclasses import dataclass

import graderclient
from grader.constants import TRACE_VERSION, Status
from quizzes.grading import is_valid_key, source_hash

logger = logging.getLogger(__name__)


def current_python_version() -> str:
    """The interpreter the grader runs snippets with, as its backend reports it ("" when no
    grader worker is there to say)."""
    return graderclient.python_version()


def run_snippet(source: str, python: str | None = None) -> dict:
    """Run `source` in the grader's sandbox; the outcome as stored (no trace). `python`: an
    interpreter line ("3.13", quizzes/versions.py), else the default interpreter."""
    outcome = graderclient.run(source, python=python).to_dict()
    outcome.pop("trace", None)
    return outcome


def output_varies(source: str) -> bool:
    """Whether `source` shows something that changes from one run of Python to the next (the
    order of a set of strings, an id(), a str's hash): then no single output is its key."""
    return graderclient.output_varies(source)


def collector_dependence(source: str, python: str | None = None) -> list[str]:
    """Why `source`'s output may differ from a script's because of when the garbage collector
    runs automatically (empty: it does not): the grader places those collections only to within
    a few allocations, so such an output cannot be a key (grader/collector_check.py)."""
    return graderclient.collector_dependent(source, python=python)


def checked_outcome(source: str, python: str | None = None) -> dict:
    """The grader's outcome of `source` as the site stores it (a key or a page block's output).
    An output that depends on the collector's timing is stored as refused, with the reason, so
    that no page shows it as the real one and no question is published with it as its key."""
    outcome = run_snippet(source, python)
    reasons = collector_dependence(source, python) if is_valid_key(outcome) else []
    if not reasons:
        return outcome
    logger.info("A snippet's output depends on the collector's timing; refused: %s", reasons)
    shown = {"stdout": "", "exception": None, "exception_line": None}
    return {**outcome, **shown, "status": Status.REJECTED, "reasons": reasons}


def trace_snippet(source: str, outcome: dict, python: str | None = None) -> dict | None:
    """The memory diagram's trace of `source`, whose plain run gave `outcome`.

    The trace comes from a second, traced run, so the key itself is never computed under the
    tracer. Snippets the grader refused or stopped have no trace (there is nothing to draw).
    """
    if not is_valid_key(outcome):
        return None
    trace = graderclient.run(source, trace=True, python=python).trace
    return trace if isinstance(trace, dict) else None


def predict_snippet(source: str, outcome: dict, python: str | None = None) -> dict | None:
    """What each misconception that changes something in `source` predicts it shows, as
    {id: outcome as stored}, computed with the key whose plain run gave `outcome` (never on the
    request path). None when there is no key to predict (the snippet was refused or stopped)."""
    if not is_valid_key(outcome):
        return None
    return {
        misconception: {field: getattr(predicted, field) for field in PREDICTED}
        for misconception, predicted in graderclient.predict_misconceptions(
            source, python=python
        ).items()
    }


PREDICTED = ("status", "stdout", "exception", "exception_line")


@dataclass(frozen=True)
class StoredRun:
    """One stored grader run of a source, whichever row holds it."""

    outcome: dict | None
    trace: dict | None
    source_hash: str
    python_version: str
    # A key's misconception predictions (predict_snippet); page outputs have none.
    predictions: dict | None = None
    has_predictions: bool = False

    @classmethod
    def of_key(cls, question) -> "StoredRun":
        return cls(
            outcome=question.answer_key,
            trace=question.key_trace,
            source_hash=question.key_source_hash,
            python_version=question.key_python_version,
            predictions=question.key_predictions,
            has_predictions=True,
        )

    @classmethod
    def of_output(cls, output) -> "StoredRun":
        return cls(
            outcome=output.outcome,
            trace=output.trace,
            source_hash=output.source_hash,
            python_version=output.python_version,
        )

    @property
    def trace_missing(self) -> bool:
        """A valid outcome stored without its trace (e.g. computed before traces existed)."""
        return self.trace is None and is_valid_key(self.outcome)

    @property
    def trace_outdated(self) -> bool:
        """A trace stored in an older format (version 1: whole steps, without the objects' ids,
        generations and weak references): still drawn, and replaced by a key refresh."""
        return isinstance(self.trace, dict) and self.trace.get("version", 1) < TRACE_VERSION

    @property
    def predictions_missing(self) -> bool:
        """A valid key stored without its predictions (computed before they existed)."""
        return self.has_predictions and self.predictions is None and is_valid_key(self.outcome)

    def is_current(self, source: str) -> bool:
        """Whether this run is of `source`, by the running Python, with its trace: no new run is
        needed."""
        return self.is_current_for(source_hash(source))

    def is_current_for(self, hash_of_source: str) -> bool:
        """is_current, for the source whose source_hash is given."""
        return (
            self.outcome is not None
            and self.source_hash == hash_of_source
            and self.python_version == current_python_version()
            and not self.trace_missing
            and not self.trace_outdated
            and not self.predictions_missing
        )
