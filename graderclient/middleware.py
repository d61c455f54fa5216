"""Counts a request's grader calls against its user (graderclient/limits.py)."""

from graderclient.limits import acting_user


class GraderUserMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with acting_user(getattr(request, "user", None)):
            return self.get_response(request)
