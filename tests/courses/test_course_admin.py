"""The courses admin shows and offers an instructor only their own courses' rows."""

import pytest
from django.urls import reverse

from courses import services
from courses.models import Accommodation, Course

pytestmark = pytest.mark.django_db


@pytest.fixture
def theirs(other_instructor, quiz):
    course = services.course_create(
        title="Theirs", slug="theirs", instructors=[other_instructor], sections=["X"]
    )
    services.course_quiz_assign(course=course, quiz=quiz)
    return course


def test_the_course_list_holds_only_the_instructors_courses(client, course, theirs, instructor):
    client.force_login(instructor)
    page = client.get(reverse("admin:courses_course_changelist"))
    assert list(page.context["cl"].queryset) == [course]
    change = client.get(reverse("admin:courses_course_change", args=[theirs.pk]))
    assert change.status_code == 302  # the admin's "does not exist" redirect, nothing shown
    assert b"Theirs" not in client.get(change["Location"]).content


@pytest.mark.parametrize("model", ["enrolment", "sectiontimes", "accommodation", "gradechange"])
def test_every_courses_list_is_scoped(client, course, theirs, instructor, model, enrolled):
    client.force_login(instructor)
    page = client.get(reverse(f"admin:courses_{model}_changelist"))
    assert page.status_code == 200
    for row in page.context["cl"].queryset:
        course_of = getattr(row, "course", None) or getattr(row, "course_quiz", None).course
        assert course_of == course


def test_the_forms_offer_only_the_instructors_courses_and_sections(
    client, course, theirs, instructor
):
    client.force_login(instructor)
    page = client.get(reverse("admin:courses_accommodation_add"))
    form = page.context["adminform"].form
    assert list(form.fields["course"].queryset) == [course]
    page = client.get(reverse("admin:courses_enrolment_add"))
    form = page.context["adminform"].form
    assert set(form.fields["section"].queryset) == set(course.sections.all())


def test_saving_an_accommodation_in_the_admin_moves_the_open_deadline(
    client, course, quiz, instructor, enrolled
):
    from quizzes import services as quiz_services
    from quizzes.models import Attempt, Quiz

    Quiz.objects.filter(pk=quiz.pk).update(time_limit_minutes=20)
    attempt = quiz_services.start_attempt(user=enrolled, quiz=Quiz.objects.get(pk=quiz.pk))
    client.force_login(instructor)
    data = {
        "course": course.pk,
        "student": enrolled.pk,
        "quiz": quiz.pk,
        "time_multiplier": "1.5",
        "extra_minutes": "0",
        "extra_attempts": "0",
        "note": "",
    }
    response = client.post(reverse("admin:courses_accommodation_add"), data)
    assert response.status_code == 302, response.content[:2000]
    assert Accommodation.objects.count() == 1
    moved = Attempt.objects.get(pk=attempt.pk)
    assert (moved.deadline - moved.started_at).total_seconds() == 30 * 60


def test_a_course_made_in_the_admin_gets_a_join_code_and_its_author(client, instructor):
    client.force_login(instructor)
    data = {
        "title": "New",
        "slug": "new",
        "term": "",
        "sections-TOTAL_FORMS": 1,
        "sections-INITIAL_FORMS": 0,
        "sections-0-name": "A",
        "course_quizzes-TOTAL_FORMS": 0,
        "course_quizzes-INITIAL_FORMS": 0,
    }
    response = client.post(reverse("admin:courses_course_add"), data)
    assert response.status_code == 302, response.content[:3000]
    course = Course.objects.get(slug="new")
    assert len(course.join_code) >= 16 and list(course.instructors.all()) == [instructor]


def test_an_accommodation_that_does_not_fit_the_course_is_a_form_error(
    client, course, quiz, instructor, other_student, enrolled, make_quiz, typed_question
):
    """A student outside the course, a quiz of another of the instructor's courses, a
    multiplier below 1: form errors, never a 500."""
    elsewhere = make_quiz([typed_question], slug="elsewhere", title="Elsewhere")
    other = services.course_create(title="Other", slug="other", instructors=[instructor])
    services.course_quiz_assign(course=other, quiz=elsewhere)
    client.force_login(instructor)
    data = {
        "course": course.pk,
        "student": other_student.pk,
        "quiz": quiz.pk,
        "time_multiplier": "0.5",
        "extra_minutes": "0",
        "extra_attempts": "0",
    }
    url = reverse("admin:courses_accommodation_add")
    page = client.post(url, data)
    assert page.status_code == 200
    assert "student" in page.context["adminform"].form.errors
    page = client.post(url, data | {"student": enrolled.pk, "quiz": elsewhere.pk})
    assert "not assigned" in str(page.context["adminform"].form.errors["quiz"])
    page = client.post(url, data | {"student": enrolled.pk})
    assert page.status_code == 200 and page.context["adminform"].form.errors
    assert not Accommodation.objects.exists()


def test_section_times_for_a_section_of_another_course_is_a_form_error(
    client, course, quiz, instructor
):
    """Both courses are the instructor's, so both are offered: the pair must still match."""
    from courses.models import SectionTimes

    other = services.course_create(
        title="Other", slug="other", instructors=[instructor], sections=["Z"]
    )
    client.force_login(instructor)
    data = {
        "course_quiz": course.course_quizzes.get().pk,
        "section": other.sections.get().pk,
        "opens_at_0": "",
        "opens_at_1": "",
        "closes_at_0": "",
        "closes_at_1": "",
    }
    page = client.post(reverse("admin:courses_sectiontimes_add"), data)
    assert page.status_code == 200
    assert "another course" in str(page.context["adminform"].form.errors["section"])
    assert not SectionTimes.objects.exists()
