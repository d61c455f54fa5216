"""No path reveals a key a quiz guards (quizzes.selectors): quizzes with feedback after each
answer, their results and scores, practice feedback, concept pages; staff who are not
instructors are students on student pages; questions kept for a draft quiz are not practised."""

import pytest
from django.urls import reverse

from content import services as content_services
from content.models import ConceptPage
from quizzes import grading, selectors, services
from quizzes.models import PracticeAnswer, Quiz, Response
from tests.helpers import JSON, RAISING_SNIPPET, save_answer, start_quiz

pytestmark = pytest.mark.django_db

EACH_ANSWER = Quiz.FeedbackPolicy.AFTER_EACH_ANSWER
GUARDED_RULE = "A list cannot be a dict key: it is unhashable, a rule only this question states."


@pytest.fixture
def guarded(raising_question):
    """A question whose explanation and real output ("unhashable") are its alone."""
    raising_question.explanation = GUARDED_RULE
    raising_question.save()
    return raising_question


@pytest.fixture
def checkpoint(make_quiz, guarded):
    return make_quiz([guarded], slug="checkpoint", title="Checkpoint")


@pytest.fixture
def practice_quiz(make_quiz, typed_question, guarded):
    """The topic's practice quiz (feedback after each answer) shares a checkpoint question."""
    return make_quiz(
        [typed_question, guarded],
        slug="practice",
        title="Practice",
        feedback_policy=EACH_ANSWER,
        max_attempts=None,
    )


def reveals(html: str) -> bool:
    """Whether a page shows the guarded question's real output or explanation."""
    return "unhashable" in html or GUARDED_RULE in html


def right_answer(entry) -> dict:
    """The right answer without the words that give it away: the exception's type is enough."""
    return {f"q{entry.pk}-answer_text": "before\nTypeError"}


def submit(client, attempt):
    client.post(reverse("attempt_submit", args=[attempt.pk]))


def test_a_per_answer_quiz_accepts_a_guarded_answer_but_shows_no_feedback(
    client, logged_in, checkpoint, practice_quiz, guarded, typed_question
):
    attempt = start_quiz(client, practice_quiz)
    entry = practice_quiz.quiz_questions.get(question=guarded)
    saved = save_answer(client, attempt, entry, right_answer(entry), **JSON).json()
    assert saved["saved"] and not reveals(saved["feedback_html"])
    assert "Feedback for this question comes with" in saved["feedback_html"]
    assert (
        "Checkpoint" in saved["feedback_html"] and "feedback-verdict" not in saved["feedback_html"]
    )
    response = Response.objects.get(quiz_question=entry)
    assert response.is_correct and response.answer_text == "before\nTypeError"

    other = practice_quiz.quiz_questions.get(question=typed_question)
    assert "Right" in save_answer(client, attempt, other, **JSON).json()["feedback_html"]

    page = client.get(reverse("attempt_take", args=[attempt.pk]))
    [item] = [item for item in page.context["items"] if item.entry == entry]
    assert item.feedback is None and item.form is None and item.waiting_for == checkpoint
    assert not reveals(page.text)

    submit(client, attempt)
    result = client.get(reverse("attempt_result", args=[attempt.pk]))
    assert not reveals(result.text)
    # Both answers are right, but the total would give the guarded one away.
    assert "Score: <strong>1 / 1</strong>" in result.text and "Not counted yet" in result.text
    for name, args in (("quiz_detail", [practice_quiz.slug]), ("quiz_list", [])):
        listing = client.get(reverse(name, args=args)).text
        assert "best score" not in listing and "2 / 2" not in listing
    attempts = client.get(reverse("attempt_list")).text
    assert "2 / 2" not in attempts and "with another quiz's feedback" in attempts

    # Once the checkpoint's own feedback shows, so does the practice quiz's.
    submit(client, start_quiz(client, checkpoint))
    shown = client.get(reverse("attempt_result", args=[attempt.pk]))
    assert reveals(shown.text) and "Score: <strong>2 / 2</strong>" in shown.text


def test_a_plain_post_to_a_per_answer_quiz_shows_no_guarded_feedback(
    client, logged_in, checkpoint, practice_quiz, guarded
):
    attempt = start_quiz(client, practice_quiz)
    entry = practice_quiz.quiz_questions.get(question=guarded)
    page = client.get(save_answer(client, attempt, entry, right_answer(entry))["Location"])
    assert not reveals(page.text) and "comes with" in page.text


def test_a_quiz_whose_feedback_shows_sooner_waits_for_the_later_one(
    client, logged_in, make_quiz, guarded
):
    """The same question in a checkpoint (after submitting) and an exam (after closing): the
    checkpoint's result keeps it back until the exam's feedback shows."""
    from datetime import timedelta

    from django.utils import timezone

    exam = make_quiz(
        [guarded],
        slug="exam",
        title="Final exam",
        feedback_policy=Quiz.FeedbackPolicy.AFTER_CLOSE,
        closes_at=timezone.now() + timedelta(days=1),
    )
    checkpoint = make_quiz([guarded], slug="checkpoint", title="Checkpoint")
    attempt = start_quiz(client, checkpoint)
    submit(client, attempt)
    result = client.get(reverse("attempt_result", args=[attempt.pk]))
    assert not reveals(result.text) and "Final exam" in result.text
    # The exam guards it from the checkpoint only, not from itself.
    assert (
        selectors.withheld_by(
            selectors.guarding_quizzes(logged_in), guarded.pk, shown_in_quiz_id=exam.pk
        )
        is None
    )


