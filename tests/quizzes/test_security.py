"""Security and bad input: ownership, hidden keys, server-side limits, CSRF, malformed posts,
admin access."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from quizzes import grading, services
from quizzes.models import Attempt, PracticeAnswer, Quiz, Response
from tests.helpers import JSON, save_answer, start_quiz

pytestmark = pytest.mark.django_db

MULTIPART = "multipart/form-data; boundary=x"


def answer_url(attempt, entry) -> str:
    return reverse("attempt_answer", args=[attempt.pk, entry.pk])


def typed_entry(quiz):
    return quiz.quiz_questions.get(question__answer_mode="typed")


def secrets_of(question) -> list[str]:
    """Texts that give the answer away: the real output, exception and the explanation."""
    key = question.answer_key
    texts = [escape(line) for line in grading.normalise(grading.expected_text(key))]
    return texts + [question.explanation]


# --- a student sees only their own attempts ---------------------------------------------------


def test_another_students_attempt_is_not_found(client, logged_in, other_student, quiz):
    attempt = start_quiz(client, quiz)
    entry = typed_entry(quiz)
    client.force_login(other_student)
    for name in ("attempt_take", "attempt_result", "attempt_submit"):
        assert client.get(reverse(name, args=[attempt.pk])).status_code == 404
    assert client.post(reverse("attempt_submit", args=[attempt.pk])).status_code == 404
    data = {f"q{entry.pk}-answer_text": "hijacked"}
    assert client.post(answer_url(attempt, entry), data).status_code == 404
    attempt.refresh_from_db()
    assert attempt.submitted_at is None and not Response.objects.exists()
    assert list(client.get(reverse("attempt_list")).context["rows"]) == []


def test_a_question_of_another_quiz_cannot_be_answered_in_this_attempt(
    client, logged_in, quiz, make_quiz, make_question
):
    other_quiz = make_quiz([make_question(slug="elsewhere")], slug="other")
    foreign = other_quiz.quiz_questions.get()
    attempt = start_quiz(client, quiz)
    data = {f"q{foreign.pk}-answer_text": "x"}
    assert client.post(answer_url(attempt, foreign), data).status_code == 404


# --- no key, right choice or explanation before the feedback policy allows it -----------------


def test_attempt_pages_and_autosave_hide_the_key_until_submitted(
    client, logged_in, make_quiz, raising_question
):
    quiz = make_quiz([raising_question], feedback_policy=Quiz.FeedbackPolicy.AFTER_SUBMIT)
    attempt = start_quiz(client, quiz)
    entry = quiz.quiz_questions.get()
    right = {f"q{entry.pk}-answer_text": grading.expected_text(raising_question.answer_key)}
    saved = client.post(answer_url(attempt, entry), right, **JSON)
    wrong = {f"q{entry.pk}-answer_text": "nonsense"}
    invalid = client.post(answer_url(attempt, entry), {f"q{entry.pk}-answer_text": ""}, **JSON)
    client.post(answer_url(attempt, entry), wrong)

    pages = [
        saved.content.decode(),
        invalid.content.decode(),
        client.get(reverse("attempt_take", args=[attempt.pk])).text,
        client.get(reverse("attempt_submit", args=[attempt.pk])).text,
        client.get(reverse("quiz_detail", args=[quiz.slug])).text,
    ]
    assert "unhashable" not in "".join(pages)
    for page in pages:
        for secret in secrets_of(raising_question):
            if secret != "before":  # printed by the snippet and shown in its source
                assert secret not in page
    assert '"is_correct"' not in saved.content.decode()


def test_right_choice_and_misconceptions_stay_hidden_until_submitted(
    client, logged_in, make_quiz, choice_question
):
    choice_question.choices.update(misconception="a tell-tale misconception label")
    quiz = make_quiz([choice_question])
    attempt = start_quiz(client, quiz)
    page = client.get(reverse("attempt_take", args=[attempt.pk])).text
    assert "tell-tale misconception" not in page
    assert choice_question.explanation not in page
    assert "feedback" not in page.replace("feedback-slot", "").replace("Feedback:", "")


def test_results_after_close_hide_the_key_until_the_quiz_closes(
    client, logged_in, make_quiz, raising_question
):
    quiz = make_quiz(
        [raising_question],
        feedback_policy=Quiz.FeedbackPolicy.AFTER_CLOSE,
        closes_at=timezone.now() + timedelta(days=1),
    )
    attempt = start_quiz(client, quiz)
    client.post(reverse("attempt_submit", args=[attempt.pk]))
    pages = [
        client.get(reverse("attempt_result", args=[attempt.pk])).text,
        client.get(reverse("attempt_list")).text,
        client.get(reverse("quiz_list")).text,
    ]
    for page in pages:
        assert "unhashable" not in page
        assert raising_question.explanation not in page


def test_practice_question_page_hides_the_key(client, logged_in, choice_question):
    page = client.get(reverse("practice_question", args=[choice_question.pk])).text
    assert choice_question.explanation not in page
    assert "Right" not in page and "Not quite" not in page


def test_practice_holds_back_a_quizs_questions_until_its_feedback_may_show(
    client, logged_in, make_quiz, typed_question
):
    quiz = make_quiz([typed_question], feedback_policy=Quiz.FeedbackPolicy.AFTER_SUBMIT)
    practice_url = reverse("practice_question", args=[typed_question.pk])
    assert client.get(practice_url).status_code == 404
    data = {"answer_text": grading.expected_text(typed_question.answer_key)}
    assert client.post(practice_url, data).status_code == 404
    assert not PracticeAnswer.objects.exists()
    topic_page = client.get(reverse("practice_topic", args=[typed_question.topic.slug]))
    assert topic_page.status_code == 200 and topic_page.context["questions"] == []

    attempt = start_quiz(client, quiz)
    client.post(reverse("attempt_submit", args=[attempt.pk]))
    assert client.get(practice_url).status_code == 200


def test_practice_holds_back_an_after_close_quizs_questions_until_it_closes(
    client, logged_in, make_quiz, typed_question
):
    quiz = make_quiz(
        [typed_question],
        feedback_policy=Quiz.FeedbackPolicy.AFTER_CLOSE,
        closes_at=timezone.now() + timedelta(days=1),
    )
    attempt = start_quiz(client, quiz)
    client.post(reverse("attempt_submit", args=[attempt.pk]))
    practice_url = reverse("practice_question", args=[typed_question.pk])
    assert client.get(practice_url).status_code == 404
    Quiz.objects.filter(pk=quiz.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    assert client.get(practice_url).status_code == 200


# --- deadlines, time limits and attempt limits are enforced on the server --------------------


def test_answer_posted_after_the_deadline_is_refused_and_the_attempt_submitted(
    client, logged_in, make_quiz, typed_question
):
    quiz = make_quiz([typed_question], time_limit_minutes=10)
    attempt = start_quiz(client, quiz)
    entry = quiz.quiz_questions.get()
    client.post(answer_url(attempt, entry), {f"q{entry.pk}-answer_text": "in time"})
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(seconds=1))

    late = client.post(answer_url(attempt, entry), {f"q{entry.pk}-answer_text": "too late"})
    assert late["Location"] == reverse("attempt_result", args=[attempt.pk])
    late_json = client.post(answer_url(attempt, entry), {f"q{entry.pk}-answer_text": "x"}, **JSON)
    assert late_json.status_code == 409
    assert Response.objects.get().answer_text == "in time"
    attempt.refresh_from_db()
    assert attempt.submitted_at is not None and attempt.score is not None


def test_an_overdue_attempt_is_over_when_opened_and_stored_by_the_next_post(
    client, logged_in, make_quiz, typed_question
):
    quiz = make_quiz([typed_question], time_limit_minutes=10)
    attempt = start_quiz(client, quiz)
    past = timezone.now() - timedelta(seconds=1)
    Attempt.objects.filter(pk=attempt.pk).update(started_at=past - timedelta(minutes=10))
    Attempt.objects.filter(pk=attempt.pk).update(deadline=past)
    response = client.get(reverse("attempt_take", args=[attempt.pk]))
    assert response["Location"] == reverse("attempt_result", args=[attempt.pk])
    attempt.refresh_from_db()
    assert attempt.submitted_at is None, "a GET never writes"
    [entry] = quiz.quiz_questions.all()
    refused = save_answer(client, attempt, entry, {f"q{entry.pk}-answer_text": "late"}, **JSON)
    assert refused.status_code == 409
    attempt.refresh_from_db()
    assert attempt.submitted_at == attempt.deadline
    assert not attempt.responses.exists(), "the late answer was not saved"


def test_a_closed_quiz_cannot_be_started(client, logged_in, make_quiz, typed_question):
    quiz = make_quiz([typed_question], closes_at=timezone.now() - timedelta(minutes=1))
    response = client.post(reverse("quiz_start", args=[quiz.slug]), follow=True)
    assert not Attempt.objects.exists()
    assert "This quiz is closed." in response.text


def test_the_attempt_limit_holds(client, logged_in, make_quiz, typed_question):
    quiz = make_quiz([typed_question], max_attempts=1)
    attempt = start_quiz(client, quiz)
    client.post(reverse("attempt_submit", args=[attempt.pk]))
    client.post(reverse("quiz_start", args=[quiz.slug]))
    assert Attempt.objects.count() == 1


def test_submitting_twice_grades_once(client, logged_in, quiz):
    attempt = start_quiz(client, quiz)
    entry = typed_entry(quiz)
    right = grading.expected_text(entry.question.answer_key)
    client.post(answer_url(attempt, entry), {f"q{entry.pk}-answer_text": right})
    url = reverse("attempt_submit", args=[attempt.pk])
    client.post(url)
    attempt.refresh_from_db()
    first = (attempt.submitted_at, attempt.score)
    # A second submit, and an answer sent from a stale tab, change nothing.
    client.post(answer_url(attempt, entry), {f"q{entry.pk}-answer_text": "changed"})
    second = client.post(url)
    assert second["Location"] == reverse("attempt_result", args=[attempt.pk])
    attempt.refresh_from_db()
    assert (attempt.submitted_at, attempt.score) == first == (attempt.submitted_at, 2)
    assert Response.objects.get().answer_text == right


# --- over-long, non-UTF-8 and malformed posts: form error or 400, never 500 -------------------


def test_over_long_answers_are_form_errors(client, logged_in, quiz, make_question):
    attempt = start_quiz(client, quiz)
    entry = typed_entry(quiz)
    long_answer = {f"q{entry.pk}-answer_text": "x" * 10_001}
    assert client.post(answer_url(attempt, entry), long_answer).status_code == 400
    assert client.post(answer_url(attempt, entry), long_answer, **JSON).status_code == 400
    url = reverse("practice_question", args=[make_question(slug="practice-only").pk])
    response = client.post(url, {"answer_text": "x" * 10_001})
    assert response.status_code == 400 and response.context["form"].errors
    assert not Response.objects.exists() and not PracticeAnswer.objects.exists()


def test_a_body_over_the_upload_limit_is_a_400(client, logged_in, typed_question):
    url = reverse("practice_question", args=[typed_question.pk])
    assert client.post(url, {"answer_text": "x" * 300_000}).status_code == 400


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b"answer_text=%FF%FE%00", "application/x-www-form-urlencoded"),
        (b"answer_text=\xff\xfe\xfa", "application/x-www-form-urlencoded"),
        (b"answer_text=caf\xe9", "application/x-www-form-urlencoded; charset=no-such-charset"),
        (
            b"--x\r\nContent-Disposition: form-data; name=\xff\r\n\r\n\xfe\r\n",
            "multipart/form-data",
        ),
        (b"\x00\x01\x02 not a form", "application/octet-stream"),
    ],
)
def test_non_utf8_and_malformed_bodies_never_crash(
    client, logged_in, typed_question, choice_question, body, content_type
):
    for question in (typed_question, choice_question):
        url = reverse("practice_question", args=[question.pk])
        response = client.generic("POST", url, body, content_type=content_type)
        assert response.status_code in (200, 302, 400), response.status_code


def test_malformed_quiz_posts_are_400s(client, logged_in, quiz):
    attempt = start_quiz(client, quiz)
    choice_entry = quiz.quiz_questions.get(question__answer_mode="choice")
    url = answer_url(attempt, choice_entry)
    for value in ("", "abc", "-1", "99999999999999999999999", "1 OR 1=1"):
        assert client.post(url, {f"q{choice_entry.pk}-choice": value}).status_code == 400
    foreign = typed_entry(quiz).question
    foreign_choice = foreign.choices.create(text="not this question's")
    data = {f"q{choice_entry.pk}-choice": foreign_choice.pk}
    assert client.post(url, data).status_code == 400
    body = f"q{choice_entry.pk}-choice=%FF%FE".encode()
    response = client.generic("POST", url, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    "path", ["/attempts/abc/", "/attempts/99999999999999999999999/", "/practice/question/-1/"]
)
def test_garbage_ids_are_404s(client, logged_in, path):
    assert client.get(path).status_code == 404


# --- CSRF on every form -----------------------------------------------------------------------


@pytest.fixture
def csrf_client(student):
    checked = Client(enforce_csrf_checks=True)
    checked.force_login(student)
    return checked


def test_every_student_form_needs_a_csrf_token(csrf_client, student, quiz, typed_question):
    attempt = services.start_attempt(user=student, quiz=quiz)
    entry = typed_entry(quiz)
    posts = [
        (reverse("practice_question", args=[typed_question.pk]), {"answer_text": "x"}),
        (reverse("quiz_start", args=[quiz.slug]), {}),
        (answer_url(attempt, entry), {f"q{entry.pk}-answer_text": "x"}),
        (reverse("attempt_submit", args=[attempt.pk]), {}),
        (reverse("logout"), {}),
    ]
    for url, data in posts:
        assert csrf_client.post(url, data).status_code == 403, url
    assert not Response.objects.exists() and not PracticeAnswer.objects.exists()
    attempt.refresh_from_db()
    assert attempt.submitted_at is None


def test_forms_work_with_the_token_from_the_page(csrf_client, typed_question):
    url = reverse("practice_question", args=[typed_question.pk])
    page = csrf_client.get(url)
    token = page.context["csrf_token"]
    assert f'name="csrfmiddlewaretoken" value="{token}"' in page.text
    response = csrf_client.post(url, {"answer_text": "x", "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_every_answer_form_of_the_attempt_page_carries_a_token_that_is_accepted(
    csrf_client, quiz, typed_question
):
    """The page renders one token for all its forms; each form's is accepted."""
    csrf_client.post(reverse("quiz_start", args=[quiz.slug]))  # refused: no token yet
    page = csrf_client.get(reverse("quiz_detail", args=[quiz.slug])).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    started = csrf_client.post(
        reverse("quiz_start", args=[quiz.slug]), {"csrfmiddlewaretoken": token}
    )
    page = csrf_client.get(started["Location"]).text
    forms = re.findall(
        r'<form method="post" action="(/attempts/[^"]+)"'
        r'.*?name="csrfmiddlewaretoken" value="([^"]+)"',
        page,
        re.S,
    )
    assert len(forms) == quiz.quiz_questions.count()
    for action, form_token in forms:
        entry_pk = int(action.rstrip("/").rsplit("/", 1)[1])
        data = {f"q{entry_pk}-answer_text": "x", "csrfmiddlewaretoken": form_token, "draft": "1"}
        assert csrf_client.post(action, data).status_code in (302, 400), action
    assert Response.objects.count() >= 1


