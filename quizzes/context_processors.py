"""Template context for every page: the Python versions the answer keys were computed with."""

from django.db import DatabaseError
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from quizzes import footer_versions


def _key_versions() -> list[str]:
    try:
        return sorted(footer_versions.footer_key_versions())
    except DatabaseError:
        return []  # a page about a broken database must still render


def key_python_versions(request: HttpRequest) -> dict:
    """`key_python_versions`: sorted versions, queried at most once per request and only by a
    page that shows them."""
    return {"key_python_versions": SimpleLazyObject(_key_versions)}
