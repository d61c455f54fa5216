"""Instructor authoring in the admin, driven through the test client as the instructor."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

import grader
from content import runs
from content.admin_forms import UNSTABLE_BLOCK_OUTPUT
from content.models import ConceptPage
from quizzes import services
from quizzes.admin_forms import UNSTABLE_OUTPUT
from quizzes.grading import expected_text
from quizzes.models import Question, Quiz
from tests.helpers import ALIASING_SNIPPET, PASSWORD, question_post, trace_without_ids

pytestmark = pytest.mark.django_db

ADD_QUESTION = reverse("admin:quizzes_question_add")


@pytest.fixture
def instructor_client(client, instructor):
    client.force_login(instructor)
    return client


def real_output(snippet: str) -> str:
    return expected_text(grader.run(snippet).to_dict())


# --- Who reaches the admin --------------------------------------------------------------------


def test_students_are_sent_to_the_admin_login(client, student):
    client.force_login(student)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_instructor_reaches_the_admin_but_not_users(client, instructor):
    assert client.login(username="instructor", password=PASSWORD)
    assert client.get("/admin/").status_code == 200
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403
    assert not instructor.is_superuser and not instructor.has_perm("auth.change_user")


def test_instructors_group_has_exactly_the_authoring_permissions():
    group = Group.objects.get(name="Instructors")
    authored = ["topic", "conceptpage", "question", "choice", "quiz", "quizquestion"]
    authored += ["knownwronganswer"]  # a typed question's known wrong answers (issue 16)
    expected = {f"{a}_{m}" for m in authored for a in ("add", "change", "delete", "view")}
    expected |= {"view_attempt", "view_response"}
    # Failed logins, and lifting a lockout (deleting its access attempt): django-axes.
    expected |= {"view_accessattempt", "delete_accessattempt", "view_accesslog"}
    # Their own courses (courses.admin scopes each list and form to the instructor's).
    managed = ["course", "section", "enrolment", "coursequiz", "sectiontimes", "accommodation"]
    expected |= {f"{a}_{m}" for m in managed for a in ("add", "change", "delete", "view")}
    expected |= {"view_gradechange"}
    # Background tasks they start with the admin's buttons (backgroundtasks).
    expected |= {"view_taskrecord"}
    perms = group.permissions.all()
    assert {p.codename for p in perms} == expected
    assert {p.content_type.app_label for p in perms} == {
        "content",
        "quizzes",
        "axes",
        "courses",
        "backgroundtasks",
    }


# --- The question form ------------------------------------------------------------------------


def test_saving_stores_the_key_from_the_grader(instructor_client, topic):
    response = instructor_client.post(ADD_QUESTION, question_post(topic, ALIASING_SNIPPET))
    assert response.status_code == 302, response.context["adminform"].form.errors
    question = Question.objects.get(slug="new-question")
    outcome = grader.run(ALIASING_SNIPPET)
    assert question.answer_key["stdout"] == outcome.stdout
    assert question.answer_key["exception"] == outcome.exception
    assert question.key_python_version == outcome.python_version
    # The diagram's trace is stored with the key (the same snippet always gives the same trace).
    assert trace_without_ids(question.key_trace) == trace_without_ids(
        grader.run(ALIASING_SNIPPET, trace=True).trace
    )
    assert services.key_is_current(question)


def test_browser_newlines_are_normalised(instructor_client, topic):
    snippet = ALIASING_SNIPPET.replace("\n", "\r\n")
    instructor_client.post(ADD_QUESTION, question_post(topic, snippet))
    assert Question.objects.get(slug="new-question").snippet == ALIASING_SNIPPET


@pytest.mark.parametrize(
    ("snippet", "status"),
    [("import os\nprint(os.getcwd())\n", "rejected"), ("while True:\n    pass\n", "timeout")],
)
def test_snippets_without_a_real_outcome_are_refused(instructor_client, topic, snippet, status):
    response = instructor_client.post(ADD_QUESTION, question_post(topic, snippet))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["snippet"]
    outcome = grader.run(snippet)
    assert outcome.status == status
    assert f"({status}): " in errors[0]
    reason = errors[0].split(f"({status}): ", 1)[1]
    if status == "timeout":
        # An endless loop ends by whichever limit comes first (CPU or wall clock, as the machine
        # is loaded), so the form's run and this one may name different limits.
        assert "limit of" in reason and reason.endswith("exceeded")
    else:
        assert reason.startswith(outcome.reasons[0])
    assert not Question.objects.exists()


def test_snippets_whose_output_changes_between_runs_of_python_are_refused(instructor_client, topic):
    snippet = "names = {'alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta'}\nprint(names)\n"
    assert grader.output_varies(snippet)
    response = instructor_client.post(ADD_QUESTION, question_post(topic, snippet))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["snippet"] == [UNSTABLE_OUTPUT]
    assert not Question.objects.exists()
    stable = snippet.replace("print(names)", "print(sorted(names))")
    response = instructor_client.post(ADD_QUESTION, question_post(topic, stable))
    assert response.status_code == 302, response.context["adminform"].form.errors


def test_choice_question_needs_exactly_one_matching_choice(instructor_client, topic):
    right = real_output(ALIASING_SNIPPET)
    for choices, count in ((["wrong one", "wrong two"], 0), ([right, right, "wrong"], 2)):
        response = instructor_client.post(
            ADD_QUESTION, question_post(topic, ALIASING_SNIPPET, mode="choice", choices=choices)
        )
        assert response.status_code == 200
        formset, _known_wrong_answers = response.context["inline_admin_formsets"]
        error = formset.formset.non_form_errors()[0]
        assert f"{count} do" in error and right in error
    assert not Question.objects.exists()

    response = instructor_client.post(
        ADD_QUESTION,
        question_post(topic, ALIASING_SNIPPET, mode="choice", choices=["wrong", right]),
    )
    assert response.status_code == 302
    assert Question.objects.get().choices.count() == 2


def test_true_false_needs_exactly_one_claim(instructor_client, topic):
    response = instructor_client.post(
        ADD_QUESTION,
        question_post(topic, ALIASING_SNIPPET, mode="true_false", choices=["a", "b"]),
    )
    formset, _known_wrong_answers = response.context["inline_admin_formsets"]
    assert "exactly one claim" in formset.formset.non_form_errors()[0]


def test_change_form_shows_the_real_outcome_highlighted_and_a_preview(
    instructor_client, typed_question
):
    url = reverse("admin:quizzes_question_change", args=[typed_question.pk])
    page = instructor_client.get(url).content.decode()
    assert '<div class="highlight">' in page  # the highlighted snippet
    first_line = typed_question.answer_key["stdout"].splitlines()[0]
    assert first_line in page
    assert f"Python {typed_question.key_python_version}" in page
    assert reverse("practice_question", args=[typed_question.pk]) in page
    assert "content/pygments.css" in page


def test_every_authoring_page_renders(instructor_client, quiz, topic):
    page = ConceptPage.objects.create(topic=topic, slug="p", title="P", body="Text")
    urls = [
        ADD_QUESTION,
        reverse("admin:quizzes_question_changelist"),
        reverse("admin:quizzes_quiz_changelist"),
        reverse("admin:quizzes_quiz_change", args=[quiz.pk]),
        reverse("admin:content_conceptpage_changelist"),
        reverse("admin:content_conceptpage_change", args=[page.pk]),
        reverse("admin:content_topic_changelist"),
    ]
    for url in urls:
        assert instructor_client.get(url).status_code == 200, url


def test_filters_and_search(instructor_client, typed_question, choice_question):
    changelist = reverse("admin:quizzes_question_changelist")
    response = instructor_client.get(changelist, {"answer_mode__exact": "choice"})
    assert list(response.context["cl"].result_list) == [choice_question]
    response = instructor_client.get(changelist, {"q": "append"})
    assert set(response.context["cl"].result_list) == {typed_question, choice_question}
    response = instructor_client.get(changelist, {"is_published__exact": "0"})
    assert list(response.context["cl"].result_list) == []


def test_recompute_action_reports_and_withdraws_invalid(instructor_client, choice_question):
    Question.objects.filter(pk=choice_question.pk).update(snippet="print('changed')\n")
    response = instructor_client.post(
        reverse("admin:quizzes_question_changelist"),
        {"action": "recompute_answer_keys", "_selected_action": [choice_question.pk]},
        follow=True,
    )
    text = " ".join(str(m) for m in response.context["messages"])
    assert "1 changed" in text and "Unpublished" in text
    choice_question.refresh_from_db()
    assert choice_question.answer_key["stdout"] == grader.run("print('changed')\n").stdout
    assert trace_without_ids(choice_question.key_trace) == trace_without_ids(
        grader.run("print('changed')\n", trace=True).trace
    )
    assert not choice_question.is_published


# --- Quizzes, pages, attempts -----------------------------------------------------------------


def test_quiz_admin_saves_ordered_questions_with_points(instructor_client, typed_question):
    response = instructor_client.post(
        reverse("admin:quizzes_quiz_add"),
        {
            "title": "Q",
            "slug": "q",
            "description": "",
            "max_attempts": 1,
            "feedback_policy": "after_submit",
            "quiz_questions-TOTAL_FORMS": 1,
            "quiz_questions-INITIAL_FORMS": 0,
            "quiz_questions-0-order": 1,
            "quiz_questions-0-question": typed_question.pk,
            "quiz_questions-0-points": 3,
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    entry = Quiz.objects.get(slug="q").quiz_questions.get()
    assert (entry.question, entry.points) == (typed_question, 3)


def test_feedback_after_close_needs_a_closing_time(instructor_client):
    response = instructor_client.post(
        reverse("admin:quizzes_quiz_add"),
        {
            "title": "Q",
            "slug": "q",
            "feedback_policy": "after_close",
            "quiz_questions-TOTAL_FORMS": 0,
            "quiz_questions-INITIAL_FORMS": 0,
        },
    )
    assert "closes_at" in response.context["adminform"].form.errors


def test_class_results_page(instructor_client, quiz, student, other_student, typed_question):
    for user, answer in ((student, expected_text(typed_question.answer_key)), (other_student, "?")):
        attempt = services.start_attempt(user=user, quiz=quiz)
        entry = quiz.quiz_questions.get(question=typed_question)
        services.save_answer(attempt=attempt, quiz_question=entry, answer_text=answer)
        services.submit_attempt(attempt=attempt)
    response = instructor_client.get(reverse("admin:quizzes_quiz_results", args=[quiz.pk]))
    assert response.status_code == 200
    rows = {row["entry"].question_id: row for row in response.context["entries"]}
    assert rows[typed_question.pk]["percent"] == 50
    scores = {row["user__username"]: row["best"] for row in response.context["students"]}
    assert scores == {"student": 2, "other_student": 0}


def test_attempts_are_read_only(instructor_client, quiz, student):
    attempt = services.start_attempt(user=student, quiz=quiz)
    assert instructor_client.get(reverse("admin:quizzes_attempt_changelist")).status_code == 200
    change = instructor_client.get(reverse("admin:quizzes_attempt_change", args=[attempt.pk]))
    assert change.status_code == 200 and not change.context["has_change_permission"]
    assert instructor_client.get(reverse("admin:quizzes_attempt_add")).status_code == 403


def test_concept_page_preview_and_save_compute_outputs(instructor_client, topic):
    response = instructor_client.post(
        reverse("admin:content_conceptpage_add"),
        {
            "topic": topic.pk,
            "slug": "p",
            "title": "P",
            "order": 0,
            "body": "Look:\n\n```python\nprint(6 * 7)\n```\n",
            "is_published": "on",
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    page = ConceptPage.objects.get(slug="p")
    assert page.block_outputs.count() == 1
    preview = instructor_client.get(reverse("admin:content_conceptpage_preview", args=[page.pk]))
    html = preview.content.decode()
    assert grader.run("print(6 * 7)\n").stdout.strip() in html
    assert f"Output (Python {runs.current_python_version()})" in html


def test_saving_a_page_refuses_blocks_whose_output_varies(instructor_client, topic):
    varying = "print({'alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta'})\n"
    body = f"Stable:\n\n```python\nprint(6 * 7)\n```\n\nNot:\n\n```python\n{varying}```\n"
    response = instructor_client.post(
        reverse("admin:content_conceptpage_add"),
        {"topic": topic.pk, "slug": "p", "title": "P", "order": 0, "body": body, "_save": "Save"},
    )
    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors["body"]
    assert error.startswith("Code block 2 (") and UNSTABLE_BLOCK_OUTPUT in error
    assert not ConceptPage.objects.exists()


def test_recompute_outputs_action(instructor_client, topic):
    page = ConceptPage.objects.create(
        topic=topic, slug="p", title="P", body="```python\nprint(len('abc'))\n```\n"
    )
    response = instructor_client.post(
        reverse("admin:content_conceptpage_changelist"),
        {"action": "recompute_outputs", "_selected_action": [page.pk]},
        follow=True,
    )
    assert "Ran 1 code block(s)" in " ".join(str(m) for m in response.context["messages"])
    assert page.block_outputs.get().outcome["stdout"] == grader.run("print(len('abc'))\n").stdout
