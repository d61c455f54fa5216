"""Run memory-model snippets exactly as CPython would, in an isolated, resource-limited sandbox.

`run(source)` returns an `Outcome`; see grader/pool.py for how runs are isolated. The caller-side
modules are imported on first use, so the grader server (which imports this package too) stays
free of threads, subprocess machinery, at-fork hooks and dataclasses (inspect) it does not need.
"""

__all__ = [
    "STATUSES",
    "GraderUnavailable",
    "Limits",
    "Outcome",
    "Status",
    "collector_dependent",
    "configuration",
    "configure",
    "output_varies",
    "python_version",
    "run",
]


def __getattr__(name: str):
    if name == "collector_dependent":
        from grader import collector_check

        return collector_check.collector_dependent
    if name in (
        "GraderUnavailable",
        "configuration",
        "configure",
        "output_varies",
        "python_version",
        "run",
    ):
        from grader import pool

        return getattr(pool, name)
    if name in ("Status", "STATUSES"):
        from grader import constants

        return getattr(constants, name)
    if name in ("Limits", "Outcome"):
        from grader import outcome

        return getattr(outcome, name)
    raise AttributeError(f"module 'grader' has no attribute {name!r}")
