"""Known wrong answers of typed questions (issue 16 §2 and §3): recorded in one click from a
prediction on the question admin page, or typed by hand with the same label check as a choice's;
a typed answer equal to one (by the grading rule) is recorded on the response and named in its
feedback, only once the feedback policy allows feedback.

Predicted outputs come from grader.simulate, never typed here."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

import grader
from quizzes import grading, services
from quizzes.models import Attempt, KnownWrongAnswer, PracticeAnswer, Question, Quiz, Response
from tests.helpers import ALIASING_SNIPPET, JSON, save_answer, start_quiz

pytestmark = pytest.mark.django_db

FREE_LABEL = "a deleted name takes its object with it"
# del-destroys-object predicts a NameError here; CPython prints [1].
DEL_SNIPPET = "a = [1]\nb = a\ndel a\nprint(b)\n"


def simulated(snippet: str, misconception: str) -> dict:
    return grader.simulate(snippet, misconception).to_dict()


def simulated_text(snippet: str, misconception: str) -> str:
    return grading.expected_text(simulated(snippet, misconception))


@pytest.fixture
def instructor_client(client, instructor):
    client.force_login(instructor)
    return client


def change_url(question) -> str:
    return reverse("admin:quizzes_question_change", args=[question.pk])


def record_url(question, misconception: str) -> str:
    return reverse(
        "admin:quizzes_question_add_known_wrong_answer", args=[question.pk, misconception]
    )


def messages_after(client, response) -> str:
    return client.get(response["Location"]).text


# --- One click from a prediction -------------------------------------------------------------


def test_one_click_records_a_prediction_as_a_known_wrong_answer(instructor_client, typed_question):
    page = instructor_client.get(change_url(typed_question)).text
    url = record_url(typed_question, "assignment-copies")
    assert url in page and "Record as a known wrong answer labelled assignment-copies" in page
    assert instructor_client.get(url).status_code == 405  # a GET changes nothing

    response = instructor_client.post(url)
    assert response.status_code == 302 and response["Location"] == change_url(typed_question)
    [known] = typed_question.known_wrong_answers.all()
    assert known.misconception == "assignment-copies"
    predicted = simulated(ALIASING_SNIPPET, "assignment-copies")
    assert (known.stdout, known.exception or None) == (predicted["stdout"], predicted["exception"])
    page = instructor_client.get(change_url(typed_question)).text
    assert "Recorded what &#x27;assignment-copies&#x27; predicts" in page
    assert 'name="known_wrong_answers-0-misconception"' in page  # listed in its inline
    assert url not in page and "Recorded as a known wrong answer." in page  # no second button

    again = messages_after(instructor_client, instructor_client.post(url))
    assert "already shows what" in again
    for unfit in ("del-destroys-object", "no-such-id"):
        refused = messages_after(
            instructor_client, instructor_client.post(record_url(typed_question, unfit))
        )
        assert "predicts no output other than the real one" in refused
    assert typed_question.known_wrong_answers.count() == 1


def test_a_recorded_exception_keeps_its_line(instructor_client, make_question):
    question = make_question(DEL_SNIPPET)
    instructor_client.post(record_url(question, "del-destroys-object"))
    [known] = question.known_wrong_answers.all()
    predicted = simulated(DEL_SNIPPET, "del-destroys-object")
    assert predicted["exception"].startswith("NameError")
    assert known.exception == predicted["exception"]


def test_only_a_typed_question_records_known_wrong_answers(
    instructor_client, choice_question, client
):
    page = instructor_client.get(change_url(choice_question)).text
    assert "Record as a known wrong answer" not in page  # it offers "Add as a choice" instead
    refused = messages_after(
        instructor_client, instructor_client.post(record_url(choice_question, "assignment-copies"))
    )
    assert "Only a typed question keeps known wrong answers" in refused
    assert not KnownWrongAnswer.objects.exists()
    client.logout()
    login = client.post(record_url(choice_question, "assignment-copies"))["Location"]
    assert login.startswith(reverse("admin:login"))


def test_a_student_cannot_record_one(client, logged_in, typed_question):
    response = client.post(record_url(typed_question, "assignment-copies"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert not KnownWrongAnswer.objects.exists()


def test_enter_in_a_field_saves_rather_than_recording(instructor_client, typed_question):
    """The one-click buttons are submit buttons of the change form; the browser's default
    button (pressing Enter) is the first one, which must be Save."""
    page = instructor_client.get(change_url(typed_question)).text
    form = page[page.index('id="question_form"') :]
    first_submit = min(
        form.index(marker) for marker in ('type="submit"', "type='submit'") if marker in form
    )
    assert 'name="_save"' in form[first_submit : first_submit + 200]


# --- By hand, with the label check ----------------------------------------------------------


def change_post(question, rows, **extra) -> dict:
    """The change form's data with `rows` (output, exception, label) as known wrong answers."""
    data = {
        "topic": question.topic_id,
        "title": question.title,
        "slug": question.slug,
        "answer_mode": question.answer_mode,
        "difficulty": question.difficulty,
        "is_published": "on",
        "prompt": question.prompt,
        "snippet": question.snippet,
        "explanation": question.explanation,
        "choices-TOTAL_FORMS": 0,
        "choices-INITIAL_FORMS": 0,
        "known_wrong_answers-TOTAL_FORMS": len(rows),
        "known_wrong_answers-INITIAL_FORMS": 0,
        "_save": "Save",
    }
    for index, (stdout, exception, label) in enumerate(rows):
        data[f"known_wrong_answers-{index}-stdout"] = stdout
        data[f"known_wrong_answers-{index}-exception"] = exception
        data[f"known_wrong_answers-{index}-misconception"] = label
    data.update(extra)
    return data


