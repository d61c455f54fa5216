"""Practice: one question at a time, graded at once against the stored key, with feedback.

Keys come from the real grader (tests/conftest.py); right answers are read from those keys,
never typed by hand.
"""

import pytest
from django.urls import reverse
from django.utils.html import escape

from quizzes import grading
from quizzes.models import Choice, PracticeAnswer

pytestmark = pytest.mark.django_db

# A second snippet, so a topic can hold questions with different answers.
MULTIPLY_THEN_RAISE = "d = {}\nprint(17 * 2003)\nd[[1]] = 2\n"


def answer(client, question, **data):
    return client.post(reverse("practice_question", args=[question.pk]), data)


def right_answer(question) -> str:
    return grading.expected_text(question.answer_key)


def test_practice_needs_a_login(client, typed_question):
    response = client.get(reverse("practice_question", args=[typed_question.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_topic_sends_to_the_first_question_not_yet_answered_correctly(
    client, logged_in, make_question
):
    first = make_question(slug="a-first")
    second = make_question(MULTIPLY_THEN_RAISE, slug="b-second")
    url = reverse("practice_topic", args=[first.topic.slug])
    assert client.get(url)["Location"] == reverse("practice_question", args=[first.pk])
    answer(client, first, answer_text="a wrong prediction")
    assert client.get(url)["Location"] == reverse("practice_question", args=[first.pk])
    answer(client, first, answer_text=right_answer(first))
    assert client.get(url)["Location"] == reverse("practice_question", args=[second.pk])


def test_topic_lists_its_questions_once_all_are_solved(client, logged_in, typed_question):
    answer(client, typed_question, answer_text=right_answer(typed_question))
    response = client.get(reverse("practice_topic", args=[typed_question.topic.slug]))
    assert response.status_code == 200
    assert response.context["upcoming"] is None
    assert typed_question.title in response.text


def test_question_page_shows_the_snippet_but_not_the_answer(client, logged_in, raising_question):
    response = client.get(reverse("practice_question", args=[raising_question.pk]))
    assert response.status_code == 200
    text = response.text
    assert reverse("how_answers_are_checked") in text
    assert "before" in text  # the snippet is shown
    assert "unhashable" not in text  # its exception is not
    assert raising_question.explanation not in text


def test_right_typed_answer_with_the_full_exception_line(client, logged_in, raising_question):
    response = answer(client, raising_question, answer_text=right_answer(raising_question))
    practice = PracticeAnswer.objects.get(user=logged_in)
    assert practice.is_correct
    assert practice.graded_key == raising_question.answer_key
    assert response["Location"] == reverse("practice_feedback", args=[practice.pk])


def test_exception_type_alone_is_enough(client, logged_in, raising_question):
    key = raising_question.answer_key
    short = key["stdout"] + grading.exception_type(key["exception"]) + "   \n\n"
    answer(client, raising_question, answer_text=short)
    assert PracticeAnswer.objects.get(user=logged_in).is_correct


def test_wrong_typed_answer_gets_feedback_with_the_real_outcome(
    client, logged_in, raising_question
):
    key = raising_question.answer_key
    answer(client, raising_question, answer_text=key["stdout"])  # forgets the exception
    practice = PracticeAnswer.objects.get(user=logged_in)
    assert not practice.is_correct
    page = client.get(reverse("practice_feedback", args=[practice.pk]))
    assert page.status_code == 200
    text = page.text
    assert "Not quite" in text
    assert escape(key["exception"]) in text
    assert f"Python {raising_question.key_python_version}" in text
    assert raising_question.explanation in text
    assert reverse("how_answers_are_checked") in text


def test_choice_feedback_names_the_misconception_and_the_right_choice(
    client, logged_in, choice_question
):
    right = grading.matching_choices(choice_question, choice_question.answer_key)[0]
    wrong = choice_question.choices.exclude(pk=right.pk).first()
    Choice.objects.filter(pk=wrong.pk).update(misconception="b = a copies the list")
    answer(client, choice_question, choice=wrong.pk)
    practice = PracticeAnswer.objects.get(user=logged_in)
    assert not practice.is_correct and practice.choice == wrong
    page = client.get(reverse("practice_feedback", args=[practice.pk]))
    assert "b = a copies the list" in page.text
    assert page.context["feedback"].right_choices == [right]


def test_a_misconception_shows_its_backticks_as_code_and_escapes_the_rest(
    client, logged_in, choice_question
):
    """Labels are plain text with `code` spans, as the fixtures write them (students saw the
    backticks); anything else in them stays text."""
    right = grading.matching_choices(choice_question, choice_question.answer_key)[0]
    wrong = choice_question.choices.exclude(pk=right.pk).first()
    label = "`b = a` copies the <list>"
    Choice.objects.filter(pk=wrong.pk).update(misconception=label)
    answer(client, choice_question, choice=wrong.pk)
    practice = PracticeAnswer.objects.get(user=logged_in)
    page = client.get(reverse("practice_feedback", args=[practice.pk])).text
    shown = "<code>b = a</code> copies the &lt;list&gt;"
    # Once in "Your choice is what you would expect if ..." and once beside the choice.
    assert page.count(shown) == 2 and "`" not in page.split('class="feedback')[1]


def test_right_choice(client, logged_in, choice_question):
    right = grading.matching_choices(choice_question, choice_question.answer_key)[0]
    answer(client, choice_question, choice=right.pk)
    assert PracticeAnswer.objects.get(user=logged_in).is_correct


def test_true_false_claim_of_the_real_output_is_true(client, logged_in, true_false_question):
    answer(client, true_false_question, answer_text="false")
    answer(client, true_false_question, answer_text="true")
    results = PracticeAnswer.objects.filter(user=logged_in).order_by("pk")
    assert [a.is_correct for a in results] == [False, True]


def test_invalid_answers_are_form_errors(client, logged_in, typed_question, choice_question):
    assert answer(client, typed_question, answer_text="x" * 10_001).status_code == 400
    assert answer(client, choice_question, choice="not-a-choice").status_code == 400
    assert answer(client, choice_question).status_code == 400
    assert not PracticeAnswer.objects.exists()


def test_next_question_link_skips_solved_questions(client, logged_in, make_question):
    first = make_question(slug="a-first")
    second = make_question(MULTIPLY_THEN_RAISE, slug="b-second")
    third = make_question(slug="c-third")
    answer(client, second, answer_text=right_answer(second))
    answer(client, first, answer_text=right_answer(first))
    practice = PracticeAnswer.objects.filter(user=logged_in).latest("pk")
    page = client.get(reverse("practice_feedback", args=[practice.pk]))
    assert page.context["next_question"] == third
    assert reverse("practice_question", args=[third.pk]) in page.text


def test_home_counts_questions_answered_correctly(client, logged_in, make_question):
    solved = make_question(slug="a-first")
    make_question(MULTIPLY_THEN_RAISE, slug="b-second")
    answer(client, solved, answer_text="wrong")
    answer(client, solved, answer_text=right_answer(solved))
    answer(client, solved, answer_text=right_answer(solved))
    response = client.get(reverse("home"))
    [topic] = [t for t in response.context["topics"] if t.slug == solved.topic.slug]
    assert (topic.solved_count, topic.question_count) == (1, 2)
    assert "1 / 2 answered correctly" in response.text


def test_unpublished_question_is_a_preview_for_staff_only(
    client, logged_in, make_question, instructor
):
    hidden = make_question(published=False)
    url = reverse("practice_question", args=[hidden.pk])
    assert client.get(url).status_code == 404
    assert answer(client, hidden, answer_text="anything").status_code == 404
    client.force_login(instructor)
    page = client.get(url)
    assert page.status_code == 200 and page.context["preview"]


def test_another_users_practice_feedback_is_not_found(
    client, logged_in, other_student, typed_question
):
    answer(client, typed_question, answer_text="wrong")
    practice = PracticeAnswer.objects.get(user=logged_in)
    client.force_login(other_student)
    assert client.get(reverse("practice_feedback", args=[practice.pk])).status_code == 404
