"""The gradebook (score that counts, late and missing, sort, section filter, bounded queries),
the attempt as the student saw it, manual overrides, explicit regrades and the CSV exports."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from courses import selectors, services
from courses.models import Enrolment, GradeChange
from quizzes import choice_order, grading
from quizzes import services as quiz_services
from quizzes.models import Attempt, Question, Quiz, Response

pytestmark = pytest.mark.django_db


def take(student, quiz, *, right: bool, now=None) -> Attempt:
    """A submitted attempt by `student`, every answer right or every answer wrong."""
    attempt = quiz_services.start_attempt(user=student, quiz=Quiz.objects.get(pk=quiz.pk), now=now)
    for entry in quiz.quiz_questions.select_related("question"):
        question = entry.question
        if question.answer_mode == Question.AnswerMode.CHOICE:
            right_choices = grading.matching_choices(question, question.answer_key)
            wrong = question.choices.exclude(pk__in=[c.pk for c in right_choices]).first()
            choice = right_choices[0] if right else wrong
            quiz_services.save_answer(attempt=attempt, quiz_question=entry, choice=choice, now=now)
        else:
            text = grading.expected_text(question.answer_key) if right else "wrong"
            quiz_services.save_answer(
                attempt=attempt, quiz_question=entry, answer_text=text, now=now
            )
    return quiz_services.submit_attempt(attempt=attempt, now=now)


def edit_the_snippet(question: Question) -> None:
    """The author edits the snippet; the grader computes the new key (the admin's path)."""
    question.snippet = question.snippet.replace("b.append(3)", "b.append(4)")
    question.save()
    quiz_services.refresh_answer_key(question)


def cell_of(book, student):
    row = next(r for r in book.rows if r.student == student)
    return row.cells[0]


def test_the_score_that_counts_is_best_or_last_per_quiz(course, quiz, enrolled):
    take(enrolled, quiz, right=True)
    take(enrolled, quiz, right=False)
    assert cell_of(selectors.gradebook(course), enrolled).score == 4  # best, the default
    Quiz.objects.filter(pk=quiz.pk).update(score_policy=Quiz.ScorePolicy.LAST)
    assert cell_of(selectors.gradebook(course), enrolled).score == 0


def test_missing_and_late_are_marked(course, quiz, enrolled, other_student, section_b):
    now = timezone.now()
    Quiz.objects.filter(pk=quiz.pk).update(closes_at=now + timedelta(hours=1))
    Enrolment.objects.create(course=course, section=section_b, student=other_student)
    services.accommodation_set(
        course=course, student=enrolled, quiz=quiz, closes_at=now + timedelta(hours=5)
    )
    take(enrolled, quiz, right=True, now=now + timedelta(hours=2))  # under the extension
    book = selectors.gradebook(course, now=now + timedelta(hours=3))
    assert cell_of(book, enrolled).status == "late"
    assert cell_of(book, other_student).status == "missing"
    early = selectors.gradebook(course, now=now)
    assert cell_of(early, other_student).status == "pending"


def test_sorting_and_the_section_filter(
    client, course, quiz, enrolled, other_student, section_b, instructor
):
    Enrolment.objects.create(course=course, section=section_b, student=other_student)
    take(other_student, quiz, right=True)
    client.force_login(instructor)
    url = reverse("course_gradebook", args=[course.slug])
    names = lambda r: [row.student.username for row in r.context["book"].rows]  # noqa: E731
    assert names(client.get(url)) == ["other_student", "student"]
    assert names(client.get(url, {"sort": "total", "dir": "desc"})) == ["other_student", "student"]
    assert names(client.get(url, {"sort": "total"})) == ["student", "other_student"]
    assert names(client.get(url, {"section": section_b.pk})) == ["other_student"]
    assert client.get(url, {"section": "x", "sort": "nonsense"}).status_code == 200


def build_class(course, quiz, make_user, n: int) -> None:
    sections = list(course.sections.all())
    for number in range(n):
        student = make_user(f"s{number}")
        Enrolment.objects.create(course=course, section=sections[number % 2], student=student)
        take(student, quiz, right=number % 2 == 0)
    services.accommodation_set(
        course=course, student=student, quiz=quiz, time_multiplier=2, extra_attempts=1
    )


# The session, the user, the instructor check (view and menu), the course, the sections for the
# filter, the footer's key versions (two), and the gradebook's own five: enrolments, quizzes,
# attempts, section times, accommodations.
GRADEBOOK_QUERIES = 13


@pytest.mark.parametrize("n", [2, 10])
def test_the_gradebook_costs_the_same_with_2_or_10_students(
    n, client, course, quiz, instructor, make_user, django_assert_num_queries
):
    build_class(course, quiz, make_user, n)
    client.force_login(instructor)
    url = reverse("course_gradebook", args=[course.slug])
    with django_assert_num_queries(GRADEBOOK_QUERIES):
        page = client.get(url)
    assert page.status_code == 200 and len(page.context["book"].rows) == n


def test_the_attempt_view_shows_choices_in_the_order_the_student_saw_them(
    client, course, quiz, enrolled, instructor
):
    attempt = take(enrolled, quiz, right=False)
    client.force_login(instructor)
    page = client.get(reverse("course_attempt", args=[course.slug, attempt.pk]))
    assert page.status_code == 200
    item = next(i for i in page.context["items"] if i.entry.question.answer_mode == "choice")
    question = item.entry.question
    seen = choice_order.shuffled(
        question.choices.all(), seed=attempt.choice_seed, question_id=question.pk
    )
    assert [c.choice for c in item.feedback.choices] == seen
    response = item.response
    assert item.letter == "ABC"[seen.index(response.choice)]
    # The key it was graded against is shown: the stored one on the response.
    assert item.feedback.stdout == response.graded_key["stdout"]


def test_an_override_updates_the_total_and_the_student_sees_the_reason(
    client, course, quiz, enrolled, instructor
):
    attempt = take(enrolled, quiz, right=False)
    response = attempt.responses.first()
    client.force_login(instructor)
    url = reverse("course_override", args=[course.slug, response.pk])
    prefix = f"r{response.pk}-"
    client.post(url, {prefix + "points": 2, prefix + "reason": "Accepted: same output."})
    attempt.refresh_from_db()
    assert attempt.score == 2
    change = GradeChange.objects.get()
    assert (change.changed_by, change.old_points, change.new_points) == (instructor, 0, 2)
    # Too many points, or no reason: refused with a message, nothing changes.
    client.post(url, {prefix + "points": 9, prefix + "reason": "x"})
    client.post(url, {prefix + "points": 1, prefix + "reason": " "})
    assert GradeChange.objects.count() == 1
    assert selectors.gradebook(course).rows[0].total == 2
    client.force_login(enrolled)
    result = client.get(reverse("attempt_result", args=[attempt.pk])).content.decode()
    assert "Accepted: same output." in result


def test_an_open_attempt_cannot_be_overridden(course, quiz, enrolled, instructor):
    attempt = quiz_services.start_attempt(user=enrolled, quiz=quiz)
    entry = quiz.quiz_questions.first()
    response = quiz_services.save_answer(attempt=attempt, quiz_question=entry, answer_text="x")
    with pytest.raises(services.CourseError, match="still open"):
        services.response_override(response=response, points=1, reason="r", by=instructor)


def test_a_changed_key_is_shown_side_by_side_and_regraded_only_when_applied(
    client, course, quiz, enrolled, instructor
):
    attempt = take(enrolled, quiz, right=True)
    entry = quiz.quiz_questions.get(question__answer_mode="typed")
    question = entry.question
    edit_the_snippet(question)
    client.force_login(instructor)
    url = reverse("course_regrade", args=[course.slug])
    page = client.get(url)
    [item] = page.context["items"]
    assert (item.old_correct, item.old_points) == (True, 2)
    assert (item.new_correct, item.new_points) == (False, 0)
    assert item.new_key["stdout"] != item.old_key["stdout"]
    attempt.refresh_from_db()
    assert attempt.score == 4  # shown, not applied
    client.post(url, {"response": [item.response.pk]})
    attempt.refresh_from_db()
    assert attempt.score == 2
    response = Response.objects.get(pk=item.response.pk)
    assert response.graded_key == question.answer_key
    assert GradeChange.objects.get().kind == GradeChange.Kind.REGRADE
    assert client.get(url).context["items"] == []


def test_the_csv_exports_are_streamed_and_match_the_command(
    client, course, quiz, enrolled, instructor, capsys
):
    take(enrolled, quiz, right=False)
    client.force_login(instructor)
    got = client.get(reverse("course_gradebook_csv", args=[course.slug]))
    assert got.streaming and got["Content-Type"] == "text/csv"
    page_csv = b"".join(got.streaming_content).decode()
    call_command("export_gradebook", course.slug)
    assert capsys.readouterr().out == page_csv
    rows = list(csv.DictReader(io.StringIO(page_csv)))
    assert rows[0]["username"] == "student" and rows[0]["section"] == "A"
    assert rows[0][quiz.slug] == "0" and rows[0]["total"] == "0"

    got = client.get(reverse("course_responses_csv", args=[course.slug]))
    assert got.streaming
    responses = list(csv.DictReader(io.StringIO(b"".join(got.streaming_content).decode())))
    assert len(responses) == 2
    by_slug = {row["question_slug"]: row for row in responses}
    choice_row = next(r for r in responses if r["misconception"] or r["answer"].startswith("["))
    assert set(by_slug) == {e.question.slug for e in quiz.quiz_questions.all()}
    assert all(row["section"] == "A" and row["correct"] == "false" for row in responses)
    assert choice_row["points"] == "0"
    call_command("export_gradebook", course.slug, "--responses")
    assert len(list(csv.reader(io.StringIO(capsys.readouterr().out)))) == 3


def test_the_responses_export_names_the_chosen_misconception(course, quiz, enrolled):
    entry = quiz.quiz_questions.get(question__answer_mode="choice")
    question = entry.question
    wrong = question.choices.exclude(
        pk__in=[c.pk for c in grading.matching_choices(question, question.answer_key)]
    ).first()
    wrong.misconception = "b = a copies the list"
    wrong.save()
    take(enrolled, quiz, right=False)
    from courses import export

    rows = list(export.response_rows(selectors.course_responses(course=course)))
    header, data = rows[0], rows[1:]
    row = next(dict(zip(header, r, strict=True)) for r in data if r[4] == question.slug)
    assert row["misconception"] == "b = a copies the list"


def test_a_formula_in_an_answer_stays_text_in_the_csv():
    from courses import export

    assert list(export.csv_lines([["=HYPERLINK(1)", "-1", "+2"]])) == ["'=HYPERLINK(1),-1,'+2\r\n"]


def test_export_gradebook_refuses_an_unknown_course():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No course"):
        call_command("export_gradebook", "nope")


def test_a_regrade_diagnoses_the_answer_again_against_the_new_key(
    client, course, quiz, enrolled, instructor
):
    """The misconceptions an answer is said to show follow its grade: a regrade stores them
    with the points (they were left as the old key's)."""
    take(enrolled, quiz, right=True)
    entry = quiz.quiz_questions.get(question__answer_mode="typed")
    stale = Response.objects.filter(quiz_question=entry)
    stale.update(matched_misconceptions=["diagnosed-under-the-old-key"])
    question = entry.question
    edit_the_snippet(question)
    client.force_login(instructor)
    url = reverse("course_regrade", args=[course.slug])
    client.post(url, {"response": [stale.get().pk]})
    response = stale.get()
    question.refresh_from_db()
    assert response.matched_misconceptions == grading.diagnosed_misconceptions(
        question, question.answer_key, answer_text=response.answer_text
    )
