"""A simulated class: eight students of a course take a three-question quiz through the real
services (start, answer, submit) against keys the grader computed; one takes it twice.

PLAN says what each student answers, so the tests can build the score matrix they expect from
it, independently of what the app stores."""

import pytest
from django.contrib.auth.models import Group

from content.models import ConceptPage
from courses import services
from courses.models import Enrolment
from quizzes import grading
from quizzes import services as quiz_services
from quizzes.models import Question, Quiz
from tests.helpers import ALIASING_SNIPPET, RAISING_SNIPPET

POINTS = 2
RIGHT = object()
# The choice question's choices, in order: index 1 is the real output (from the key).
WRONG_CHOICES = {0: "[1, 2]\nFalse", 2: "[1, 2, 3]\nFalse", 3: "[1, 2]\nTrue"}
MISCONCEPTIONS = {0: "assignment copies", 2: "is compares values", 3: "assignment copies"}
RIGHT_CHOICE = 1
# Per student: (typed answer to the aliasing question, choice index, typed answer to the raising
# question); RIGHT means the key's own text.
PLAN = [
    (RIGHT, 1, RIGHT),
    (RIGHT, 1, RIGHT),
    (RIGHT, 1, "before"),
    (RIGHT, 0, "before"),
    ("[1, 2]\nFalse", 1, RIGHT),
    ("[1, 2]\nFalse", 2, "before"),
    ("[1, 2]", 3, "before\nafter"),
    (RIGHT, 0, "before"),
]
SECOND_ATTEMPT = ("[1, 2]", 0, "after")  # student 0 again, all wrong


@pytest.fixture
def class_quiz(make_question, make_quiz):
    aliasing = make_question(ALIASING_SNIPPET, slug="aliasing-typed")
    choice = make_question(
        ALIASING_SNIPPET,
        mode=Question.AnswerMode.CHOICE,
        slug="aliasing-choice",
        choices=lambda key: [
            WRONG_CHOICES[0],
            grading.expected_text(key),
            WRONG_CHOICES[2],
            WRONG_CHOICES[3],
        ],
    )
    for index, label in MISCONCEPTIONS.items():
        choice.choices.filter(order=index).update(misconception=label)
    raising = make_question(RAISING_SNIPPET, slug="unhashable-key")
    return make_quiz(
        [aliasing, choice, raising],
        points=POINTS,
        max_attempts=2,
        slug="memory-quiz",
        title="Memory quiz",
    )


@pytest.fixture
def course(instructor, class_quiz, topic):
    course = services.course_create(
        title="Python memory",
        slug="pymem",
        instructors=[instructor],
        topics=[topic],
        sections=["A"],
    )
    services.course_quiz_assign(course=course, quiz=class_quiz)
    ConceptPage.objects.create(
        topic=topic, slug="names-and-objects", title="Names and objects", body="Names."
    )
    return course


def answer(student, quiz, plan):
    """One submitted attempt of `quiz` by `student`, answering as `plan` says."""
    attempt = quiz_services.start_attempt(user=student, quiz=Quiz.objects.get(pk=quiz.pk))
    entries = list(quiz.quiz_questions.select_related("question").order_by("order"))
    for entry, planned in zip(entries, plan, strict=True):
        question = entry.question
        if question.answer_mode == Question.AnswerMode.CHOICE:
            choice = question.choices.get(order=planned)
            quiz_services.save_answer(attempt=attempt, quiz_question=entry, choice=choice)
        else:
            text = grading.expected_text(question.answer_key) if planned is RIGHT else planned
            quiz_services.save_answer(attempt=attempt, quiz_question=entry, answer_text=text)
    return quiz_services.submit_attempt(attempt=attempt)


def expected_row(plan) -> list[float]:
    typed, choice, raising = plan
    return [
        POINTS if typed is RIGHT else 0,
        POINTS if choice == RIGHT_CHOICE else 0,
        POINTS if raising is RIGHT else 0,
    ]


@pytest.fixture
def enrol(course, make_user):
    def enrol(name: str):
        student = make_user(name)
        Enrolment.objects.create(course=course, section=course.sections.get(), student=student)
        return student

    return enrol


@pytest.fixture
def simulated_class(course, class_quiz, enrol):
    """The class of PLAN, in order; student 0 has a second attempt."""
    students = []
    for number, plan in enumerate(PLAN):
        student = enrol(f"learner{number}")
        answer(student, class_quiz, plan)
        students.append(student)
    answer(students[0], class_quiz, SECOND_ATTEMPT)
    return students


@pytest.fixture
def other_instructor(make_user):
    user = make_user("other_instructor", is_staff=True)
    user.groups.add(Group.objects.get(name="Instructors"))
    return user
