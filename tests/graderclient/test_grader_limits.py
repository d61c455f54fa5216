"""A per-user rate and a site-wide cap on grader runs: one author cannot starve the others, and
whoever meets a limit is told so plainly (a form error, never a 500)."""

import pytest
from django.core.cache import cache
from django.urls import reverse

import graderclient
from graderclient import limits
from quizzes.models import Question
from tests.helpers import question_post


@pytest.mark.django_db
def test_an_author_over_the_grader_rate_gets_a_form_error_and_others_are_unaffected(
    client, instructor, make_user, topic, settings
):
    # One question save makes four grader calls on the default Python line and three on each
    # other configured line (quizzes.versions): room for one save, not two.
    per_save = 4 + 3 * (len(graderclient.python_lines()) - 1)
    settings.RATE_LIMITS = {"grader": (per_save + 2, 60)}
    client.force_login(instructor)
    add = reverse("admin:quizzes_question_add")
    first = client.post(add, question_post(topic, "print(1)\n", slug="first"))
    assert first.status_code == 302
    second = client.post(add, question_post(topic, "print(2)\n", slug="second"))
    assert second.status_code == 200
    [error] = second.context["adminform"].form.non_field_errors()
    assert "the most one person may; wait a minute" in error
    assert not Question.objects.filter(slug="second").exists()
    # Another author's calls are counted apart.
    other = make_user("other_author", is_staff=True)
    other.groups.add(*instructor.groups.all())
    client.force_login(other)
    third = client.post(add, question_post(topic, "print(3)\n", slug="third"))
    assert third.status_code == 302


@pytest.mark.django_db
def test_calls_without_a_user_meet_no_rate(settings, make_user):
    settings.RATE_LIMITS = {"grader": (1, 60)}
    for _ in range(3):
        assert graderclient.run("print(1)").stdout == "1\n"
    with limits.acting_user(make_user("author")):
        graderclient.run("print(1)")
        with pytest.raises(graderclient.GraderBusy, match="wait a minute"):
            graderclient.run("print(1)")


def test_runs_beyond_the_global_cap_wait_then_are_refused(settings, monkeypatch):
    settings.GRADER = {**settings.GRADER, "max_concurrent_runs": 2}
    monkeypatch.setattr(limits, "SLOT_WAIT_SECONDS", 0.3)
    with limits.grader_slot(), limits.grader_slot():  # two runs in flight elsewhere
        with pytest.raises(graderclient.GraderBusy, match="busy with 2 runs for others"):
            graderclient.run("print(1)")
    # Their slots are free again once they finish.
    assert graderclient.run("print(1)").stdout == "1\n"
    assert cache.get("grader:slot:0") is None


def test_a_slot_left_by_a_dead_process_expires(settings, monkeypatch):
    settings.GRADER = {**settings.GRADER, "max_concurrent_runs": 1}
    monkeypatch.setattr(limits, "_slot_seconds", lambda: 1)
    monkeypatch.setattr(limits, "SLOT_WAIT_SECONDS", 3)
    assert cache.add("grader:slot:0", "a process that died mid-run", timeout=1)
    assert graderclient.run("print(1)").stdout == "1\n"