def inline_errors(response) -> str:
    formsets = response.context["inline_admin_formsets"]
    return " ".join(" ".join(f.formset.non_form_errors()) for f in formsets)


def test_a_label_the_simulator_contradicts_is_refused_with_the_prediction(
    instructor_client, typed_question
):
    copies = simulated_text(ALIASING_SNIPPET, "assignment-copies")
    response = instructor_client.post(
        change_url(typed_question),
        change_post(typed_question, [(copies, "", "is-compares-values")]),
    )
    assert response.status_code == 200
    errors = inline_errors(response)
    assert "'is-compares-values'" in errors
    assert repr(simulated_text(ALIASING_SNIPPET, "is-compares-values")) in errors
    # A misconception that changes nothing in this snippet predicts the real outcome.
    response = instructor_client.post(
        change_url(typed_question),
        change_post(typed_question, [(copies, "", "del-destroys-object")]),
    )
    assert "changes nothing here" in inline_errors(response)
    assert not KnownWrongAnswer.objects.exists()


def test_the_real_outcome_is_not_a_wrong_answer(instructor_client, typed_question):
    right = typed_question.answer_key["stdout"]
    response = instructor_client.post(
        change_url(typed_question), change_post(typed_question, [(right, "", FREE_LABEL)])
    )
    assert "is the real outcome, not a wrong answer" in inline_errors(response)
    assert not KnownWrongAnswer.objects.exists()


def test_a_right_label_and_a_free_label_are_kept(instructor_client, typed_question):
    copies = simulated_text(ALIASING_SNIPPET, "assignment-copies")
    rows = [(copies, "", "assignment-copies"), ("[1, 2]\n", "", FREE_LABEL)]
    response = instructor_client.post(change_url(typed_question), change_post(typed_question, rows))
    assert response.status_code == 302, inline_errors(response)
    labels = list(typed_question.known_wrong_answers.values_list("misconception", flat=True))
    assert labels == ["assignment-copies", FREE_LABEL]
    page = instructor_client.get(change_url(typed_question)).text
    assert "Unchecked labels" in page and FREE_LABEL in page


def test_a_choice_question_keeps_no_known_wrong_answers(instructor_client, choice_question):
    data = change_post(choice_question, [("[1, 2]\n", "", FREE_LABEL)])
    choices = list(choice_question.choices.all())
    data.update({"choices-TOTAL_FORMS": len(choices), "choices-INITIAL_FORMS": len(choices)})
    for index, choice in enumerate(choices):
        data[f"choices-{index}-id"] = choice.pk
        data[f"choices-{index}-question"] = choice_question.pk
        data[f"choices-{index}-text"] = choice.text
        data[f"choices-{index}-order"] = choice.order
    response = instructor_client.post(change_url(choice_question), data)
    assert "Only a typed question keeps known wrong answers" in inline_errors(response)


def test_a_form_without_the_inline_keeps_the_known_wrong_answers(instructor_client, typed_question):
    """A form posted without the known wrong answers (a page or script from before them) saves
    and leaves them alone."""
    KnownWrongAnswer.objects.create(
        question=typed_question, stdout="[1, 2]\n", misconception=FREE_LABEL
    )
    data = change_post(typed_question, [])
    del data["known_wrong_answers-TOTAL_FORMS"], data["known_wrong_answers-INITIAL_FORMS"]
    response = instructor_client.post(change_url(typed_question), data)
    assert response.status_code == 302
    assert typed_question.known_wrong_answers.count() == 1


# --- Students ---------------------------------------------------------------------------------


def practise(client, question, **data):
    client.post(reverse("practice_question", args=[question.pk]), data)
    practice = PracticeAnswer.objects.latest("pk")
    return practice, client.get(reverse("practice_feedback", args=[practice.pk])).text


