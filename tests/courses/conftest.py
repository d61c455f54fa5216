"""A course with two sections, an instructor, enrolled students and the shared quiz assigned."""

import pytest

from courses import services
from courses.models import Enrolment


@pytest.fixture
def course(instructor, quiz, topic):
    course = services.course_create(
        title="Python memory",
        slug="pymem",
        term="Autumn 2026",
        instructors=[instructor],
        topics=[topic],
        sections=["A", "B"],
    )
    services.course_quiz_assign(course=course, quiz=quiz)
    return course


@pytest.fixture
def section_a(course):
    return course.sections.get(name="A")


@pytest.fixture
def section_b(course):
    return course.sections.get(name="B")


@pytest.fixture
def enrolled(course, section_a, student):
    """`student`, enrolled in section A."""
    Enrolment.objects.create(course=course, section=section_a, student=student)
    return student


@pytest.fixture
def other_instructor(make_user):
    from django.contrib.auth.models import Group

    user = make_user("other_instructor", is_staff=True)
    user.groups.add(Group.objects.get(name="Instructors"))
    return user