def test_login_and_signup_need_a_csrf_token(student):
    anonymous = Client(enforce_csrf_checks=True)
    login = {"username": "student", "password": "memory-model"}
    assert anonymous.post(reverse("login"), login).status_code == 403
    signup = {"username": "new", "password1": "a-Long-pass-42", "password2": "a-Long-pass-42"}
    assert anonymous.post(reverse("signup"), signup).status_code == 403


# --- only instructors and superusers reach the admin ------------------------------------------


def test_students_and_visitors_are_sent_to_the_admin_login(client, student):
    response = client.get("/admin/")
    assert response["Location"].startswith("/admin/login/")
    client.force_login(student)
    for path in ("/admin/", "/admin/quizzes/question/", "/admin/quizzes/attempt/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_staff_outside_the_instructors_group_are_sent_to_the_admin_login(client, django_user_model):
    staff = django_user_model.objects.create_user("helpdesk", password="pw-helpdesk", is_staff=True)
    client.force_login(staff)
    for path in ("/admin/", "/admin/quizzes/question/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_instructors_and_superusers_reach_the_admin(client, instructor, django_user_model):
    client.force_login(instructor)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/quizzes/question/").status_code == 200
    root = django_user_model.objects.create_superuser("root", password="memory-model")
    client.force_login(root)
    assert client.get("/admin/").status_code == 200
