"""seed_demo makes the demo course: the demo instructor teaches it, the demo student is in its
section, every quiz is assigned; a second run adds new quizzes and keeps the rest."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from courses.models import Course, Enrolment

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_seed_demo_makes_the_demo_course(client, quiz, make_quiz, typed_question):
    out = run("seed_demo")
    course = Course.objects.get(slug="demo")
    assert f"/courses/join/{course.join_code}/" in out
    assert [u.username for u in course.instructors.all()] == ["instructor"]
    enrolment = Enrolment.objects.get(course=course)
    assert enrolment.student.username == "student"
    assert list(course.quizzes.all()) == [quiz]
    later = make_quiz([typed_question], slug="later", title="Later quiz")
    Enrolment.objects.filter(course=course).delete()  # the instructor removed the student
    assert "1 quiz(zes) newly assigned" in run("seed_demo")
    assert set(course.quizzes.all()) == {quiz, later}
    assert not Enrolment.objects.exists()  # kept as the instructor left it

    client.force_login(course.instructors.get())
    assert client.get(reverse("course_gradebook", args=["demo"])).status_code == 200


def test_the_demo_student_sees_the_demo_quizzes(client, quiz):
    run("seed_demo")
    client.force_login(Enrolment.objects.get().student)
    assert quiz.title.encode() in client.get(reverse("quiz_list")).content
