"""`grader.simulate`: the caller's side of a simulated run."""

from grader.misconceptions import catalogue, registry
from grader.outcome import Limits, Outcome


def simulate(source: str, misconception: str, *, limits: Limits | None = None) -> Outcome:
    """Run `source` as a student holding `misconception` expects it to run, in the same
    sandbox and limits as `grader.run`.

    Raises UnknownMisconception (a KeyError and a ValueError) for an id not in
    `grader.MISCONCEPTIONS`, and TypeError for arguments of the wrong type, as `grader.run`.
    Where the misconception touches nothing in the source (or it does not parse), the outcome
    is `grader.run`'s own.
    """
    from grader import pool

    catalogue.lookup(misconception)
    if not isinstance(source, str) or not registry.applies(source, misconception):
        return pool.run(source, limits=limits)
    return pool.run_simulated(source, misconception, limits=limits)
