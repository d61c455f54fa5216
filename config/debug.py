"""The error reporter behind Django's debug page and the admins' error e-mails."""

from django.core.exceptions import SuspiciousOperation
from django.http import QueryDict
from django.views.debug import ExceptionReporter


class RequestSafeExceptionReporter(ExceptionReporter):
    """Reports a request whose query string or body cannot be parsed.

    A request refused because its data is malformed or too large (TooManyFieldsSent,
    RequestDataTooBig, TooManyFilesSent: the SuspiciousOperation family) is answered 400, but
    Django's reporter reads request.GET, POST and FILES again to show them, so the same error
    is raised again from inside the error page and the client gets a 500 (with DEBUG on, or
    from the e-mail to the admins). Such parts are reported as empty instead.
    """

    def get_traceback_data(self):
        if self.request is not None:
            blank_unreadable_data(self.request)
        return super().get_traceback_data()


def blank_unreadable_data(request) -> None:
    try:
        request.GET  # noqa: B018 - parsed on first access
    except SuspiciousOperation:
        request.GET = QueryDict()
    try:
        request.POST  # noqa: B018 - parsed on first access, with FILES
        request.FILES  # noqa: B018
    except SuspiciousOperation:
        # The request's own way of giving up on a body it cannot parse: empty POST and FILES.
        request._mark_post_parse_error()