def test_a_typed_answer_equal_to_a_known_wrong_answer_names_its_misconception(
    client, logged_in, typed_question
):
    KnownWrongAnswer.objects.create(
        question=typed_question, stdout="[1, 2]\nTrue\n", misconception=FREE_LABEL
    )
    # Trailing spaces and blank lines do not count, as in grading.
    practice, page = practise(client, typed_question, answer_text="[1, 2]  \nTrue\n\n")
    assert practice.is_correct is False
    assert practice.matched_misconceptions == [FREE_LABEL]
    assert 'class="known-wrong-answer"' in page
    assert f"Your answer is what you would expect if <em>{FREE_LABEL}</em>" in page
    practice, page = practise(client, typed_question, answer_text="[1, 2]\nFalse\nTrue")
    assert practice.matched_misconceptions == [] and "known-wrong-answer" not in page


def test_the_exception_line_may_name_just_its_type(client, logged_in, make_question):
    question = make_question(DEL_SNIPPET)
    predicted = simulated(DEL_SNIPPET, "del-destroys-object")
    KnownWrongAnswer.objects.create(
        question=question, exception=predicted["exception"], misconception=FREE_LABEL
    )
    practice, _ = practise(client, question, answer_text="NameError")
    assert FREE_LABEL in practice.matched_misconceptions
    assert "del-destroys-object" in practice.matched_misconceptions  # its prediction too


def test_a_recorded_prediction_is_named_once(client, logged_in, typed_question):
    services.known_wrong_answer_add_predicted(
        question=typed_question, misconception="assignment-copies"
    )
    practice, page = practise(
        client, typed_question, answer_text=simulated_text(ALIASING_SNIPPET, "assignment-copies")
    )
    assert practice.matched_misconceptions == ["assignment-copies"]
    assert page.count('data-misconception="assignment-copies"') == 1
    assert "known-wrong-answer" not in page  # a catalogue label reads as its diagnosis


