"""The site's one way to the grader: every grader run of the site goes through here.

An admin save of a question or a page, a key refresh, a concept page's outputs, misconception
predictions (and later the playground and variants) call `run`, `output_varies`,
`collector_dependent` and `predict_misconceptions` here, never `grader.run` directly. Where
the snippet runs is the backend's business (settings.GRADER["backend"], a dotted path;
see graderclient/options.py and graderclient/backends.py):

- "local" (graderclient.backends.LocalBackend, the default): the machine's one grader service,
  shared by every web process over a Unix socket;
- "redis" (graderclient.backends.RedisBackend): grader workers behind an RQ queue, which hold no
  database credentials and import no Django (grader/worker.py);
- "inprocess" (graderclient.backends.InProcessBackend): this process's own grader server (tests).

Every call first passes the limits (graderclient/limits.py): a per-user rate and a global cap on
runs in flight, so that one author cannot starve the others.
"""

import functools

from django.core.signals import setting_changed

from grader import GraderUnavailable, Outcome, jobs
from grader.outcome import STATUSES
from graderclient import limits
from graderclient.limits import GraderBusy, acting_user
from graderclient.options import backend_class, client_options

__all__ = [
    "GraderBusy",
    "GraderUnavailable",
    "acting_user",
    "backend",
    "collector_dependent",
    "output_varies",
    "predict_misconceptions",
    "python_lines",
    "python_version",
    "run",
    "simulate",
]


@functools.cache
def backend():
    options = client_options()
    return backend_class(options["backend"])(options)


def _forget_backend(*, setting, **kwargs):
    if setting == "GRADER":
        backend.cache_clear()


setting_changed.connect(_forget_backend)


def _timeout() -> float:
    return float(client_options()["timeout_seconds"])


def _perform(
    kind: str,
    source: str,
    *,
    trace: bool = False,
    timeout: float | None = None,
    python: str | None = None,
    misconception: str | None = None,
) -> dict:
    job = jobs.make_job(kind, source, trace=trace, python=python, misconception=misconception)
    with limits.grader_slot():
        reply = backend().perform(job, timeout=timeout or _timeout())
    return _reply_checked(reply)


def _reply_checked(reply: dict) -> dict:
    if "unavailable" in reply:
        raise GraderUnavailable(reply["unavailable"])
    if "error" in reply:  # our own job refused: a bug here, not the author's
        raise RuntimeError(f"the grader refused the site's job: {reply['error']}")
    return reply


def run(
    source: str, *, trace: bool = False, timeout: float | None = None, python: str | None = None
) -> Outcome:
    """grader.run(source, trace=trace), wherever the backend runs it; GraderUnavailable if no
    grader answers within `timeout` seconds (default: settings.GRADER["timeout_seconds"]).
    `python`, an interpreter line ("3.13", see python_lines()), else the default interpreter."""
    reply = _perform("run", source, trace=trace, timeout=timeout, python=python)
    return outcome_from_dict(reply["outcome"])


def simulate(
    source: str, misconception: str, *, trace: bool = False, python: str | None = None
) -> Outcome:
    """grader.simulate(source, misconception, trace=trace), wherever the backend runs it."""
    reply = _perform("simulate", source, trace=trace, misconception=misconception, python=python)
    return outcome_from_dict(reply["outcome"])


def output_varies(source: str, *, python: str | None = None) -> bool:
    """grader.output_varies(source), wherever the backend runs it."""
    return bool(_perform("output_varies", source, python=python)["varies"])


def collector_dependent(source: str, *, python: str | None = None) -> list[str]:
    """grader.collector_dependent(source), wherever the backend runs it."""
    reasons = _perform("collector_dependent", source, python=python)["reasons"]
    return [str(reason) for reason in reasons]


def predict_misconceptions(source: str, *, python: str | None = None) -> dict[str, Outcome]:
    """grader.predict_misconceptions(source), wherever the backend runs it: {misconception id:
    the outcome a student holding it expects}, for the ids that change something."""
    predictions = _perform("predict_misconceptions", source, python=python)["predictions"]
    if not isinstance(predictions, dict):
        raise GraderUnavailable("the grader sent malformed predictions")
    return {str(key): outcome_from_dict(outcome) for key, outcome in predictions.items()}


def python_version() -> str:
    """The Python version the backend runs snippets with ("" if no grader says)."""
    return backend().python_version()


def python_lines() -> list[str]:
    """The interpreter lines ("3.12", "3.13") the backend runs, the default's first: one grader
    server (local) or worker queue (redis) each. A new line is configuration only."""
    return backend().python_lines()


_OUTCOME_FIELDS = {
    "status": str,
    "stdout": str,
    "exception": (str, type(None)),
    "exception_line": (int, type(None)),
    "reasons": list,
    "python_version": str,
    "duration_ms": (int, float),
    "trace": (dict, type(None)),
}


def outcome_from_dict(data: object) -> Outcome:
    """The Outcome a worker sent as JSON, checked field by field at this boundary."""
    if not isinstance(data, dict) or set(data) != set(_OUTCOME_FIELDS):
        raise GraderUnavailable("the grader sent a malformed outcome")
    for name, types in _OUTCOME_FIELDS.items():
        if isinstance(data[name], bool) or not isinstance(data[name], types):
            raise GraderUnavailable(f"the grader sent a malformed outcome ({name})")
    if data["status"] not in STATUSES:
        raise GraderUnavailable(f"the grader sent an unknown status {data['status']!r}")
    if not all(isinstance(reason, str) for reason in data["reasons"]):
        raise GraderUnavailable("the grader sent a malformed outcome (reasons)")
    return Outcome(**{**data, "reasons": tuple(data["reasons"])})
