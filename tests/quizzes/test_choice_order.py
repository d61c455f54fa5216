"""Choices are shown in an order shuffled per student and per question, stable for that student,
and feedback and results show the order the student saw (quizzes.choice_order)."""

import re
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from quizzes import choice_order, grading
from quizzes.models import Attempt, Choice, PracticeAnswer, Question
from tests.helpers import ALIASING_SNIPPET, start_quiz

RADIO_VALUE = re.compile(r'<input type="radio"[^>]*name="(?:q\d+-)?choice" value="(\d+)"')

# Four candidate outputs of ALIASING_SNIPPET, the real one built from the key (never typed).
WRONG = ["[1, 2]\nFalse", "[1, 2, 3]\nFalse", "[1, 2]\nTrue"]


@pytest.fixture
def four_choices(make_question):
    return make_question(
        ALIASING_SNIPPET,
        mode=Question.AnswerMode.CHOICE,
        choices=lambda key: [grading.expected_text(key), *WRONG],
    )


def shown_ids(html: str) -> list[int]:
    return [int(pk) for pk in RADIO_VALUE.findall(html)]


def practice_page_order(client, question) -> list[int]:
    return shown_ids(client.get(reverse("practice_question", args=[question.pk])).text)


def test_each_choice_comes_first_for_about_an_equal_share_of_students(db, four_choices):
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"student{n}") for n in range(800)
    )
    choices = list(four_choices.choices.all())
    firsts = Counter(
        choice_order.shuffled(
            choices, seed=choice_order.student_seed(user), question_id=four_choices.pk
        )[0].pk
        for user in users
    )
    expected = len(users) / len(choices)
    chi_square = sum((firsts[c.pk] - expected) ** 2 / expected for c in choices)
    # 3 degrees of freedom: 16.27 is the 0.1% critical value, so a fair shuffle fails 1 in 1000.
    assert chi_square < 16.27, firsts


def test_the_right_choice_is_not_always_first_across_questions(db, logged_in, make_question):
    questions = [
        make_question(
            ALIASING_SNIPPET,
            mode=Question.AnswerMode.CHOICE,
            choices=lambda key: [grading.expected_text(key), *WRONG],
        )
        for _ in range(12)
    ]
    from django.test import Client

    client = Client()
    client.force_login(logged_in)
    positions = set()
    for question in questions:
        right = grading.matching_choices(question, question.answer_key)[0]
        positions.add(practice_page_order(client, question).index(right.pk))
    assert len(positions) > 1


def test_one_student_sees_the_same_order_on_every_reload(client, logged_in, four_choices):
    first = practice_page_order(client, four_choices)
    assert sorted(first) == sorted(four_choices.choices.values_list("pk", flat=True))
    for _ in range(3):
        assert practice_page_order(client, four_choices) == first


def test_students_see_different_orders(client, make_user, four_choices):
    orders = set()
    for n in range(8):
        client.force_login(make_user(f"learner{n}"))
        orders.add(tuple(practice_page_order(client, four_choices)))
    assert len(orders) > 1


def test_reordering_choices_in_the_admin_changes_nothing_a_student_sees(
    client, logged_in, four_choices
):
    before = practice_page_order(client, four_choices)
    for n, choice in enumerate(reversed(list(four_choices.choices.all()))):
        Choice.objects.filter(pk=choice.pk).update(order=n)
    assert practice_page_order(client, four_choices) == before


def test_a_quiz_shows_the_order_practice_shows_and_stores_its_seed(
    client, logged_in, four_choices, make_quiz
):
    quiz = make_quiz([four_choices], feedback_policy="each_answer")
    practice = practice_page_order(client, four_choices)
    attempt = start_quiz(client, quiz)
    assert attempt.choice_seed == choice_order.student_seed(logged_in)
    take = client.get(reverse("attempt_take", args=[attempt.pk])).text
    assert shown_ids(take) == practice
    second_look = client.get(reverse("attempt_take", args=[attempt.pk])).text
    assert shown_ids(second_look) == practice


def feedback_order(html: str, question) -> list[int]:
    """The choice ids in the order the feedback lists them (by their texts)."""
    items = re.findall(r'<li class="choice-seen.*?<pre[^>]*>(.*?)</pre>', html, re.S)
    by_text = {c.text: c.pk for c in question.choices.all()}
    import html as html_module

    return [by_text[html_module.unescape(text)] for text in items]


def test_practice_feedback_lists_the_choices_in_the_order_the_student_saw(
    client, logged_in, four_choices
):
    shown = practice_page_order(client, four_choices)
    wrong = four_choices.choices.get(order=2)
    response = client.post(
        reverse("practice_question", args=[four_choices.pk]), {"choice": wrong.pk}
    )
    answer = PracticeAnswer.objects.get()
    assert answer.choice_seed == choice_order.student_seed(logged_in)
    page = client.get(response["Location"]).text
    assert feedback_order(page, four_choices) == shown
    assert "your answer" in page


def test_results_reproduce_the_order_seen_from_the_stored_seed(
    client, logged_in, four_choices, make_quiz, monkeypatch
):
    quiz = make_quiz([four_choices])
    attempt = start_quiz(client, quiz)
    entry = quiz.quiz_questions.get()
    shown = shown_ids(client.get(reverse("attempt_take", args=[attempt.pk])).text)
    client.post(
        reverse("attempt_answer", args=[attempt.pk, entry.pk]), {f"q{entry.pk}-choice": shown[1]}
    )
    client.post(reverse("attempt_submit", args=[attempt.pk]))
    # The way seeds are derived changes (say a new SECRET_KEY): results still show what was seen.
    monkeypatch.setattr(choice_order, "student_seed", lambda user: 12345)
    page = client.get(reverse("attempt_result", args=[attempt.pk])).text
    assert feedback_order(page, four_choices) == shown
    assert "Your answer (choice B)" in page


def test_attempts_stored_before_shuffling_show_the_stored_order(
    client, logged_in, four_choices, make_quiz
):
    quiz = make_quiz([four_choices])
    attempt = start_quiz(client, quiz)
    Attempt.objects.filter(pk=attempt.pk).update(choice_seed=None)
    stored = list(four_choices.choices.order_by("order", "pk").values_list("pk", flat=True))
    assert shown_ids(client.get(reverse("attempt_take", args=[attempt.pk])).text) == stored


def test_no_order_of_choices_is_refused(four_choices):
    from itertools import permutations

    choices = list(four_choices.choices.all())
    for order in permutations(choices):
        assert (
            grading.choice_problems(four_choices.answer_mode, four_choices.answer_key, order) == []
        )
