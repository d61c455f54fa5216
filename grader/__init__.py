"""Run memory-model snippets exactly as CPython would, in an isolated, resource-limited sandbox.

`run(source)` returns an `Outcome`; see grader/pool.py for how runs are isolated.
"""

from grader.outcome import Limits, Outcome
from grader.pool import GraderUnavailable, configure, run

__all__ = ["GraderUnavailable", "Limits", "Outcome", "configure", "run"]
