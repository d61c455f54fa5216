"""Instructors see and manage only their own courses (issue 15 §1), checked on every instructor
address the site has, not a hand-kept list: each pattern of courses.urls and analytics.urls with a
course in it answers another instructor 404 (or 405 for a method it never takes) and changes
nothing; the admin lists none of another instructor's rows and reaches none of their pages; the
admin's attempts and class results show one's own classes and the shared library's quizzes only.
"""

import pytest
from django.urls import URLPattern, get_resolver, reverse

from courses import services
from courses.models import Accommodation, Course, Enrolment, GradeChange, SectionTimes
from quizzes.models import Attempt
from tests.courses.test_gradebook import take

pytestmark = pytest.mark.django_db


@pytest.fixture
def class_of_mine(course, quiz, enrolled, section_a):
    """`course` with a submitted attempt, an accommodation and a section's times."""
    attempt = take(enrolled, quiz, right=True)
    accommodation = services.accommodation_set(
        course=course, student=enrolled, quiz=quiz, extra_minutes=5
    )
    services.section_times_set(course_quiz=course.course_quizzes.get(), section=section_a)
    return {
        "attempt": attempt,
        "response": attempt.responses.first(),
        "accommodation": accommodation,
        "student": enrolled,
    }


@pytest.fixture
def theirs(other_instructor, quiz, other_student):
    """Another instructor's course with the same (shared) quiz and a student who took it."""
    course = services.course_create(
        title="Theirs", slug="theirs", instructors=[other_instructor], sections=["X"]
    )
    services.course_quiz_assign(course=course, quiz=quiz)
    Enrolment.objects.create(course=course, section=course.sections.get(), student=other_student)
    attempt = take(other_student, quiz, right=False)
    services.accommodation_set(course=course, student=other_student, quiz=quiz, extra_minutes=9)
    return {"course": course, "attempt": attempt}


def instructor_patterns() -> list[URLPattern]:
    """Every page of courses and analytics that names a course (an instructor's)."""
    patterns = []
    for module in ("courses.urls", "analytics.urls"):
        for pattern in get_resolver(module).url_patterns:
            assert isinstance(pattern, URLPattern)
            if "<slug:slug>" in str(pattern.pattern):
                patterns.append(pattern)
    return patterns


def url_of(pattern: URLPattern, course: Course, quiz, objects: dict) -> str:
    """`pattern` filled in for `course`; a new kind of id fails here until it is named."""
    ids = {
        "course_attempt": objects["attempt"].pk,
        "course_override": objects["response"].pk,
        "course_accommodation_remove": objects["accommodation"].pk,
    }
    kwargs = {}
    for name in pattern.pattern.converters:
        if name == "slug":
            kwargs[name] = course.slug
        elif name == "quiz_slug":
            kwargs[name] = quiz.slug
        elif name == "user_pk":
            kwargs[name] = objects["student"].pk
        elif name == "pk":
            kwargs[name] = ids[pattern.name]
        else:
            raise AssertionError(f"{pattern.name}: what is <{name}>? Add it to url_of.")
    return reverse(pattern.name, kwargs=kwargs)


def test_every_instructor_address_is_a_404_to_another_instructor(
    client, course, quiz, class_of_mine, other_instructor, instructor
):
    patterns = instructor_patterns()
    assert len(patterns) >= 15  # 12 of courses, 3 of analytics
    code = course.join_code
    client.force_login(other_instructor)
    post = {"points": 0, "reason": "x", "student": class_of_mine["student"].pk, "quiz": quiz.pk}
    for pattern in patterns:
        url = url_of(pattern, course, quiz, class_of_mine)
        answers = {client.get(url).status_code, client.post(url, post).status_code}
        assert answers <= {404, 405} and 404 in answers, (pattern.name, answers)
    course.refresh_from_db()
    assert course.join_code == code
    assert Accommodation.objects.filter(pk=class_of_mine["accommodation"].pk).exists()
    assert not GradeChange.objects.exists()
    # The owner reaches each page the other instructor could not.
    client.force_login(instructor)
    for pattern in patterns:
        url = url_of(pattern, course, quiz, class_of_mine)
        answer = client.get(url).status_code
        assert answer in (200, 405), (pattern.name, answer)


ADMIN_MODELS = {
    "course": lambda theirs: theirs["course"],
    "enrolment": lambda theirs: Enrolment.objects.get(course=theirs["course"]),
    "accommodation": lambda theirs: Accommodation.objects.get(course=theirs["course"]),
    "sectiontimes": lambda theirs: services.section_times_set(
        course_quiz=theirs["course"].course_quizzes.get(),
        section=theirs["course"].sections.get(),
    ),
    "gradechange": lambda theirs: services.response_override(
        response=theirs["attempt"].responses.first(), points=0, reason="r", by=None
    ).grade_changes.get(),
}


@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_the_admin_neither_lists_nor_opens_another_instructors_rows(
    client, course, class_of_mine, theirs, instructor, model
):
    row = ADMIN_MODELS[model](theirs)
    client.force_login(instructor)
    listed = client.get(reverse(f"admin:courses_{model}_changelist"))
    assert listed.status_code == 200
    assert row.pk not in {r.pk for r in listed.context["cl"].queryset}
    for view in ("change", "delete", "history"):
        page = client.get(reverse(f"admin:courses_{model}_{view}", args=[row.pk]))
        # Django's admin answers a row out of reach with a redirect to its index ("does not
        # exist"), or 403 where the model may not be changed; never the row.
        assert page.status_code in (302, 403, 404), (view, page.status_code)
        assert page.status_code != 200
    assert type(row).objects.filter(pk=row.pk).exists()


def test_the_admins_attempts_and_results_are_ones_own_classes(
    client,
    course,
    quiz,
    class_of_mine,
    theirs,
    instructor,
    other_instructor,
    make_quiz,
    typed_question,
    make_user,
):
    """The quiz is in both courses: each instructor sees their own students' attempts only;
    an attempt at a quiz of no course (the shared library's) is seen by every instructor."""
    shared = make_quiz([typed_question], slug="library", title="Library quiz")
    loner = take(make_user("loner"), shared, right=True)
    mine, other = class_of_mine["attempt"], theirs["attempt"]
    for teacher, seen, unseen in ((instructor, mine, other), (other_instructor, other, mine)):
        client.force_login(teacher)
        listed = client.get(reverse("admin:quizzes_attempt_changelist"))
        assert set(listed.context["cl"].queryset) == {seen, loner}
        assert client.get(reverse("admin:quizzes_attempt_change", args=[seen.pk])).status_code
        hidden = client.get(reverse("admin:quizzes_attempt_change", args=[unseen.pk]))
        assert hidden.status_code == 302  # the admin's "does not exist" redirect
        results = client.get(reverse("admin:quizzes_quiz_results", args=[quiz.pk]))
        assert [row["user__username"] for row in results.context["students"]] == [
            seen.user.username
        ]
        assert results.context["attempt_count"] == 1
        assert "another instructor's class is not counted" in results.content.decode()
    assert Attempt.objects.count() == 3


def test_a_superuser_sees_every_class(client, admin_user, course, class_of_mine, theirs, quiz):
    client.force_login(admin_user)
    listed = client.get(reverse("admin:quizzes_attempt_changelist"))
    assert listed.context["cl"].queryset.count() == 2
    results = client.get(reverse("admin:quizzes_quiz_results", args=[quiz.pk]))
    assert results.context["attempt_count"] == 2
    assert SectionTimes.objects.count() == 1
