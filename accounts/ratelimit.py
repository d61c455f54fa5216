"""Request throttling with Django's cache: how many posts one user (or one address) may send.

Limits are generous on purpose: a student answering, changing answers or signing up never meets
them; a script posting many times a second does, within seconds, and gets HTTP 429 with a
message (JSON for the autosave script). Counting is a sliding window estimated from two fixed
windows (this one's count plus the previous one's, weighted by how much of it still overlaps), so
the counters are two integers per key, updated atomically with cache.add and cache.incr.

The counters live in the configured cache (settings.CACHES): with the default per-process memory
cache each server process counts on its own, which stays within a small factor of the limit;
a shared cache (Redis, Memcached) counts across processes. With Django's Redis cache the same
three steps (add, incr, read the previous window) go to Redis as one pipeline: every autosave is
counted, and four round trips per save were a tenth of a save's CPU on exam day.
"""

import functools
import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rate:
    limit: int  # requests allowed ...
    period: int  # ... in any window of this many seconds


# scope -> the rate, unless settings.RATE_LIMITS overrides it.
DEFAULT_RATES = {
    # Practice answers and quiz autosaves of one user: 120 a minute is two a second kept up for
    # a minute, beyond anyone reading questions; a script sending 17 a second meets it in 7 s.
    "answer": Rate(120, 60),
    # Sign-ups and password-reset requests from one address: a classroom behind one address
    # signs up together, so the limit is a class's worth an hour, not a handful.
    "signup": Rate(40, 3600),
    "password_reset": Rate(20, 3600),
    # Failed logins from one address, whatever the usernames: a campus behind one address mistypes
    # a few dozen passwords when a class logs in at once, a password-spraying script thousands.
    "login_failure": Rate(100, 900),
    # Grader calls of one user (graderclient/limits.py): saving a question makes about four, a
    # page up to four per changed block; 240 a minute is far beyond an author's pace.
    "grader": Rate(240, 60),
    # Runs and saves in the playground (issue 17): one run every two seconds kept up for a
    # minute is more than anyone reading their own output; a script meets it at once.
    "playground": Rate(30, 60),
}

MESSAGE = "Too many requests in a short time. Wait a minute, then try again."


def rate_for(scope: str) -> Rate:
    configured = getattr(settings, "RATE_LIMITS", {}).get(scope)
    return DEFAULT_RATES[scope] if configured is None else Rate(*configured)


def client_ip(request: HttpRequest) -> str:
    """The client's address. Behind settings.TRUSTED_PROXY_COUNT proxies it is the one the
    outermost trusted proxy saw, read from the right of X-Forwarded-For (the entries to its
    left are whatever the client sent). axes uses it too (AXES_CLIENT_IP_CALLABLE)."""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies:
        forwarded = [
            part.strip()
            for part in request.headers.get("X-Forwarded-For", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def _window_keys(scope: str, who: str, rate: Rate, now: float) -> tuple[str, str, float]:
    window, offset = divmod(now, rate.period)
    prefix = f"ratelimit:{scope}:{who}"
    return f"{prefix}:{int(window)}", f"{prefix}:{int(window) - 1}", offset


def _estimate(previous: int, current: int, offset: float, rate: Rate) -> int:
    """The requests in the sliding window ending `offset` seconds into the current fixed one:
    the current window's, and the share of the previous window's that the sliding one still
    overlaps, rounded up: a request counts until it has wholly left the window. Unrounded, a
    burst over a window's boundary lost a fraction of a request at once and let one more in."""
    return math.ceil(previous * (1 - offset / rate.period)) + current


def within(scope: str, who: str, rate: Rate, *, now: float | None = None) -> bool:
    """Whether `who` is still within the rate in `scope`, counting nothing."""
    now = time.time() if now is None else now
    current_key, previous_key, offset = _window_keys(scope, who, rate, now)
    counts = cache.get(previous_key, 0), cache.get(current_key, 0)
    return _estimate(*counts, offset, rate) < rate.limit


def _count(current_key: str, previous_key: str, timeout: int) -> tuple[int, int]:
    """Add one to the current window's counter, kept for `timeout` seconds from its first
    count; the current and the previous window's counts."""
    backend = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(backend, RedisCache):
        return _count_in_redis(backend, current_key, previous_key, timeout)
    cache.add(current_key, 0, timeout=timeout)
    try:
        current = cache.incr(current_key)
    except ValueError:  # expired between add and incr
        cache.set(current_key, 1, timeout=timeout)
        current = 1
    return current, cache.get(previous_key, 0)


def _count_in_redis(backend: RedisCache, current_key: str, previous_key: str, timeout: int):
    """cache.add, cache.incr and cache.get as one transaction (MULTI/EXEC, one round trip;
    Django's incr alone is two): atomic, so the counter cannot expire between its SET and its
    INCR and come back without a timeout. The keys are the cache's own (its prefix and version),
    and Django's Redis cache stores an int as Redis's integer, so cache.get reads these counters
    back as ints."""
    current = backend.make_and_validate_key(current_key)
    previous = backend.make_and_validate_key(previous_key)
    pipeline = backend._cache.get_client(current, write=True).pipeline(transaction=True)
    pipeline.set(current, 0, ex=timeout, nx=True)
    pipeline.incr(current)
    pipeline.get(previous)
    _, count, previous_count = pipeline.execute()
    return count, int(previous_count or 0)


def hit(scope: str, who: str, rate: Rate, *, now: float | None = None) -> bool:
    """Count one request of `who` in `scope`; False when it goes over the rate."""
    now = time.time() if now is None else now
    current_key, previous_key, offset = _window_keys(scope, who, rate, now)
    # Kept for two periods: the current window is the previous one during the next period.
    current, previous = _count(current_key, previous_key, 2 * rate.period)
    return _estimate(previous, current, offset, rate) <= rate.limit


def too_many_requests(request: HttpRequest, rate: Rate) -> HttpResponse:
    if "application/json" in request.headers.get("Accept", ""):
        response = JsonResponse({"saved": False, "error": MESSAGE}, status=429)
    else:
        response = render(request, "429.html", {"message": MESSAGE}, status=429)
    response["Retry-After"] = str(math.ceil(rate.period / rate.limit))
    return response


def rate_limited(scope: str, *, per: str):
    """Limit a view's POSTs per "user" (the logged-in user) or per "address" (client_ip)."""
    if per not in ("user", "address"):
        raise ValueError(f"per must be 'user' or 'address', not {per!r}")

    def decorate(view):
        @functools.wraps(view)
        def limited(request: HttpRequest, *args, **kwargs):
            if request.method == "POST":
                who = f"user-{request.user.pk}" if per == "user" else client_ip(request)
                rate = rate_for(scope)
                if not hit(scope, who, rate):
                    log.warning("Rate limit %s exceeded by %s (%s)", scope, who, request.path)
                    return too_many_requests(request, rate)
            return view(request, *args, **kwargs)

        return limited

    return decorate
