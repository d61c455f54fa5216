"""seed_demo makes the demo course: the demo instructor teaches it, the demo student is in its
section, every quiz is assigned; a second run adds new quizzes and keeps the rest. Its simulated
class took the quizzes through the services, so the gradebook, item analysis and misconception
report the demo instructor opens under `make run` have figures in them."""

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
    out = run("seed_demo", "--no-class")
    course = Course.objects.get(slug="demo")
    assert f"/courses/join/{course.join_code}/" in out
    assert [u.username for u in course.instructors.all()] == ["instructor"]
    enrolment = Enrolment.objects.get(course=course)
    assert enrolment.student.username == "student"
    assert list(course.quizzes.all()) == [quiz]
    later = make_quiz([typed_question], slug="later", title="Later quiz")
    Enrolment.objects.filter(course=course).delete()  # the instructor removed the student
    assert "1 quiz(zes) newly assigned" in run("seed_demo", "--no-class")
    assert set(course.quizzes.all()) == {quiz, later}
    assert not Enrolment.objects.exists()  # kept as the instructor left it

    client.force_login(course.instructors.get())
    assert client.get(reverse("course_gradebook", args=["demo"])).status_code == 200


def test_the_demo_student_sees_the_demo_quizzes(client, quiz):
    run("seed_demo", "--no-class")
    client.force_login(Enrolment.objects.get().student)
    assert quiz.title.encode() in client.get(reverse("quiz_list")).content


def test_the_simulated_class_fills_the_gradebook_and_item_analysis(client, quiz):
    from analytics.selectors import quiz_analysis
    from courses.demo_class import CLASS_SIZE
    from courses.selectors import gradebook
    from quizzes.models import Attempt

    out = run("seed_demo")
    assert f"{CLASS_SIZE} attempts at {quiz.title}" in out
    course = Course.objects.get(slug="demo")
    learners = Enrolment.objects.filter(course=course, student__username__startswith="demo-")
    assert learners.count() == CLASS_SIZE
    assert not any(e.student.has_usable_password() for e in learners)
    attempts = Attempt.objects.filter(user__username__startswith="demo-")
    assert attempts.count() == CLASS_SIZE and all(a.submitted_at for a in attempts)
    book = gradebook(course)
    scores = {row.cells[0].score for row in book.rows if row.student.username.startswith("demo-")}
    assert len(scores) > 1  # abilities differ: not everyone scores the same
    analysis = quiz_analysis(quiz, course=course)
    assert analysis.test.n == CLASS_SIZE and analysis.test.sd
    # Each wrong choice drawn carries the misconception its choice is labelled with.
    for row in analysis.rows:
        for group in row.choice_groups:
            assert group.is_right or group.label, group
    # The roster lists the simulated accommodation.
    client.force_login(course.instructors.get())
    roster = client.get(reverse("course_detail", args=["demo"])).content.decode()
    assert "demo: extra time" in roster
    # Run again (as `make run` does on every start): nothing is added.
    assert "Simulated" not in run("seed_demo")
    assert Attempt.objects.count() == CLASS_SIZE


def test_the_simulated_class_answers_the_variant_each_student_was_given(
    instructor, topic, doubling, make_quiz
):
    """An answer meant right is right for the student's own variant, not the first variant's
    key (a student given another variant would be marked wrong with it)."""
    from courses import services as course_services
    from courses.demo_class import demo_class_seed
    from quizzes import grading, variant_services
    from quizzes.models import Response

    quiz = make_quiz([doubling], max_attempts=None)
    course = course_services.course_create(
        title="Demo", slug="demo", instructors=[instructor], topics=[topic], sections=["A"]
    )
    course_services.course_quiz_assign(course=course, quiz=quiz)
    demo_class_seed(course=course, quizzes=1)
    keys = [
        variant_services.as_seen(doubling, variant).answer_key
        for variant in doubling.variants.all()
    ]
    responses = list(Response.objects.filter(attempt__quiz=quiz).select_related("variant"))
    assert {response.variant.index for response in responses} != {0}
    meant_right = [
        r for r in responses if any(grading.answer_matches(r.answer_text, k) for k in keys)
    ]
    assert meant_right and all(response.is_correct for response in meant_right)
