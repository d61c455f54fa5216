"""Login throttling (django-axes) for logins over the web."""

import math

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import HttpResponse
from django.shortcuts import render

from accounts import ratelimit


class LoginThrottleBackend(AxesStandaloneBackend):
    """Refuses a login while its username or address is locked out (settings.AXES_*).

    A login without a request (the test client's login(), a management command calling
    authenticate) comes from no address and cannot be guessed at over the web: it goes straight
    to the next backend instead of failing as axes' own backend does."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        address = ratelimit.client_ip(request)
        if not ratelimit.within("login_failure", address, ratelimit.rate_for("login_failure")):
            # Many usernames guessed from one address (password spraying): the per-username lock
            # never trips. The login form says so (accounts.forms.LoginForm).
            request.login_failures_exceeded = True
            raise PermissionDenied("too many failed logins from this address")
        return super().authenticate(request, username, password, **kwargs)


@receiver(user_login_failed)
def count_failed_login(sender, credentials, request=None, **kwargs) -> None:
    """Count a failed login against its address (settings.RATE_LIMITS["login_failure"])."""
    if request is not None and not getattr(request, "login_failures_exceeded", False):
        ratelimit.hit(
            "login_failure", ratelimit.client_ip(request), ratelimit.rate_for("login_failure")
        )


def lockout_response(request, original_response, credentials) -> HttpResponse:
    """The page a locked-out login gets (settings.AXES_LOCKOUT_CALLABLE): what happened, for how
    long, and who can lift it."""
    cool_off = get_cool_off(request)
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "username": get_client_username(request, credentials) or "",
        "cooloff_minutes": math.ceil(cool_off.total_seconds() / 60) if cool_off else None,
    }
    return render(request, "registration/locked_out.html", context, status=429)
