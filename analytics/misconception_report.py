"""Reads for a course's misconception report (issue 16 §4), never a write: which misconceptions
the course's students' answers matched, how often, per week, per topic and per student, and the
questions that diagnose each one.

What an answer matched is what grading recorded on it (Response.matched_misconceptions: the
catalogue ids whose prediction a wrong answer equals, and the labels of a typed question's known
wrong answers it equals); nothing is diagnosed again here. Every submitted attempt of the course's
quizzes by its students counts, each answer in the week it was given (site time zone, weeks start
on Monday). At most four queries however many students or answers: the answers, the questions
that diagnose the catalogue ids, their concept pages, the known wrong answers of the other labels
(a query with nothing to look up is not sent).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone

from courses import selectors as course_selectors
from courses.models import Course, CourseQuiz, Section
from quizzes import grading, misconceptions
from quizzes.models import KnownWrongAnswer, Question, QuizQuestion


@dataclass(frozen=True)
class Match:
    """One misconception one answer matched."""

    misconception: str
    week: date
    topic_id: int
    topic: str
    topic_order: int
    student_id: int
    username: str


@dataclass(frozen=True)
class DiagnosingQuestion:
    """A question a wrong answer to which can show the misconception."""

    pk: int
    slug: str
    title: str
    is_published: bool
    in_course: bool  # in one of the course's quizzes


@dataclass
class Misconception:
    """One matched misconception: a catalogue id (its belief, rule and concept page), or the
    label of a known wrong answer outside the catalogue."""

    label: str
    belief: str
    rule: str = ""
    page_title: str = ""
    page_url: str = ""
    questions: list[DiagnosingQuestion] = field(default_factory=list)

    @property
    def is_catalogue(self) -> bool:
        return misconceptions.is_catalogue_id(self.label)


@dataclass
class Row:
    """How often one misconception was matched in each week (of the report's weeks), within
    one group: the whole course, a topic or a student."""

    group: str
    misconception: Misconception
    counts: list[int]
    group_id: int | None = None  # the topic's or the student's pk

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass
class MisconceptionReport:
    course: Course
    section: Section | None  # None: every section
    weeks: list[date]  # every week from the first match's to the last's, gaps included
    course_rows: list[Row]  # one per misconception, most matched first
    topic_rows: list[Row]  # per topic (in course order), most matched first within it
    student_rows: list[Row]  # per student (by username), most matched first within each

    @property
    def largest_count(self) -> int:
        """The largest weekly count of any row: the charts' common scale."""
        return max((max(row.counts) for row in self.course_rows), default=0)


def week_of(moment: datetime) -> date:
    """The Monday of the week `moment` falls in, in the site's time zone."""
    day = timezone.localtime(moment).date()
    return day - timedelta(days=day.weekday())


def weeks_spanning(weeks: Iterable[date]) -> list[date]:
    """Every week from the earliest to the latest of `weeks` (Mondays), none left out."""
    weeks = sorted(set(weeks))
    if not weeks:
        return []
    count = (weeks[-1] - weeks[0]).days // 7 + 1
    return [weeks[0] + timedelta(weeks=n) for n in range(count)]


def _rows(
    matches: list[Match], weeks: list[date], group_of, order_of, found: dict[str, Misconception]
) -> list[Row]:
    """One row per (group, misconception) matched (`group_of`: a match's group name and pk),
    groups in `order_of` order, the most matched misconception first within a group (then by
    label)."""
    column = {week: index for index, week in enumerate(weeks)}
    counts: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(weeks))
    orders = {}
    for match in matches:
        group = group_of(match)
        counts[(group, match.misconception)][column[match.week]] += 1
        orders[group] = order_of(match)
    rows = [
        Row(name, found[misconception], weekly, group_id)
        for ((name, group_id), misconception), weekly in counts.items()
    ]
    rows.sort(
        key=lambda row: (
            orders[(row.group, row.group_id)],
            row.group,
            -row.total,
            row.misconception.label,
        )
    )
    return rows


def tally(matches: list[Match], found: dict[str, Misconception]) -> tuple[list, list, list, list]:
    """The weeks, and the course's, topics' and students' rows of `matches` (pure)."""
    weeks = weeks_spanning(match.week for match in matches)
    course_rows = _rows(matches, weeks, lambda m: ("", None), lambda m: 0, found)
    topic_rows = _rows(
        matches, weeks, lambda m: (m.topic, m.topic_id), lambda m: m.topic_order, found
    )
    student_rows = _rows(matches, weeks, lambda m: (m.username, m.student_id), lambda m: 0, found)
    return weeks, course_rows, topic_rows, student_rows


