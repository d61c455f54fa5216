"""/healthz: whether this web process can serve, for a load balancer or a monitor.

It checks the database (one query), the queue when grader jobs or tasks go through Redis (a
ping, and how many grader workers beat), and one real grader run through the grader client.
JSON with one entry per check; 200 when all pass, 503 otherwise. It names no host, password or
path: a failing check says only what failed and the kind of error.

The grader check's result is kept for GRADER_CHECK_SECONDS, so a flood of requests to this
public address costs one grader run per interval, not one per request.
"""

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

import graderclient

log = logging.getLogger(__name__)

GRADER_CHECK_SECONDS = 10
GRADER_CHECK_TIMEOUT = 10.0
_GRADER_CHECK_KEY = "healthz:grader"


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True}


def check_queue() -> dict | None:
    """None when nothing goes through Redis (the local grader, immediate tasks)."""
    from graderclient.backends import RedisBackend

    grader_backend = graderclient.backend()
    if isinstance(grader_backend, RedisBackend):
        grader_backend.connection.ping()
        workers = len(grader_backend.worker_versions())
        return {"ok": workers > 0, "grader_workers": workers}
    if settings.REDIS_URL:
        from redis import Redis

        Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2).ping()
        return {"ok": True}
    return None


def check_grader() -> dict:
    cached = cache.get(_GRADER_CHECK_KEY)
    if cached is not None:
        return cached
    started = time.monotonic()
    outcome = graderclient.run("print(6 * 7)", timeout=GRADER_CHECK_TIMEOUT)
    result = {
        "ok": outcome.status == "ok" and outcome.stdout == "42\n",
        "python_version": outcome.python_version,
        "ms": round((time.monotonic() - started) * 1000),
    }
    cache.set(_GRADER_CHECK_KEY, result, GRADER_CHECK_SECONDS)
    return result


CHECKS = {"database": check_database, "queue": check_queue, "grader": check_grader}


@never_cache
@require_GET
def healthz(request):
    checks = {}
    for name, check in CHECKS.items():
        try:
            result = check()
        except Exception as error:  # any failure is the answer, never a 500
            log.error("Health check %s failed: %s", name, error)
            result = {"ok": False, "error": type(error).__name__}
        if result is not None:
            checks[name] = result
    healthy = all(result["ok"] for result in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "failing", "checks": checks}, status=200 if healthy else 503
    )
