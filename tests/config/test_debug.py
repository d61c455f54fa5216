"""A request whose data Django refuses to parse (too many fields or files, a body too big) is a
400, with DEBUG on as with DEBUG off: the debug page and the error e-mail must not parse it
again and turn the 400 into a 500."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

TOO_MANY_FIELDS = "&".join(f"field{number}=1" for number in range(1_200))
FORM = "application/x-www-form-urlencoded"


def too_many_files() -> tuple[bytes, str]:
    boundary = "fuzz"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="f{n}"; filename="f{n}.txt"\r\n'
        f"Content-Type: text/plain\r\n\r\nx\r\n"
        for n in range(120)
    ]
    body = "".join(parts) + f"--{boundary}--\r\n"
    return body.encode(), f"multipart/form-data; boundary={boundary}"


def refused_requests(client):
    """Requests to pages that read the data Django refuses to parse, with what they send."""
    login = reverse("login")
    files_body, files_type = too_many_files()
    yield "GET login", lambda: client.get(f"{login}?{TOO_MANY_FIELDS}")
    yield (
        "GET changelist",
        lambda: client.get(f"{reverse('admin:quizzes_quiz_changelist')}?{TOO_MANY_FIELDS}"),
    )
    yield (
        "GET practice",
        lambda: client.get(
            f"{reverse('practice_topic', args=['mutability-aliasing'])}?{TOO_MANY_FIELDS}"
        ),
    )
    yield "POST fields", lambda: client.post(login, TOO_MANY_FIELDS, content_type=FORM)
    yield "POST too big", lambda: client.post(login, "a=" + "x" * 300_000, content_type=FORM)
    yield "POST files", lambda: client.post(login, files_body, content_type=files_type)


@pytest.mark.parametrize("debug", [True, False], ids=["debug", "production"])
def test_unparseable_request_data_is_a_400(client, settings, instructor, typed_question, debug):
    settings.DEBUG = debug
    client.force_login(instructor)
    client.raise_request_exception = False
    statuses = {name: send().status_code for name, send in refused_requests(client)}
    assert statuses == dict.fromkeys(statuses, 400)
