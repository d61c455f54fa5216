"""Reads for item analysis, never a write: a quiz's score matrix (first attempts, or all) with its
choices' shares and wrong typed answers, and a course's most chosen misconceptions per topic.

Each in a fixed number of queries however many students or attempts (pinned by tests/analytics):
scoping to a course goes through courses.selectors (its enrolments and course quizzes).
"""

from collections import Counter, defaultdict
from collections.abc import Iterable

from django.db.models import Q

from analytics import statistics, variant_choices
from analytics.presentation import (
    NO_LABEL,
    RIGHT_ANSWER,
    ChoiceGroup,
    ChoiceShare,
    ItemRow,
    QuizAnalysis,
    TopicMisconception,
    TopicMisconceptions,
    WrongAnswer,
)
from analytics.variant_facility import variant_facilities
from content.models import ConceptPage
from courses import selectors as course_selectors
from courses.export import answer_text
from courses.models import Course, CourseQuiz, Enrolment
from courses.services import counted_points
from quizzes import grading
from quizzes.models import Attempt, Question, QuestionVariant, Quiz, QuizQuestion, Response
from quizzes.variant_services import variant_label

WRONG_ANSWERS_SHOWN = 5


def _first_per_student(attempts: Iterable[Attempt]) -> list[Attempt]:
    """Each student's lowest-numbered submitted attempt (of each quiz)."""
    first: dict[tuple[int, int], Attempt] = {}
    for attempt in attempts:
        key = (attempt.user_id, attempt.quiz_id)
        if key not in first or attempt.number < first[key].number:
            first[key] = attempt
    return sorted(first.values(), key=lambda a: (a.user_id, a.quiz_id))


def analysed_attempts(
    quiz: Quiz, *, course: Course | None = None, all_attempts: bool = False
) -> list[Attempt]:
    """Submitted attempts of `quiz` (by the course's students): each student's first, or all
    (Moodle's default and its option). One query."""
    attempts = Attempt.objects.filter(quiz=quiz, submitted_at__isnull=False)
    if course is not None:
        attempts = attempts.filter(
            user__in=Enrolment.objects.filter(course=course).values("student")
        )
    attempts = attempts.order_by("user_id", "number")
    return list(attempts) if all_attempts else _first_per_student(attempts)


def _responses(quiz: Quiz, course: Course | None) -> Iterable[Response]:
    if course is not None:
        return course_selectors.course_responses(course=course, quiz=quiz)
    return Response.objects.filter(
        attempt__quiz=quiz, attempt__submitted_at__isnull=False
    ).select_related("choice", "variant")


def _right_choices(question: Question) -> set[int]:
    if not grading.is_valid_key(question.answer_key):
        return set()
    return {c.pk for c in grading.matching_choices(question.choices.all(), question.answer_key)}


def _choice_groups(
    question: Question, chosen: Counter[int], n: int
) -> tuple[list[ChoiceGroup], int]:
    """Each choice's share of the analysed attempts, grouped by its misconception label (the
    right choice in a group of its own), the most chosen group first; and the unanswered."""
    right = _right_choices(question)
    rows = []
    for choice in question.choices.all():
        is_right = choice.pk in right
        label = RIGHT_ANSWER if is_right else (choice.misconception.strip() or NO_LABEL)
        count = chosen.get(choice.pk, 0)
        rows.append((label, is_right, ChoiceShare(choice.text, count, _share(count, n))))
    return variant_choices.grouped(rows, n), n - sum(chosen.values())


def _share(count: int, n: int) -> float:
    return count / n if n else 0.0


def _typed_text(response: Response) -> str:
    """The answer as the student gave it, whitespace as the grader ignores it."""
    text = answer_text(response)
    return "\n".join(grading.normalise(text)) if not response.says_prints_nothing else text