def test_practice_feedback_given_before_a_quiz_guarded_the_question_is_withheld(
    client, logged_in, make_quiz, guarded
):
    answer = services.answer_practice(user=logged_in, question=guarded, answer_text="x")
    url = reverse("practice_feedback", args=[answer.pk])
    assert reveals(client.get(url).text)
    make_quiz([guarded], slug="checkpoint", title="Checkpoint")
    page = client.get(url)
    assert not reveals(page.text) and "comes with" in page.text


@pytest.fixture
def page_with_snippet(topic):
    body = f"Keys:\n\n```python\n{RAISING_SNIPPET}```\n\nAnd:\n\n```python\nprint(6 * 7)\n```\n"
    page = ConceptPage.objects.create(topic=topic, slug="keys", title="Keys", body=body)
    content_services.refresh_page_outputs(page)
    return page


def test_a_concept_page_hides_the_output_of_a_guarded_snippet(
    client, logged_in, checkpoint, page_with_snippet, instructor
):
    url = page_with_snippet.get_absolute_url()
    page = client.get(url).text
    assert "unhashable" not in page and "shown with the feedback of Checkpoint" in page
    assert "42" in page  # the other block's output stays
    submit(client, start_quiz(client, checkpoint))
    assert "unhashable" in client.get(url).text
    client.logout()
    assert "unhashable" not in client.get(url).text  # a visitor has not taken the checkpoint
    client.force_login(instructor)
    assert "unhashable" in client.get(url).text


# --- one role check: staff outside the Instructors group are students here --------------------


@pytest.fixture
def helpdesk(make_user):
    return make_user("helpdesk", is_staff=True)


def test_staff_outside_the_instructors_group_get_no_author_privileges(
    client, helpdesk, topic, make_question, checkpoint, guarded, page_with_snippet
):
    draft_page = ConceptPage.objects.create(
        topic=topic, slug="draft", title="Draft", body="Soon.", is_published=False
    )
    hidden = make_question(published=False, slug="hidden")
    client.force_login(helpdesk)
    assert client.get(draft_page.get_absolute_url()).status_code == 404
    for question in (hidden, guarded):
        url = reverse("practice_question", args=[question.pk])
        assert client.get(url).status_code == 404
        right = grading.expected_text(question.answer_key)
        assert client.post(url, {"answer_text": right}).status_code == 404
    assert not PracticeAnswer.objects.exists()
    with pytest.raises(services.InvalidAnswer):
        services.answer_practice(user=helpdesk, question=hidden, answer_text="x")
    home = client.get(reverse("home")).text
    assert 'href="/admin/"' not in home
    assert "unhashable" not in client.get(page_with_snippet.get_absolute_url()).text


def test_instructors_keep_their_previews(client, instructor, topic, make_question, guarded):
    draft_page = ConceptPage.objects.create(
        topic=topic, slug="draft", title="Draft", body="Soon.", is_published=False
    )
    hidden = make_question(published=False, slug="hidden")
    client.force_login(instructor)
    assert client.get(draft_page.get_absolute_url()).status_code == 200
    assert client.get(reverse("practice_question", args=[hidden.pk])).status_code == 200
    assert 'href="/admin/"' in client.get(reverse("home")).text


# --- questions kept for a draft quiz ----------------------------------------------------------


def test_questions_only_in_draft_quizzes_are_not_practised(
    client, logged_in, make_question, make_quiz, topic
):
    drafted = make_question("print(1)\n", slug="drafted")
    shared = make_question("print(2)\n", slug="shared")
    free = make_question("print(3)\n", slug="free")
    make_quiz([drafted, shared], slug="draft-exam", is_published=False)
    make_quiz([drafted], slug="draft-practice", is_published=False, feedback_policy=EACH_ANSWER)
    make_quiz([shared], slug="practice", feedback_policy=EACH_ANSWER)
    listed = client.get(reverse("practice_topic", args=[topic.slug]) + "?review=1")
    assert set(listed.context["questions"]) == {shared, free}
    url = reverse("practice_question", args=[drafted.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"answer_text": "1"}).status_code == 404
    assert not PracticeAnswer.objects.exists()


def test_practice_holds_back_a_quiz_while_an_attempt_at_it_runs(
    client, logged_in, make_quiz, guarded
):
    """An earlier attempt's feedback shows (after submitting), but a running attempt must not
    be helped by practising its questions."""
    quiz = make_quiz([guarded], max_attempts=2)
    submit(client, start_quiz(client, quiz))
    url = reverse("practice_question", args=[guarded.pk])
    assert client.get(url).status_code == 200
    running = start_quiz(client, quiz)
    assert client.get(url).status_code == 404
    submit(client, running)
    assert client.get(url).status_code == 200
