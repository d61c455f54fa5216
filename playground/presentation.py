"""What the playground shows of one run: the grader's outcome, with the lines it points at."""

import json
import re
from dataclasses import dataclass

from grader import Outcome
from grader.constants import Status
from quizzes.nul import visible_nul

# The grader says where each refusal is: "line N: <what> — <why>" (grader/POLICY.md).
_REASON_LINE = re.compile(r"^line (\d+):")

_HEADLINES = {
    Status.OK: "Ran to the end",
    Status.RAISED: "Ended with an uncaught exception",
    Status.REJECTED: "Not run: the grader refuses this program",
    Status.TIMEOUT: "Stopped: the program ran past the time limit",
    Status.MEMORY: "Stopped: the program used more memory than allowed",
    Status.OUTPUT_LIMIT: "Stopped: the program printed more than allowed",
    Status.CRASHED: "Stopped: the interpreter crashed",
}


@dataclass(frozen=True)
class Reason:
    text: str
    line: int | None


@dataclass(frozen=True)
class SourceLine:
    number: int
    text: str
    flagged: bool


@dataclass(frozen=True)
class RunResult:
    status: str
    headline: str
    stdout: str
    exception: str | None
    exception_line: int | None
    reasons: list[Reason]
    python_version: str
    trace: dict | None
    lines: list[SourceLine]  # the source, each line marked if a refusal or the exception is there

    @property
    def ok(self) -> bool:
        return self.status == Status.OK


def parsed_reason(reason: str) -> Reason:
    """A refusal as its line (shown as a link to the marked line) and what the grader says."""
    match = _REASON_LINE.match(reason)
    if match is None:
        return Reason(reason, None)
    return Reason(reason[match.end() :].strip(), int(match.group(1)))


def run_result(source: str, outcome: dict) -> RunResult:
    """`outcome`: an Outcome.to_dict() (a fresh run or a saved program's)."""
    reasons = [parsed_reason(text) for text in outcome.get("reasons") or []]
    flagged = {reason.line for reason in reasons if reason.line is not None}
    if outcome.get("exception_line"):
        flagged.add(outcome["exception_line"])
    status = outcome.get("status", "")
    return RunResult(
        status=status,
        headline=_HEADLINES.get(status, status),
        stdout=outcome.get("stdout") or "",
        exception=outcome.get("exception"),
        exception_line=outcome.get("exception_line"),
        reasons=reasons,
        python_version=outcome.get("python_version") or "",
        trace=outcome.get("trace"),
        lines=[
            SourceLine(number, text, number in flagged)
            for number, text in enumerate(source.splitlines(), start=1)
        ],
    )


def run_json(outcome: Outcome) -> bytes:
    """One run as the editor page's script draws it (POST /playground/run/): what run_result
    holds, with the trace in the grader's compact form as it came (the page's diagram script
    reads that form), and the flagged line numbers instead of the listing (the page has the
    source). NULs shown as in the page (visible_nul); the walk over every string of the trace
    is made only when the encoded run holds one."""
    reasons = [parsed_reason(text) for text in outcome.reasons]
    flagged = {reason.line for reason in reasons if reason.line is not None}
    if outcome.exception_line:
        flagged.add(outcome.exception_line)
    payload = {
        "status": outcome.status,
        "headline": _HEADLINES.get(outcome.status, outcome.status),
        "stdout": outcome.stdout,
        "exception": outcome.exception,
        "exception_line": outcome.exception_line,
        "reasons": [{"text": reason.text, "line": reason.line} for reason in reasons],
        "flagged": sorted(flagged),
        "python_version": outcome.python_version,
        "trace": outcome.trace,
    }
    encoded = json.dumps(payload, separators=(",", ":"))
    if "\\u0000" in encoded:  # rare: then every string is looked at
        encoded = json.dumps(visible_nul(payload), separators=(",", ":"))
    return encoded.encode()
