"""A URLconf with a view that fails, for the logging tests (no database needed)."""

from django.http import HttpResponseServerError
from django.urls import path


class DeliberateFailure(Exception):
    pass


def failing_view(request):
    raise DeliberateFailure("the view failed on purpose")


def plain_server_error(request):
    return HttpResponseServerError("server error")


urlpatterns = [path("fails/", failing_view)]
handler500 = plain_server_error