def course_matches(course: Course, section: Section | None = None) -> list[Match]:
    """Every misconception matched by a wrong answer in a submitted attempt of the course's
    quizzes by its students (of `section`). One query."""
    answers = (
        course_selectors.course_responses(course=course, section=section)
        .filter(is_correct=False)
        .values_list(
            "matched_misconceptions",
            "answered_at",
            "quiz_question__question__topic_id",
            "quiz_question__question__topic__title",
            "quiz_question__question__topic__order",
            "attempt__user_id",
            "attempt__user__username",
        )
    )
    return [
        Match(label, week_of(answered_at), topic_id, topic, order, student_id, username)
        for matched, answered_at, topic_id, topic, order, student_id, username in answers
        for label in matched or []
    ]


def _in_course(course: Course, question_ref: str) -> Exists:
    course_quizzes = CourseQuiz.objects.filter(course=course).values("quiz")
    return Exists(
        QuizQuestion.objects.filter(question=OuterRef(question_ref), quiz__in=course_quizzes)
    )


def _shown(question: DiagnosingQuestion) -> bool:
    return question.in_course or question.is_published


def _sorted(questions: Iterable[DiagnosingQuestion]) -> list[DiagnosingQuestion]:
    return sorted(questions, key=lambda q: (not q.in_course, q.slug))


def diagnosing_questions(course: Course, ids: list[str]) -> dict[str, list[DiagnosingQuestion]]:
    """For each catalogue id, the questions whose stored predictions differ from their key for
    it (a wrong answer to them can show it): those of the course's quizzes first, then the bank's
    published ones. One query (none without ids)."""
    found: dict[str, list[DiagnosingQuestion]] = {misconception: [] for misconception in ids}
    if not ids:
        return found
    questions = (
        Question.objects.filter(key_predictions__has_any_keys=ids)
        .annotate(in_course=_in_course(course, "pk"))
        .only("pk", "slug", "title", "is_published", "answer_key", "key_predictions")
    )
    for question in questions:
        if not grading.is_valid_key(question.answer_key):
            continue
        entry = DiagnosingQuestion(
            question.pk, question.slug, question.title, question.is_published, question.in_course
        )
        predictions = question.key_predictions or {}
        for misconception in ids:
            predicted = predictions.get(misconception)
            if predicted and grading.prediction_differs(question.answer_key, predicted):
                found[misconception].append(entry)
    return {m: _sorted(filter(_shown, questions)) for m, questions in found.items()}


def labelled_questions(course: Course, labels: list[str]) -> dict[str, list[DiagnosingQuestion]]:
    """For each label outside the catalogue, the typed questions with a known wrong answer
    carrying it. One query (none without labels)."""
    found: dict[str, dict[int, DiagnosingQuestion]] = {label: {} for label in labels}
    if not labels:
        return {}
    answers = (
        KnownWrongAnswer.objects.filter(misconception__in=labels)
        .annotate(in_course=_in_course(course, "question"))
        .select_related("question")
        .only("misconception", "question__slug", "question__title", "question__is_published")
    )
    for answer in answers:
        question = answer.question
        found[answer.misconception][question.pk] = DiagnosingQuestion(
            question.pk, question.slug, question.title, question.is_published, answer.in_course
        )
    return {
        label: _sorted(filter(_shown, questions.values())) for label, questions in found.items()
    }


def misconception_report(course: Course, section: Section | None = None) -> MisconceptionReport:
    """The course's misconception report (of the students of `section`, or all); at most four
    queries (see the module's docstring)."""
    matches = course_matches(course, section)
    labels = sorted({match.misconception for match in matches})
    ids = [label for label in labels if misconceptions.is_catalogue_id(label)]
    free = [label for label in labels if not misconceptions.is_catalogue_id(label)]
    found = {label: Misconception(label, label) for label in free}
    for diagnosis in misconceptions.diagnoses(ids):
        found[diagnosis.misconception] = Misconception(
            diagnosis.misconception,
            diagnosis.belief,
            diagnosis.rule,
            diagnosis.page_title,
            diagnosis.page_url,
        )
    questions = {**diagnosing_questions(course, ids), **labelled_questions(course, free)}
    for label, misconception in found.items():
        misconception.questions = questions.get(label, [])
    weeks, course_rows, topic_rows, student_rows = tally(matches, found)
    return MisconceptionReport(course, section, weeks, course_rows, topic_rows, student_rows)