def quiz_analysis(
    quiz: Quiz, *, course: Course | None = None, all_attempts: bool = False
) -> QuizAnalysis:
    """Item analysis of `quiz` (taken by `course`'s students, or by anyone): four queries, two
    more for a quiz with parameterised choice questions (the variants given, their keys)."""
    entries = list(
        QuizQuestion.objects.filter(quiz=quiz)
        .select_related("question__topic")
        .prefetch_related("question__choices")
        .order_by("order", "pk")
    )
    attempts = analysed_attempts(quiz, course=course, all_attempts=all_attempts)
    row_of = {attempt.pk: index for index, attempt in enumerate(attempts)}
    column_of = {entry.pk: index for index, entry in enumerate(entries)}
    matrix = [[0.0] * len(entries) for _ in attempts]
    chosen: dict[int, Counter[int]] = defaultdict(Counter)
    wrong: dict[int, Counter[str]] = defaultdict(Counter)
    given: dict[int, dict[QuestionVariant, list[float]]] = defaultdict(lambda: defaultdict(list))
    # A parameterised choice question's choices, counted per variant: variant id -> choice id.
    chosen_in: dict[int, dict[int, Counter[int]]] = defaultdict(lambda: defaultdict(Counter))
    for response in _responses(quiz, course):
        at, column = row_of.get(response.attempt_id), column_of.get(response.quiz_question_id)
        if at is None or column is None:
            continue
        matrix[at][column] = float(counted_points(response))
        if response.variant is not None:
            given[column][response.variant].append(float(counted_points(response)))
        if (
            response.choice_id is not None
            and entries[column].question.answer_mode == Question.AnswerMode.CHOICE
        ):
            chosen[column][response.choice_id] += 1
            if response.variant_id is not None:
                chosen_in[column][response.variant_id][response.choice_id] += 1
        elif response.is_correct is False:
            wrong[column][_typed_text(response)] += 1
    items, test = statistics.analyse(matrix, [float(e.points) for e in entries])
    n = len(attempts)
    given_variants = variant_choices.given_variants(entries, set(row_of))
    rows = []
    for column, (entry, stats) in enumerate(zip(entries, items, strict=True)):
        item = ItemRow(entry=entry, stats=stats)
        if variant_choices.is_parameterised_choice(entry.question):
            # Labelled per variant: each variant's own key and rendered choices.
            item.choice_groups, item.unanswered, item.variant_choices = variant_choices.shares(
                entry.question, n, given_variants[entry.pk], chosen_in[column]
            )
        elif entry.question.answer_mode == Question.AnswerMode.CHOICE:
            item.choice_groups, item.unanswered = _choice_groups(entry.question, chosen[column], n)
        item.wrong_answers = [
            WrongAnswer(text, count, _share(count, n))
            for text, count in wrong[column].most_common(WRONG_ANSWERS_SHOWN)
        ]
        item.variants = _variant_rows(given[column], float(entry.points))
        rows.append(item)
    return QuizAnalysis(quiz=quiz, all_attempts=all_attempts, rows=rows, test=test)


def _variant_rows(given: dict[QuestionVariant, list[float]], max_points: float):
    """Facility per variant answered (analytics.variant_facility), in the variants' order."""
    ordered = sorted(given.items(), key=lambda item: item[0].index)
    scores = {variant_label(variant): points for variant, points in ordered}
    return variant_facilities(scores, max_points) if scores else []


def course_misconceptions(course: Course) -> list[TopicMisconceptions]:
    """The misconceptions the course's students showed on their first attempts, per topic of the
    questions, most often first, with the topic's published concept pages (no model links a
    misconception to a page). A misconception is shown by a wrong choice carrying its label, or
    by answering "true" to a true/false claim that is false and carries one. Five queries."""
    quizzes = CourseQuiz.objects.filter(course=course).values("quiz")
    attempts = Attempt.objects.filter(
        quiz__in=quizzes,
        submitted_at__isnull=False,
        user__in=Enrolment.objects.filter(course=course).values("student"),
    ).only("pk", "user_id", "quiz_id", "number")
    first = {attempt.pk for attempt in _first_per_student(attempts)}
    believed_claims = Q(
        quiz_question__question__answer_mode=Question.AnswerMode.TRUE_FALSE,
        answer_text=grading.TRUE,
    )
    wrong = (
        course_selectors.course_responses(course=course)
        .filter(Q(choice__isnull=False) | believed_claims, is_correct=False)
        .select_related("quiz_question__question__topic")
        .prefetch_related("quiz_question__question__choices")
    )
    counts: Counter[tuple[int, str]] = Counter()
    questions: dict[tuple[int, str], dict[int, Question]] = defaultdict(dict)
    topics = {}
    for response in wrong:
        question = response.quiz_question.question
        label = _shown_misconception(response, question)
        if response.attempt_id not in first or not label:
            continue
        key = (question.topic_id, label)
        counts[key] += 1
        questions[key][question.pk] = question
        topics[question.topic_id] = question.topic
    pages = defaultdict(list)
    for page in ConceptPage.objects.filter(topic_id__in=list(topics), is_published=True):
        pages[page.topic_id].append(page)
    result = []
    for topic_id, topic in topics.items():
        found = [
            TopicMisconception(label, count, list(questions[(topic_id, label)].values()))
            for (t, label), count in counts.most_common()
            if t == topic_id
        ]
        result.append(TopicMisconceptions(topic=topic, misconceptions=found, pages=pages[topic_id]))
    result.sort(key=lambda t: (-t.total, getattr(t.topic, "order", 0)))
    return result


def _shown_misconception(response: Response, question: Question) -> str:
    """The label of the misconception a wrong answer shows ("" for none)."""
    if response.choice is not None:
        return response.choice.misconception.strip()
    claims = list(question.choices.all())  # a true/false question's one claim
    return claims[0].misconception.strip() if len(claims) == 1 else ""
