"""Template context for every page: whether the user authors the course."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts import roles


def user_is_instructor(request: HttpRequest) -> dict:
    """`user_is_instructor`: the admin's own role check (staff status alone is not enough)."""
    return {"user_is_instructor": SimpleLazyObject(lambda: roles.is_instructor(request.user))}
