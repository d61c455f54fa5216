"""A grader job as it crosses a process boundary: its schema, and what running it returns.

Grader workers (grader/worker.py, behind a Redis queue) and the machine's shared grader service
(grader/local_service.py, behind a Unix socket) take jobs from the site's grader client. A job is
plain JSON, checked here field by field before anything runs (as PrairieLearn's grader host checks
its jobs at the boundary); the reply is plain JSON too, with the Python version of the interpreter
that ran the snippet, which is what a stored key records.

Kinds: "run" (grader.run, with or without its trace), "output_varies" (grader.output_varies),
"collector_dependent" (grader.collector_dependent), "predict_misconceptions"
(grader.predict_misconceptions) and "simulate" (grader.simulate of the job's "misconception",
with or without its trace). A job may name the interpreter line it is for ("python":
"3.13"): it runs on the configured interpreter of that line (grader.interpreter_lines()), and
is refused as unavailable where none is. No Django here: a worker imports only grader.
"""

import math
import platform
import re

import grader
from grader.outcome import MAX_SOURCE_BYTES, Limits, Outcome

KINDS = ("run", "output_varies", "collector_dependent", "predict_misconceptions", "simulate")
LIMIT_FIELDS = {
    "cpu_seconds": float,
    "wall_seconds": float,
    "memory_mb": int,
    "output_bytes": int,
}
# A job's wall-clock limit may not exceed this: a worker is tied up for at most that long per run.
MAX_WALL_SECONDS = 30.0
PYTHON_VERSION = platform.python_version()


_LINE = re.compile(r"[0-9]{1,2}\.[0-9]{1,3}")


class InvalidJob(ValueError):
    """The job does not have the shape a grader job must have; nothing was run."""


class NoInterpreter(LookupError):
    """The job names an interpreter line this grader does not run."""


def make_job(
    kind: str,
    source: str,
    *,
    limits: Limits | None = None,
    trace: bool = False,
    python: str | None = None,
    misconception: str | None = None,
) -> dict:
    """The JSON job for `kind` of `source` (the client's side of validated_job); `python`, the
    interpreter line ("3.13") it is for, or None for the grader's default interpreter."""
    limits = limits or Limits()
    job = {
        "kind": kind,
        "source": source,
        "trace": bool(trace),
        "limits": {name: getattr(limits, name) for name in LIMIT_FIELDS},
    }
    if python is not None:
        job["python"] = python
    if misconception is not None:
        job["misconception"] = misconception
    return validated_job(job)


def validated_job(job: object) -> dict:
    """`job` if it is exactly a valid grader job; InvalidJob says what is wrong otherwise."""
    if not isinstance(job, dict):
        raise InvalidJob("a job is a JSON object")
    unknown = set(job) - {"kind", "source", "trace", "limits", "python", "misconception"}
    if unknown:
        raise InvalidJob(f"unknown field(s): {', '.join(sorted(unknown))}")
    if "python" in job and not (isinstance(job["python"], str) and _LINE.fullmatch(job["python"])):
        raise InvalidJob('python must be an interpreter line such as "3.13"')
    if job.get("kind") not in KINDS:
        raise InvalidJob(f"kind must be one of {', '.join(KINDS)}")
    if (job["kind"] == "simulate") != ("misconception" in job):
        raise InvalidJob("a simulate job, and only one, names its misconception")
    if "misconception" in job and job["misconception"] not in grader.MISCONCEPTIONS:
        raise InvalidJob("misconception must be one of grader.MISCONCEPTIONS")
    source = job.get("source")
    if not isinstance(source, str):
        raise InvalidJob("source must be a string")
    if len(source) > MAX_SOURCE_BYTES:  # characters: at least as many bytes; run() checks bytes
        raise InvalidJob(f"source is longer than {MAX_SOURCE_BYTES} characters")
    if type(job.get("trace")) is not bool:
        raise InvalidJob("trace must be true or false")
    limits = job.get("limits")
    if not isinstance(limits, dict) or set(limits) != set(LIMIT_FIELDS):
        raise InvalidJob(f"limits must have exactly {', '.join(LIMIT_FIELDS)}")
    for name, kind in LIMIT_FIELDS.items():
        value = limits[name]
        accepted = (int, float) if kind is float else (int,)
        if type(value) is bool or not isinstance(value, accepted) or not math.isfinite(value):
            raise InvalidJob(f"limits.{name} must be a number")
    if limits["wall_seconds"] > MAX_WALL_SECONDS:
        raise InvalidJob(f"limits.wall_seconds may be at most {MAX_WALL_SECONDS}")
    try:
        Limits(**limits)
    except ValueError as error:
        raise InvalidJob(str(error)) from None
    return job


def perform(job: object) -> dict:
    """Run a validated job in the sandbox; the reply as plain JSON-able data."""
    job = validated_job(job)
    limits = Limits(**job["limits"])
    source = job["source"]
    python = interpreter_for(job.get("python"))
    reply: dict = {"kind": job["kind"], "python_version": grader.python_version(python)}
    if job["kind"] == "run":
        outcome = grader.run(source, limits=limits, trace=job["trace"], python=python)
        reply["outcome"] = _plain(outcome)
    elif job["kind"] == "output_varies":
        reply["varies"] = grader.output_varies(source, limits=limits, python=python)
    elif job["kind"] == "simulate":
        simulated = grader.simulate(
            source, job["misconception"], limits=limits, trace=job["trace"], python=python
        )
        reply["outcome"] = _plain(simulated)
    elif job["kind"] == "predict_misconceptions":
        predicted = grader.predict_misconceptions(source, limits=limits, python=python)
        reply["predictions"] = {key: _plain(outcome) for key, outcome in predicted.items()}
    else:
        reply["reasons"] = list(grader.collector_dependent(source, limits=limits, python=python))
    return reply


def _plain(outcome: Outcome) -> dict:
    """Outcome.to_dict() without its deep copy (dataclasses.asdict walks and copies every step
    of the trace): the reply is encoded as JSON at once, so the outcome's own trace serves."""
    return {
        "status": outcome.status,
        "stdout": outcome.stdout,
        "exception": outcome.exception,
        "exception_line": outcome.exception_line,
        "reasons": list(outcome.reasons),
        "python_version": outcome.python_version,
        "duration_ms": outcome.duration_ms,
        "trace": outcome.trace,
    }


def interpreter_for(line: str | None) -> str | None:
    """The configured interpreter's path for a job's line (None: the default); NoInterpreter
    names the lines this grader runs."""
    if line is None:
        return None
    try:
        return grader.python_for_line(line)
    except ValueError as error:
        raise NoInterpreter(str(error)) from None
