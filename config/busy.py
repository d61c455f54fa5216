"""A request that cannot get the database's write lock in time is answered 503 with Retry-After.

Under an exam-start spike SQLite serialises writers: each waits up to its busy timeout
(settings.SQLITE_BUSY_TIMEOUT) for the write lock. One that still cannot get it raised
`OperationalError: database is locked`, a 500 that looked like a crash and told the autosave
script nothing. The transaction was rolled back, so nothing was half-written: the request can
simply be sent again, and the answer says so (the autosave script retries after Retry-After,
with backoff). PostgreSQL's lock timeouts are the same case.
"""

import logging
import sqlite3

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

log = logging.getLogger(__name__)

MESSAGE = (
    "The site is busy right now and could not save this in time; nothing was changed. "
    "Try again in a few seconds: nothing saved before is lost."
)
# SQLite's words for a write lock it could not get within the busy timeout.
_SQLITE_BUSY = ("database is locked", "database table is locked", "database is busy")


def is_database_busy(error: BaseException) -> bool:
    """Whether `error` says the database's lock was not granted in time (a retry can succeed),
    as opposed to a broken query or a missing table."""
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    if isinstance(cause, sqlite3.OperationalError):
        return str(cause).lower().startswith(_SQLITE_BUSY)
    # PostgreSQL: lock_timeout expired (SQLSTATE 55P03, lock_not_available).
    return getattr(cause, "sqlstate", None) == "55P03"


def busy_response(request: HttpRequest) -> HttpResponse:
    if "application/json" in request.headers.get("Accept", ""):
        response: HttpResponse = JsonResponse(
            {"saved": False, "error": MESSAGE, "retry": True}, status=503
        )
    else:
        response = render(request, "503.html", {"message": MESSAGE}, status=503)
    response["Retry-After"] = str(settings.DATABASE_BUSY_RETRY_AFTER)
    return response


class DatabaseBusyMiddleware:
    """Turns a view's database-busy error into busy_response (a 503), logged as a warning: the
    operator sees the database is the bottleneck, without a traceback mailed per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_database_busy(exception):
            return None
        log.warning(
            "Database busy, answered 503: %s %s (%s)", request.method, request.path, exception
        )
        return busy_response(request)


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's, except that a session it cannot save because the database is busy (after a
    log-in, say) is answered busy_response too: the save happens after the view, out of
    DatabaseBusyMiddleware's reach."""

    def process_response(self, request, response):
        try:
            return super().process_response(request, response)
        except OperationalError as error:
            if not is_database_busy(error):
                raise
            log.warning("Database busy saving the session, answered 503: %s", request.path)
            return busy_response(request)
