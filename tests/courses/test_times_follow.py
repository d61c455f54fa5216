"""An open attempt's deadline follows every change of what decides a student's times (issue 15 §2:
"changeable during an open attempt (the deadline moves)"), on each path an instructor has: an
accommodation set, extended or removed on the course page, deleted in the admin; a section's
times deleted; a quiz taken off a course; an enrolment or a whole course deleted. The student's
quiz page shows their own closing time and attempts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from courses import services
from courses.models import Accommodation, Enrolment, SectionTimes
from quizzes import services as quiz_services
from quizzes.models import Attempt, Quiz

pytestmark = pytest.mark.django_db


def fresh(quiz):
    return Quiz.objects.get(pk=quiz.pk)


def deadline_of(attempt) -> object:
    return Attempt.objects.get(pk=attempt.pk).deadline


@pytest.fixture
def closing(quiz):
    """The quiz closes in three hours, with no time limit: an attempt ends when it closes."""
    closes = timezone.now() + timedelta(hours=3)
    Quiz.objects.filter(pk=quiz.pk).update(closes_at=closes, time_limit_minutes=None)
    return closes


def test_an_extended_closing_time_moves_the_open_attempt_and_removing_it_moves_it_back(
    client, course, quiz, enrolled, instructor, closing
):
    attempt = quiz_services.start_attempt(user=enrolled, quiz=fresh(quiz))
    assert attempt.deadline == closing
    client.force_login(instructor)
    later = closing + timedelta(days=1)
    data = {
        "student": enrolled.pk,
        "quiz": quiz.pk,
        "time_multiplier": "1",
        "extra_minutes": "0",
        "extra_attempts": "2",
        "closes_at": timezone.localtime(later).strftime("%Y-%m-%dT%H:%M"),
        "note": "",
    }
    assert client.post(reverse("course_accommodation", args=[course.slug]), data).status_code == 302
    assert deadline_of(attempt) == later.replace(second=0, microsecond=0)
    # The student sees their own closing time and attempts on the quiz's page.
    client.force_login(enrolled)
    page = client.get(reverse("quiz_detail", args=[quiz.slug])).content.decode()
    from django.utils.formats import date_format

    assert date_format(timezone.localtime(later), "DATETIME_FORMAT") in page
    assert f"Attempts allowed: {quiz.max_attempts + 2}" in page
    # Removed on the course page: the usual closing time again.
    client.force_login(instructor)
    accommodation = Accommodation.objects.get()
    roster = client.get(reverse("course_detail", args=[course.slug])).content.decode()
    remove = reverse("course_accommodation_remove", args=[course.slug, accommodation.pk])
    assert f'action="{remove}"' in roster
    assert client.get(remove).status_code == 405  # a GET never removes
    assert client.post(remove).status_code == 302
    assert not Accommodation.objects.exists()
    assert deadline_of(attempt) == closing


def test_deleting_an_accommodation_in_the_admin_moves_the_deadline_back(
    client, course, quiz, enrolled, instructor
):
    Quiz.objects.filter(pk=quiz.pk).update(time_limit_minutes=20, closes_at=None)
    attempt = quiz_services.start_attempt(user=enrolled, quiz=fresh(quiz))
    accommodation = services.accommodation_set(
        course=course, student=enrolled, quiz=quiz, time_multiplier=2
    )
    assert deadline_of(attempt) == attempt.started_at + timedelta(minutes=40)
    client.force_login(instructor)
    url = reverse("admin:courses_accommodation_delete", args=[accommodation.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert deadline_of(attempt) == attempt.started_at + timedelta(minutes=20)


def test_deleting_accommodations_by_the_admins_action_moves_the_deadlines_back(
    client, course, quiz, enrolled, instructor
):
    Quiz.objects.filter(pk=quiz.pk).update(time_limit_minutes=20, closes_at=None)
    attempt = quiz_services.start_attempt(user=enrolled, quiz=fresh(quiz))
    accommodation = services.accommodation_set(
        course=course, student=enrolled, quiz=quiz, extra_minutes=15
    )
    client.force_login(instructor)
    data = {"action": "delete_selected", "_selected_action": [accommodation.pk], "post": "yes"}
    response = client.post(reverse("admin:courses_accommodation_changelist"), data)
    assert response.status_code == 302 and not Accommodation.objects.exists()
    assert deadline_of(attempt) == attempt.started_at + timedelta(minutes=20)


def test_deleting_a_sections_earlier_closing_gives_the_quiz_its_own_again(
    client, course, quiz, enrolled, section_a, instructor, closing
):
    times = services.section_times_set(
        course_quiz=course.course_quizzes.get(),
        section=section_a,
        closes_at=closing - timedelta(hours=2),
    )
    attempt = quiz_services.start_attempt(user=enrolled, quiz=fresh(quiz))
    assert attempt.deadline == closing - timedelta(hours=2)
    client.force_login(instructor)
    url = reverse("admin:courses_sectiontimes_delete", args=[times.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not SectionTimes.objects.exists()
    assert deadline_of(attempt) == closing


def course_change_post(client, course) -> dict:
    """The course's admin change form as the page fills it in (inline rows included)."""
    page = client.get(reverse("admin:courses_course_change", args=[course.pk]))
    form = page.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if hasattr(value, "all"):
            value = [row.pk for row in value.all()]
        elif isinstance(value, list):
            value = [getattr(row, "pk", row) for row in value]
        data[name] = "" if value is None else value
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form.initial
        management["TOTAL_FORMS"] = management["INITIAL_FORMS"]  # no new row
        data.update({f"{formset.prefix}-{k}": v for k, v in management.items()})
        for row in formset.initial_forms:
            for name in row.fields:
                value = row.initial.get(name, row.fields[name].initial)
                data[row.add_prefix(name)] = "" if value is None else getattr(value, "pk", value)
    return data


def test_taking_a_quiz_off_a_course_gives_its_students_the_quizs_own_times(
    client, course, quiz, enrolled, instructor, closing
):
    course_quiz = course.course_quizzes.get()
    services.course_quiz_assign(course=course, quiz=quiz, closes_at=closing - timedelta(hours=1))
    attempt = quiz_services.start_attempt(user=enrolled, quiz=fresh(quiz))
    assert attempt.deadline == closing - timedelta(hours=1)
    client.force_login(instructor)
    data = course_change_post(client, course)
    row = next(
        k
        for k, v in data.items()
        if k.startswith("course_quizzes-") and k.endswith("-id") and v == course_quiz.pk
    )
    data[row.replace("-id", "-DELETE")] = "on"
    url = reverse("admin:courses_course_change", args=[course.pk])
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert not course.course_quizzes.exists()
    assert deadline_of(attempt) == closing


def test_deleting_an_enrolment_or_a_course_gives_the_quizs_own_times(
    client, course, quiz, enrolled, other_student, section_b, instructor, closing
):
    services.course_quiz_assign(course=course, quiz=quiz, closes_at=closing - timedelta(hours=1))
    Enrolment.objects.create(course=course, section=section_b, student=other_student)
    first = quiz_services.start_attempt(user=enrolled, quiz=fresh(quiz))
    second = quiz_services.start_attempt(user=other_student, quiz=fresh(quiz))
    client.force_login(instructor)
    enrolment = Enrolment.objects.get(student=enrolled)
    url = reverse("admin:courses_enrolment_delete", args=[enrolment.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert deadline_of(first) == closing
    assert deadline_of(second) == closing - timedelta(hours=1)
    url = reverse("admin:courses_course_delete", args=[course.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert deadline_of(second) == closing
