"""Template context for every page: the Python versions the answer keys were computed with, and
whether the user authors the course."""

from django.db import DatabaseError
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from quizzes import roles, services


def _key_versions() -> list[str]:
    try:
        return sorted(services.stored_key_versions())
    except DatabaseError:
        return []  # a page about a broken database must still render


def key_python_versions(request: HttpRequest) -> dict:
    """`key_python_versions`: sorted versions, queried at most once per request and only by a
    page that shows them."""
    return {"key_python_versions": SimpleLazyObject(_key_versions)}


def user_is_instructor(request: HttpRequest) -> dict:
    """`user_is_instructor`: the admin's own role check (staff status alone is not enough)."""
    return {"user_is_instructor": SimpleLazyObject(lambda: roles.is_instructor(request.user))}
