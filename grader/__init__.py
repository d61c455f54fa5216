"""Run memory-model snippets exactly as CPython would, in an isolated, resource-limited sandbox.

`run(source)` returns an `Outcome`; see grader/pool.py for how runs are isolated.
`simulate(source, id)` runs it as a student holding one of `MISCONCEPTIONS` expects it to run
(grader/misconceptions). The caller-side
modules are imported on first use, so the grader server (which imports this package too) stays
free of threads, subprocess machinery, at-fork hooks and dataclasses (inspect) it does not need.
"""

__all__ = [
    "MISCONCEPTIONS",
    "STATUSES",
    "GraderUnavailable",
    "Limits",
    "Outcome",
    "Status",
    "applicable_misconceptions",
    "collector_dependent",
    "configuration",
    "configure",
    "interpreter_lines",
    "interpreters",
    "output_varies",
    "predict_misconceptions",
    "python_for_line",
    "python_version",
    "run",
    "simulate",
    "version_line",
]


def __getattr__(name: str):
    if name == "collector_dependent":
        from grader import collector_check

        return collector_check.collector_dependent
    if name in (
        "GraderUnavailable",
        "configuration",
        "configure",
        "interpreter_lines",
        "interpreters",
        "output_varies",
        "python_for_line",
        "python_version",
        "run",
        "version_line",
    ):
        from grader import pool

        return getattr(pool, name)
    if name in ("Status", "STATUSES"):
        from grader import constants

        return getattr(constants, name)
    if name == "MISCONCEPTIONS":
        from grader.misconceptions import catalogue

        return catalogue.MISCONCEPTIONS
    if name == "applicable_misconceptions":
        from grader.misconceptions import registry

        return registry.applicable
    if name in ("simulate", "predict_misconceptions"):
        from grader.misconceptions import simulate

        return simulate.simulate if name == "simulate" else simulate.predict
    if name in ("Limits", "Outcome"):
        from grader import outcome

        return getattr(outcome, name)
    raise AttributeError(f"module 'grader' has no attribute {name!r}")