@pytest.mark.parametrize(
    "policy", [Quiz.FeedbackPolicy.AFTER_SUBMIT, Quiz.FeedbackPolicy.AFTER_CLOSE]
)
def test_no_leak_before_the_feedback_policy_allows(
    client, logged_in, make_quiz, typed_question, policy
):
    KnownWrongAnswer.objects.create(
        question=typed_question, stdout="[1, 2]\nTrue\n", misconception=FREE_LABEL
    )
    closes = timezone.now() + timedelta(days=1)
    quiz = make_quiz(
        [typed_question],
        feedback_policy=policy,
        closes_at=closes if policy == Quiz.FeedbackPolicy.AFTER_CLOSE else None,
    )
    attempt = start_quiz(client, quiz)
    entry = quiz.quiz_questions.get()
    data = {f"q{entry.pk}-answer_text": "[1, 2]\nTrue"}
    autosaved = save_answer(client, attempt, entry, data, **JSON)
    assert FREE_LABEL not in autosaved.content.decode()
    save_answer(client, attempt, entry, data)
    assert FREE_LABEL not in client.get(reverse("attempt_take", args=[attempt.pk])).text
    client.post(reverse("attempt_submit", args=[attempt.pk]))
    response = Response.objects.get(attempt=attempt)
    assert response.matched_misconceptions == [FREE_LABEL]  # recorded when graded
    result = client.get(reverse("attempt_result", args=[attempt.pk])).text
    if policy == Quiz.FeedbackPolicy.AFTER_CLOSE:
        assert FREE_LABEL not in result and "known-wrong-answer" not in result
        Quiz.objects.filter(pk=quiz.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
        result = client.get(reverse("attempt_result", args=[attempt.pk])).text
    assert f"Your answer is what you would expect if <em>{FREE_LABEL}</em>" in result


def test_feedback_after_each_answer_names_it_at_once(client, logged_in, make_quiz, typed_question):
    KnownWrongAnswer.objects.create(
        question=typed_question, stdout="[1, 2]\nTrue\n", misconception=FREE_LABEL
    )
    quiz = make_quiz([typed_question], feedback_policy=Quiz.FeedbackPolicy.AFTER_EACH_ANSWER)
    attempt = start_quiz(client, quiz)
    entry = quiz.quiz_questions.get()
    save_answer(client, attempt, entry, {f"q{entry.pk}-answer_text": "[1, 2]\nTrue"})
    assert Response.objects.get(attempt=attempt).matched_misconceptions == [FREE_LABEL]
    page = client.get(reverse("attempt_take", args=[attempt.pk])).text
    assert f"Your answer is what you would expect if <em>{FREE_LABEL}</em>" in page


def test_a_key_changed_since_grading_matches_no_known_wrong_answer(typed_question):
    KnownWrongAnswer.objects.create(
        question=typed_question, stdout="[1, 2]\nTrue\n", misconception=FREE_LABEL
    )
    assert grading.diagnosed_misconceptions(
        typed_question, typed_question.answer_key, answer_text="[1, 2]\nTrue"
    ) == [FREE_LABEL]
    old_key = {**typed_question.answer_key, "stdout": "something older\n"}
    assert (
        grading.diagnosed_misconceptions(typed_question, old_key, answer_text="[1, 2]\nTrue") == []
    )


def test_a_question_of_another_mode_ignores_known_wrong_answers(true_false_question):
    KnownWrongAnswer.objects.create(
        question=true_false_question, stdout="[1, 2]\nTrue\n", misconception=FREE_LABEL
    )
    assert true_false_question.answer_mode == Question.AnswerMode.TRUE_FALSE
    assert FREE_LABEL not in grading.diagnosed_misconceptions(
        true_false_question, true_false_question.answer_key, answer_text="true"
    )


def test_a_stale_catalogue_label_names_nothing_and_the_admin_says_so(
    client, logged_in, typed_question, instructor
):
    """A known wrong answer whose catalogue label the current predictions contradict (the key
    was recomputed after it was checked) diagnoses nothing: only the stored prediction does."""
    stale = KnownWrongAnswer.objects.create(
        question=typed_question, stdout="[1, 2]\nTrue\n", misconception="assignment-copies"
    )
    practice, page = practise(client, typed_question, answer_text="[1, 2]\nTrue")
    assert practice.is_correct is False and practice.matched_misconceptions == []
    assert "assignment" not in page.split("The real output")[0]
    client.force_login(instructor)
    page = client.get(change_url(typed_question)).text
    assert 'class="label-problems errorlist"' in page
    assert "The known wrong answer &#x27;[1, 2]\\nTrue\\n&#x27; is labelled" in page
    stale.delete()
    assert "label-problems" not in client.get(change_url(typed_question)).text


def test_practice_offers_another_question_with_the_same_known_wrong_answer_label(
    client, logged_in, typed_question, make_question
):
    for label in (FREE_LABEL, "another belief"):
        KnownWrongAnswer.objects.create(
            question=typed_question, stdout="[1, 2]\nTrue\n", misconception=label
        )
    unlabelled = make_question(DEL_SNIPPET, slug="other-without")
    KnownWrongAnswer.objects.create(question=unlabelled, stdout="[]\n", misconception="unrelated")
    _, page = practise(client, typed_question, answer_text="[1, 2]\nTrue")
    assert "practice-same-misconception" not in page
    other = make_question(DEL_SNIPPET, slug="other-with-label")
    KnownWrongAnswer.objects.create(question=other, stdout="[]\n", misconception="another belief")
    _, page = practise(client, typed_question, answer_text="[1, 2]\nTrue")
    offered = re.search(r'practice-same-misconception" href="([^"]+)"', page)
    assert offered and offered.group(1) == reverse("practice_question", args=[other.pk])


@pytest.mark.parametrize("n", [2, 5])
def test_an_attempt_ended_by_its_deadline_is_diagnosed_in_a_fixed_number_of_queries(
    n, client, logged_in, make_question, make_quiz, django_assert_num_queries
):
    """A GET of an attempt past its deadline grades it in memory (selectors.attempt_as_of):
    the known wrong answers and claims of its questions are read in two queries, however many."""
    questions = [make_question(slug=f"typed-{number}") for number in range(n)]
    for question in questions:
        KnownWrongAnswer.objects.create(
            question=question, stdout="[1, 2]\nTrue\n", misconception=FREE_LABEL
        )
    quiz = make_quiz(questions, time_limit_minutes=5)
    attempt = start_quiz(client, quiz)
    for entry in quiz.quiz_questions.all():
        save_answer(client, attempt, entry, {f"q{entry.pk}-answer_text": "[1, 2]\nTrue"})
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=timezone.now() - timedelta(hours=2),
        deadline=timezone.now() - timedelta(hours=1),
    )
    with django_assert_num_queries(ENDED_ATTEMPT_RESULT_QUERIES):
        page = client.get(reverse("attempt_result", args=[attempt.pk])).text
    assert page.count(f"Your answer is what you would expect if <em>{FREE_LABEL}</em>") == n
    assert Attempt.objects.get(pk=attempt.pk).submitted_at is None  # the GET wrote nothing


# The same with 2 questions as with 5. Of these, the attempt's responses, their questions (read
# for grading only, an ended attempt's case), those questions' claims (choices) and known wrong
# answers are read twice (for the score, then for the page). Two are the Python line the
# attempt is graded against (its course's pin) and the questions' keys on the other lines ("On
# Python 3.13 this prints ...", quizzes.versions). No other quiz holds these questions: the key
# guards are one query (the guarding quizzes; four before).
ENDED_ATTEMPT_RESULT_QUERIES = 19
