"""`grader.simulate` and `grader.predict_misconceptions`: the caller's side of simulated runs."""

from concurrent.futures import ThreadPoolExecutor

from grader.misconceptions import catalogue, registry
from grader.outcome import Limits, Outcome


def simulate(
    source: str,
    misconception: str,
    *,
    limits: Limits | None = None,
    trace: bool = False,
    python: str | None = None,
) -> Outcome:
    """Run `source` as a student holding `misconception` expects it to run, in the same
    sandbox and limits as `grader.run`.

    Raises UnknownMisconception (a KeyError and a ValueError) for an id not in
    `grader.MISCONCEPTIONS`, and TypeError for arguments of the wrong type, as `grader.run`.
    Where the misconception touches nothing in the source (or it does not parse), the outcome
    is `grader.run`'s own. With `trace`, the outcome has the run's memory diagram, as
    `grader.run(source, trace=True)` has (a playground draws the two side by side).
    """
    from grader import pool

    catalogue.lookup(misconception)
    if not isinstance(source, str) or not registry.applies(source, misconception):
        return pool.run(source, limits=limits, trace=trace, python=python)
    return pool.run_simulated(source, misconception, limits=limits, trace=trace, python=python)


def predict(
    source: str, *, limits: Limits | None = None, python: str | None = None
) -> dict[str, Outcome]:
    """{id: simulated outcome} for every misconception that changes something in `source`, in
    catalogue order (the others predict the real outcome and are not run). The runs go side by
    side over the grader's connections, so the whole costs about one run per id divided by the
    pool size."""
    from grader import pool

    misconceptions = registry.applicable(source)
    if not misconceptions:
        return {}
    workers = min(len(misconceptions), pool.pool_size())
    with ThreadPoolExecutor(max_workers=workers) as executor:
        outcomes = executor.map(
            lambda misconception: pool.run_simulated(
                source, misconception, limits=limits, python=python
            ),
            misconceptions,
        )
        return dict(zip(misconceptions, outcomes, strict=True))
