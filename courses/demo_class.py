"""A simulated class for the demo course (seed_demo), so that `make run` shows a gradebook, item
analysis and the misconception report with figures in them.

Twelve students, enrolled in the demo course's first section, each take the course's first two
open quizzes, once, through the real services (start, save, submit). Whether a
student answers a question right is drawn reproducibly from their ability and the question's
difficulty; a wrong answer is one a misconception predicts: a wrong choice (labelled ones first),
the output the grader computed for a misconception (Question.key_predictions), or "true" to a
false claim. No answer is typed in by hand. The students have no usable password: nobody logs in
as them. One of them has an accommodation, so the roster lists one.
"""

import logging
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from courses import services
from courses.models import Course, Enrolment
from quizzes import grading, rules, variant_services
from quizzes import services as quiz_services
from quizzes.models import Attempt, Question, Quiz

logger = logging.getLogger(__name__)

CLASS_SIZE = 12
QUIZZES_TAKEN = 2
USERNAME = "demo-learner-{:02d}"


def demo_class_seed(
    *, course: Course, size: int = CLASS_SIZE, quizzes: int = QUIZZES_TAKEN
) -> list[Attempt]:
    """Make the simulated class in `course` unless its first student exists already (then the
    class is left as it is). Returns the attempts it submitted."""
    User = get_user_model()
    if User.objects.filter(username=USERNAME.format(1)).exists():
        return []
    section = course.sections.order_by("pk").first()
    now = timezone.now()
    candidates = [
        cq.quiz
        for cq in course.course_quizzes.select_related("quiz").order_by("order", "pk")
        if cq.quiz.is_published
        and rules.quiz_state(cq.quiz, now, user_id=None) == "open"
        and cq.quiz.quiz_questions.exists()
    ][:quizzes]
    if section is None or not candidates:
        return []  # nothing to take: no class is made
    students = []
    for number in range(1, size + 1):
        student = User(username=USERNAME.format(number))
        student.set_unusable_password()
        student.save()
        Enrolment.objects.create(course=course, section=section, student=student)
        students.append(student)
    taken: list[Quiz] = []
    attempts: list[Attempt] = []
    for quiz in candidates:
        try:
            for position, student in enumerate(students):
                ability = 0.3 + 0.65 * position / max(1, size - 1)
                draw = random.Random(f"{student.username}:{quiz.slug}")
                attempts.append(_take(student, quiz, draw, ability))
        except quiz_services.QuizUnavailable:
            continue  # the section's times keep it closed: the class skips it
        taken.append(quiz)
    if taken:
        services.accommodation_set(
            course=course,
            student=students[0],
            quiz=taken[0],
            time_multiplier=1.5,
            note="demo: extra time",
        )
    logger.info("Demo class: %d students, %d attempts", len(students), len(attempts))
    return attempts


def _take(student, quiz: Quiz, draw: random.Random, ability: float) -> Attempt:
    attempt = quiz_services.start_attempt(user=student, quiz=Quiz.objects.get(pk=quiz.pk))
    entries = quiz.quiz_questions.select_related("question").prefetch_related("question__choices")
    for entry in entries:
        # A parameterised question is answered as the variant this attempt was given.
        variant = variant_services.attempt_variant(attempt, entry)
        question = variant_services.as_seen(entry.question, variant)
        if not grading.is_valid_key(question.answer_key):
            continue
        chance = ability - 0.15 * (question.difficulty - 2)
        answer = _answer(question, right=draw.random() < chance, draw=draw)
        if answer is not None:
            quiz_services.save_answer(attempt=attempt, quiz_question=entry, **answer)
    return quiz_services.submit_attempt(attempt=attempt)


def _answer(question: Question, *, right: bool, draw: random.Random) -> dict | None:
    """save_answer's keyword arguments for a right or a wrong answer; None: left unanswered
    (no wrong answer is known for the question)."""
    key = question.answer_key
    if question.answer_mode == Question.AnswerMode.CHOICE:
        choices = list(question.choices.all())
        rights = grading.matching_choices(choices, key)
        wrongs = [c for c in choices if c not in rights]
        labelled = [c for c in wrongs if c.misconception.strip()] or wrongs
        pool = rights if right or not labelled else labelled
        return {"choice": draw.choice(pool)} if pool else None
    if question.answer_mode == Question.AnswerMode.TRUE_FALSE:
        claims = list(question.choices.all())
        if len(claims) != 1:
            return None
        truth = grading.true_false_answer(claims[0], key)
        wrong = grading.FALSE if truth == grading.TRUE else grading.TRUE
        return {"answer_text": truth if right else wrong}
    if right:
        return _typed(grading.expected_text(key))
    predicted = [
        grading.expected_text(outcome)
        for outcome in (question.key_predictions or {}).values()
        if grading.prediction_differs(key, outcome)
    ]
    return _typed(draw.choice(sorted(predicted))) if predicted else None


def _typed(text: str) -> dict:
    return {"answer_text": text} if text else {"says_prints_nothing": True}
