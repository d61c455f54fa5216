"""Requests carrying a NUL character are refused with a 400 before any view runs."""

from django.core.exceptions import BadRequest

NUL = "\x00"


class RejectNulMiddleware:
    """A NUL character in the path, the query string or a form field is a 400.

    No form of the site accepts one (Django's CharField refuses it), and PostgreSQL cannot
    hold or compare text containing it: a NUL in an admin filter, search or autocomplete term
    (`?slug=%00`) raised DataError, a 500, wherever a view looked it up. Uploaded files are not
    inspected (none are taken; their bytes may be anything).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if NUL in request.path_info or has_nul(request.GET):
            raise BadRequest("A NUL character in the address.")
        # Only bodies Django parses as forms; CsrfViewMiddleware reads request.POST anyway.
        if request.method == "POST" and has_nul(request.POST):
            raise BadRequest("A NUL character in the form data.")
        return self.get_response(request)


def has_nul(data) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in data.lists())
