"""Writes and runs of the playground: a user's run goes to the grader through graderclient (never
grader directly, never inside a database transaction), counted against the playground's own rate
before the grader's limits."""

import logging
from collections.abc import Callable

import graderclient
from accounts.ratelimit import hit, rate_for
from grader import Outcome
from playground.models import SavedProgram

log = logging.getLogger(__name__)


class PlaygroundBusy(Exception):
    """A run refused by a limit (the playground's rate, the grader's rate or its cap) or because
    no grader answered; the message says which and what to do."""

    def __init__(self, message: str, *, status: int):
        super().__init__(message)
        self.status = status


def program_run(*, user, source: str) -> Outcome:
    """The grader's traced outcome of `source`, run for `user` (PlaygroundBusy when a limit or the
    grader refuses to run it now)."""
    return _counted_run(user, lambda: graderclient.run(source, trace=True))


def _counted_run(user, run: Callable[[], Outcome]) -> Outcome:
    """`run()` once the playground's rate lets `user` run again; the grader's refusals as
    PlaygroundBusy."""
    rate = rate_for("playground")
    if not hit("playground", f"user-{user.pk}", rate):
        log.warning("Playground rate limit reached by user %s", user.pk)
        raise PlaygroundBusy(
            f"You have run {rate.limit} programs in {rate.period} seconds, the most one person "
            "may. Wait a minute, then run again.",
            status=429,
        )
    try:
        return run()
    except graderclient.GraderBusy as busy:
        raise PlaygroundBusy(f"Not run: {busy}.", status=429) from busy
    except graderclient.GraderUnavailable as down:
        log.error("Playground run failed: no grader answered (%s)", down)
        raise PlaygroundBusy(
            "Not run: the grader is not answering just now. Try again in a minute.", status=503
        ) from down


def programs_compare(*, user, source: str, other: str) -> tuple[Outcome, Outcome]:
    """Both programs' traced outcomes, to be drawn side by side; each run counts against the
    rates (PlaygroundBusy as program_run)."""
    return program_run(user=user, source=source), program_run(user=user, source=other)


def program_simulate(*, user, source: str, misconception: str) -> tuple[Outcome, Outcome]:
    """`source`'s traced outcome as Python runs it and as a student holding `misconception`
    expects it to run (grader.simulate), to be drawn side by side; both count against the
    rates."""
    real = program_run(user=user, source=source)
    simulated = _counted_run(user, lambda: graderclient.simulate(source, misconception, trace=True))
    return real, simulated


def program_save(*, user, source: str) -> SavedProgram:
    """Run `source` and keep it with its outcome, private to `user` until shared."""
    outcome = program_run(user=user, source=source)  # before, not inside, the write
    return SavedProgram.objects.create(owner=user, source=source, outcome=outcome.to_dict())


def program_share(*, program: SavedProgram, shared: bool) -> None:
    program.is_shared = shared
    program.save(update_fields=["is_shared"])


def program_delete(*, program: SavedProgram) -> None:
    program.delete()
