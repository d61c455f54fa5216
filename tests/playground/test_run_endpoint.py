"""The editor page's Run without a page reload (issue 17 §4): POST /playground/run/ answers with
the run as JSON, which the page's script draws (playground/static/playground/run.js), under the
same form, limits, cap and grader as the page's own Run; the page without JavaScript still posts
the form and gets the whole page back."""

import json
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

import grader
from grader.constants import MAX_SOURCE_BYTES
from grader.trace import full_steps
from graderclient import limits
from playground.models import SavedProgram
from tests.helpers import ALIASING_SNIPPET, RAISING_SNIPPET, REJECTED_SNIPPET

RUN = reverse("playground:run")
EDITOR = reverse("playground:editor")
PYTHON312 = Path("/root/.pyenv/versions/3.12.1/bin/python")


def steps_seen(trace: dict) -> list[tuple]:
    return [
        (step["line"], step["event"], step.get("printed"), len(step["heap"]))
        for step in full_steps(trace)
    ]


def post_run(client, source):
    return client.post(RUN, {"source": source}, HTTP_ACCEPT="application/json")


def test_anonymous_users_get_no_run(client, db):
    response = post_run(client, "print(1)\n")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_get_runs_nothing(client, logged_in):
    assert client.get(RUN).status_code == 405


def test_the_editor_page_names_the_endpoint_and_loads_the_script(client, logged_in):
    page = client.get(EDITOR).text
    assert f'data-run-url="{RUN}"' in page
    assert "playground/run.js" in page
    assert 'aria-live="polite"' in page


@pytest.mark.skipif(not PYTHON312.exists(), reason="the CPython 3.12 oracle is not installed")
def test_a_run_answers_json_with_the_graders_output_and_trace(client, logged_in):
    real = subprocess.run(  # noqa: S603 - a fixed interpreter and a test snippet
        [str(PYTHON312), "-I", "-c", ALIASING_SNIPPET], capture_output=True, text=True, check=True
    ).stdout
    response = post_run(client, ALIASING_SNIPPET)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert body["status"] == "ok" and body["headline"] == "Ran to the end"
    assert body["stdout"] == real
    assert body["exception"] is None and body["reasons"] == [] and body["flagged"] == []
    expected = grader.run(ALIASING_SNIPPET, trace=True)
    assert body["python_version"] == expected.python_version
    # The trace as the grader makes it (its compact form), which the diagram script reads, as
    # the page's own Run embeds it: the same steps (ids differ from one run to the next).
    page = client.post(EDITOR, {"source": ALIASING_SNIPPET, "action": "run"}).text
    embedded = json.loads(page.split('type="application/json">', 1)[1].split("</script>")[0])
    for trace in (expected.trace, embedded):
        assert set(trace) == set(body["trace"])
        assert steps_seen(trace) == steps_seen(body["trace"])


def test_the_answer_is_smaller_than_the_page(client, logged_in):
    answer = post_run(client, ALIASING_SNIPPET)
    page = client.post(EDITOR, {"source": ALIASING_SNIPPET, "action": "run"})
    assert len(answer.content) < len(page.content) / 2


def test_an_exception_comes_with_its_line(client, logged_in):
    expected = grader.run(RAISING_SNIPPET)
    body = post_run(client, RAISING_SNIPPET).json()
    assert body["status"] == "raised" and body["exception"] == expected.exception
    assert body["exception_line"] == expected.exception_line
    assert body["flagged"] == [expected.exception_line]


def test_a_refusal_comes_with_its_line(client, logged_in):
    expected = grader.run(REJECTED_SNIPPET)
    body = post_run(client, REJECTED_SNIPPET).json()
    assert body["status"] == "rejected" and body["trace"] is None
    assert [reason["line"] for reason in body["reasons"]] == [1]
    assert body["flagged"] == [1]
    assert expected.reasons[0].endswith(body["reasons"][0]["text"])


def test_a_nul_is_shown_as_in_the_page(client, logged_in):
    body = post_run(client, "s = 'a\\x00b'\nprint(s)\n").json()
    assert body["stdout"] == "a\u2400b\n"
    shown = json.dumps(body["trace"])
    assert "\\u2400" in shown and "\\u0000" not in shown


def test_an_empty_or_oversized_program_is_a_400_with_a_message(client, logged_in):
    empty = post_run(client, "")
    assert empty.status_code == 400
    assert empty.json() == {"error": "Type a program to run.", "fields": ["source"]}
    huge = post_run(client, "#" * (MAX_SOURCE_BYTES + 1))
    assert huge.status_code == 400  # refused by Django's upload limit before the view


def test_the_playground_rate_holds(client, logged_in, settings):
    settings.RATE_LIMITS = {"playground": (3, 60)}
    for _ in range(3):
        assert post_run(client, "print(1)\n").status_code == 200
    refused = post_run(client, "print(1)\n")
    assert refused.status_code == 429
    assert "the most one person may" in refused.json()["error"]
    # The page's own Run counts against the same rate.
    assert client.post(EDITOR, {"source": "print(1)\n", "action": "run"}).status_code == 429


def test_the_grader_cap_holds(client, logged_in, monkeypatch):
    monkeypatch.setattr(limits, "SLOT_WAIT_SECONDS", 0.0)
    monkeypatch.setattr(limits, "_take_slot", lambda token: None)
    response = post_run(client, "print(1)\n")
    assert response.status_code == 429 and "the grader is busy" in response.json()["error"]


def test_no_grader_answering_is_a_503_with_a_message(client, logged_in, monkeypatch):
    import graderclient

    def down(*args, **kwargs):
        raise grader.GraderUnavailable("no worker")

    monkeypatch.setattr(graderclient, "run", down)
    response = post_run(client, "print(1)\n")
    assert response.status_code == 503 and "not answering" in response.json()["error"]


def test_a_run_saves_nothing(client, logged_in):
    post_run(client, ALIASING_SNIPPET)
    assert not SavedProgram.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_run_happens_outside_any_transaction(client, student, grader_calls):
    client.force_login(student)
    post_run(client, ALIASING_SNIPPET)
    assert [call for call in grader_calls if call[0] == "run"]
    assert all(not in_transaction for _, in_transaction in grader_calls)
