"""Limits on grader runs: a rate per user, and a cap on runs in flight across the site.

One author saving pages in a loop (or, later, one playground user) must not starve everyone
else. The rate counts each grader call of a user with accounts.ratelimit (scope "grader"); the
cap holds a slot in the cache for each call in flight, at most settings.GRADER
["max_concurrent_runs"] at once: a call that finds none free waits a little, then is refused with
a message. Both live in the configured cache: per process with the default memory cache, across
the site with the cluster's Redis cache. A slot expires by itself should its process die.

Who is calling is set per request by graderclient.middleware (or `acting_user` around other
work); calls without a user (commands, background tasks) meet only the cap.
"""

import contextlib
import contextvars
import logging
import time
import uuid

from django.core.cache import cache

from accounts.ratelimit import hit, rate_for
from grader import GraderUnavailable
from graderclient.options import client_options

log = logging.getLogger(__name__)

_user_id: contextvars.ContextVar[int | None] = contextvars.ContextVar("grader_user", default=None)

SLOT_WAIT_SECONDS = 5.0
_SLOT_POLL_SECONDS = 0.05


class GraderBusy(GraderUnavailable):
    """A grader call refused by a limit; the message says which and what to do."""


@contextlib.contextmanager
def acting_user(user):
    """Count the grader calls inside the block against `user` (None or anonymous: nobody)."""
    user_id = user.pk if user is not None and user.is_authenticated else None
    token = _user_id.set(user_id)
    try:
        yield
    finally:
        _user_id.reset(token)


def _max_runs() -> int:
    return int(client_options()["max_concurrent_runs"])


def _slot_seconds() -> int:
    return int(client_options()["timeout_seconds"]) + 10


def check_user_rate() -> None:
    user_id = _user_id.get()
    if user_id is None:
        return
    rate = rate_for("grader")
    if not hit("grader", f"user-{user_id}", rate):
        log.warning("Grader rate limit reached by user %s", user_id)
        raise GraderBusy(
            f"you have used the grader {rate.limit} times in {rate.period} seconds, the most "
            "one person may; wait a minute, then try again"
        )


def _take_slot(token: str) -> str | None:
    for number in range(_max_runs()):
        key = f"grader:slot:{number}"
        if cache.add(key, token, timeout=_slot_seconds()):
            return key
    return None


@contextlib.contextmanager
def grader_slot():
    """Pass the user's rate, then hold one of the site's grader slots for the block."""
    check_user_rate()
    deadline = time.monotonic() + SLOT_WAIT_SECONDS
    token = uuid.uuid4().hex
    slot = _take_slot(token)
    while slot is None:
        if time.monotonic() > deadline:
            log.warning(
                "All %s grader slots busy for %s s; a call was refused",
                _max_runs(),
                SLOT_WAIT_SECONDS,
            )
            raise GraderBusy(
                f"the grader is busy with {_max_runs()} runs for others; try again in a minute"
            )
        time.sleep(_SLOT_POLL_SECONDS)
        slot = _take_slot(token)
    try:
        yield
    finally:
        if cache.get(slot) == token:  # not if it expired and another call holds it now
            cache.delete(slot)
