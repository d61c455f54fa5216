"""Every state change of courses: courses and join codes, enrolments (joining, CSV rosters),
accommodations and per-section times (which move open attempts' deadlines), manual grade
overrides and regrades (each recorded in GradeChange)."""

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from courses import roster
from courses.models import (
    Accommodation,
    Course,
    CourseQuiz,
    Enrolment,
    GradeChange,
    Section,
    SectionTimes,
)
from quizzes import grading, variant_services, versions
from quizzes.deadlines import follow_quiz_times
from quizzes.models import Attempt, Quiz, Response
from quizzes.services import outcomes_differ

logger = logging.getLogger(__name__)


class CourseError(Exception):
    """A request the rules refuse; `message` is shown to the user as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def new_join_code() -> str:
    """16 URL-safe characters from the OS's randomness (96 bits): not guessable."""
    return secrets.token_urlsafe(12)


# --- Courses, sections, quizzes ----------------------------------------------------------------


def course_create(
    *, title: str, slug: str, term: str = "", instructors=(), topics=(), sections=()
) -> Course:
    with transaction.atomic():
        course = Course.objects.create(title=title, slug=slug, term=term, join_code=new_join_code())
        course.instructors.set(instructors)
        course.topics.set(topics)
        for name in sections:
            Section.objects.create(course=course, name=name)
    return course


def course_join_code_regenerate(*, course: Course) -> str:
    """A new join code; the old one stops working at once (a leaked link is dead)."""
    course.join_code = new_join_code()
    Course.objects.filter(pk=course.pk).update(join_code=course.join_code)
    logger.info("Course %s: join code regenerated", course.slug)
    return course.join_code


def course_quiz_assign(
    *, course: Course, quiz: Quiz, opens_at=None, closes_at=None, order: int = 0
) -> CourseQuiz:
    course_quiz, _ = CourseQuiz.objects.update_or_create(
        course=course,
        quiz=quiz,
        defaults={"opens_at": opens_at, "closes_at": closes_at, "order": order},
    )
    course_quiz_times_follow(course_quiz=course_quiz)
    return course_quiz


def section_times_set(
    *, course_quiz: CourseQuiz, section: Section, opens_at=None, closes_at=None
) -> SectionTimes:
    if section.course_id != course_quiz.course_id:
        raise CourseError("That section belongs to another course.")
    if opens_at and closes_at and closes_at <= opens_at:
        raise CourseError("The section's quiz must close after it opens.")
    times, _ = SectionTimes.objects.update_or_create(
        course_quiz=course_quiz,
        section=section,
        defaults={"opens_at": opens_at, "closes_at": closes_at},
    )
    course_quiz_times_follow(course_quiz=course_quiz)
    return times


def course_quiz_times_follow(*, course_quiz: CourseQuiz) -> int:
    """Move the deadlines of the course's students' open attempts of the quiz to their times
    now (after a course's or a section's times changed)."""
    students = list(
        Enrolment.objects.filter(course_id=course_quiz.course_id).values_list("student", flat=True)
    )
    return follow_quiz_times(Quiz.objects.get(pk=course_quiz.quiz_id), user_ids=students)


# --- Enrolments --------------------------------------------------------------------------------


def enrolment_join(*, user, code: str, section: Section | None = None) -> Enrolment:
    """Enrol `user` in the course whose join code is `code` (in `section`, or its only
    section). Joining again changes nothing (an existing enrolment is returned)."""
    course = Course.objects.filter(join_code=code).first() if code else None
    if course is None:
        raise CourseError("This join code is not valid (it may have been replaced).")
    existing = Enrolment.objects.filter(course=course, student=user).first()
    if existing is not None:
        return existing
    sections = list(course.sections.all())
    if section is None and len(sections) == 1:
        section = sections[0]
    if section is None or section.course_id != course.pk:
        raise CourseError("Choose your section.")
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(course=course, section=section, student=user)
    except IntegrityError:  # joined twice at once: the other request won
        return Enrolment.objects.get(course=course, student=user)
    logger.info("%s joined %s (%s)", user.get_username(), course.slug, section.name)
    return enrolment


@dataclass
class RosterPreview:
    rows: list[roster.RosterRow]

    @property
    def errors(self) -> list[roster.RosterRow]:
        return [row for row in self.rows if row.error]

    @property
    def changes(self) -> list[roster.RosterRow]:
        return [row for row in self.rows if row.action in ("add", "move")]


def roster_preview(*, course: Course, text: str) -> RosterPreview:
    """What uploading `text` would do, row by row, without changing anything (the dry run).
    Raises roster.RosterUnreadable for a file that is no CSV."""
    lines = roster.parsed_lines(text)
    sections = {section.name.casefold(): section for section in course.sections.all()}
    section_names = ", ".join(sorted(s.name for s in sections.values())) or "none yet"
    identifiers = {identifier for _, identifier, _, _ in lines if identifier}
    emails = {i for i in identifiers if "@" in i}
    User = get_user_model()
    users = list(
        User.objects.annotate(email_lower=Lower("email")).filter(
            Q(username__in=identifiers) | Q(email_lower__in={e.lower() for e in emails})
        )
    )
    by_username = {account.get_username(): account for account in users}
    by_email: dict[str, list] = {}
    for account in users:
        if account.email:
            by_email.setdefault(account.email.lower(), []).append(account)
    enrolled = {e.student_id: e.section for e in course.enrolments.select_related("section")}
    seen: dict[int, int] = {}
    rows = []
    for line, identifier, section_name, problem in lines:
        row = roster.RosterRow(line=line, identifier=identifier, section_name=section_name)
        rows.append(row)
        if problem:
            row.error = problem
            continue
        if not identifier:
            row.error = "No username or email."
            continue
        user: Any = by_username.get(identifier)
        if user is None and "@" in identifier:
            matches = by_email.get(identifier.lower(), [])
            if len(matches) > 1:
                row.error = f"{len(matches)} accounts have this email; use the username."
                continue
            user = matches[0] if matches else None
        if user is None:
            row.error = "No account has this username or email."
            continue
        if not user.is_active:
            row.error = "This account is deactivated."
            continue
        if user.pk in seen:
            row.error = f"This student is already on line {seen[user.pk]}."
            continue
        seen[user.pk] = line
        if not section_name:
            row.error = f"No section given (sections: {section_names})."
            continue
        section = sections.get(section_name.casefold())
        if section is None:
            row.error = f"No section “{section_name}” in this course (sections: {section_names})."
            continue
        row.user, row.section = user, section
        current = enrolled.get(user.pk)
        if current is None:
            row.action = "add"
        else:
            row.current_section = current.name
            row.action = "keep" if current.pk == section.pk else "move"
    return RosterPreview(rows=rows)


def roster_apply(*, course: Course, text: str) -> RosterPreview:
    """Apply a roster: all of it or, when any row has an error, nothing (the preview says
    which rows to fix). Returns the preview it applied."""
    preview = roster_preview(course=course, text=text)
    if preview.errors:
        raise CourseError(f"Nothing was changed: {len(preview.errors)} row(s) have errors.")
    with transaction.atomic():
        for row in preview.changes:
            Enrolment.objects.update_or_create(
                course=course, student=row.user, defaults={"section": row.section}
            )
    moved = [row.user.pk for row in preview.changes if row.action == "move"]
    if moved:  # a new section may have other times: open attempts follow
        for course_quiz in course.course_quizzes.all():
            follow_quiz_times(Quiz.objects.get(pk=course_quiz.quiz_id), user_ids=moved)
    logger.info("Course %s: roster applied, %d change(s)", course.slug, len(preview.changes))
    return preview


# --- Accommodations ----------------------------------------------------------------------------


def accommodation_set(
    *,
    course: Course,
    student,
    quiz: Quiz,
    time_multiplier: Decimal | float = 1,
    extra_minutes: int = 0,
    closes_at: datetime | None = None,
    extra_attempts: int = 0,
    note: str = "",
) -> Accommodation:
    """Give `student` an accommodation for `quiz` (replacing theirs); an open attempt's deadline
    moves with it at once."""
    if not Enrolment.objects.filter(course=course, student=student).exists():
        raise CourseError("This student is not enrolled in the course.")
    if not CourseQuiz.objects.filter(course=course, quiz=quiz).exists():
        raise CourseError("This quiz is not assigned to the course.")
    if Decimal(str(time_multiplier)) < 1:
        raise CourseError("The time multiplier is at least 1.")
    accommodation, _ = Accommodation.objects.update_or_create(
        course=course,
        student=student,
        quiz=quiz,
        defaults={
            "time_multiplier": Decimal(str(time_multiplier)),
            "extra_minutes": extra_minutes,
            "closes_at": closes_at,
            "extra_attempts": extra_attempts,
            "note": note,
        },
    )
    accommodation_follow(accommodation=accommodation)
    return accommodation


def accommodation_follow(*, accommodation: Accommodation) -> int:
    """Move the student's open attempt's deadline to what the accommodation makes it now."""
    quiz = Quiz.objects.get(pk=accommodation.quiz_id)
    return follow_quiz_times(quiz, user_ids=[accommodation.student_id])


def accommodation_remove(*, accommodation: Accommodation) -> int:
    """Take the accommodation away; an open attempt's deadline moves back at once (to the
    student's times without it, which may end the attempt). Returns how many moved."""
    quiz_id, student_id = accommodation.quiz_id, accommodation.student_id
    accommodation.delete()
    logger.info("Accommodation of student %s for quiz %s removed", student_id, quiz_id)
    return quiz_times_follow(quiz_ids=[quiz_id], student_ids=[student_id])


def quiz_times_follow(*, quiz_ids, student_ids) -> int:
    """Move the deadlines of these students' open attempts of these quizzes to their times now:
    after a row that decides them (a course's quiz, a section's times, an enrolment, an
    accommodation, a course) changed or was deleted. Returns how many moved."""
    students = sorted(set(student_ids))
    if not students:
        return 0
    return sum(
        follow_quiz_times(quiz, user_ids=students)
        for quiz in Quiz.objects.filter(pk__in=set(quiz_ids))
    )


# --- Grades -------------------------------------------------------------------------------------


def counted_points(response: Response) -> int:
    """The points a response counts for: the instructor's override, else the grader's."""
    if response.override_points is not None:
        return response.override_points
    return response.points_awarded or 0


def attempt_rescore(*, attempt: Attempt) -> int:
    """Store the attempt's score again from its responses (overrides counted)."""
    score = sum(counted_points(r) for r in attempt.responses.all())
    Attempt.objects.filter(pk=attempt.pk).update(score=score)
    attempt.score = score
    return score


def _locked_responses(pks) -> QuerySet[Response]:
    """The responses `pks`, locked until the transaction ends, with what grading them reads.
    Only the responses' rows are locked (FOR UPDATE OF): PostgreSQL refuses FOR UPDATE on the
    nullable side of an outer join (a response's choice and variant), and locking the joined
    attempt, question and variant rows too would hold up other grade changes of the question."""
    return (
        Response.objects.select_for_update(of=("self",))
        .filter(pk__in=pks)
        .select_related("attempt", "quiz_question__question", "choice", "variant")
    )


def _locked_submitted_response(response: Response) -> Response:
    locked = _locked_responses([response.pk]).get()
    if locked.attempt.submitted_at is None:
        raise CourseError("The attempt is still open: grades change only once it is submitted.")
    return locked


def response_override(
    *, response: Response, points: int, reason: str, by, now: datetime | None = None
) -> Response:
    """Set a manual grade with its reason; recorded with who and when; the total follows."""
    reason = reason.strip()
    if not reason:
        raise CourseError("Give a reason: the student sees it.")
    now = now or timezone.now()
    with transaction.atomic():
        response = _locked_submitted_response(response)
        maximum = response.quiz_question.points
        if not 0 <= points <= maximum:
            raise CourseError(f"Points go from 0 to {maximum} for this question.")
        old = counted_points(response)
        response.override_points = points
        response.override_reason = reason
        response.override_by = by
        response.override_at = now
        response.save(
            update_fields=["override_points", "override_reason", "override_by", "override_at"]
        )
        GradeChange.objects.create(
            response=response,
            kind=GradeChange.Kind.OVERRIDE,
            old_points=old,
            new_points=points,
            old_correct=response.is_correct,
            new_correct=response.is_correct,
            reason=reason,
            changed_by=by,
            changed_at=now,
        )
        attempt_rescore(attempt=response.attempt)
    logger.info("Response %s overridden to %s by %s", response.pk, points, by)
    return response


def response_override_clear(
    *, response: Response, reason: str, by, now: datetime | None = None
) -> Response:
    now = now or timezone.now()
    with transaction.atomic():
        response = _locked_submitted_response(response)
        if response.override_points is None:
            return response
        old = response.override_points
        response.override_points = None
        response.override_reason = ""
        response.override_by = None
        response.override_at = None
        response.save(
            update_fields=["override_points", "override_reason", "override_by", "override_at"]
        )
        GradeChange.objects.create(
            response=response,
            kind=GradeChange.Kind.CLEAR_OVERRIDE,
            old_points=old,
            new_points=response.points_awarded or 0,
            old_correct=response.is_correct,
            new_correct=response.is_correct,
            reason=reason.strip(),
            changed_by=by,
            changed_at=now,
        )
        attempt_rescore(attempt=response.attempt)
    return response


def response_regrade(*, responses, by, now: datetime | None = None) -> int:
    """Grade the given submitted responses again against their question's current key, each
    change recorded; a response whose key did not change is left alone. Returns how many
    changed. Only compares with stored keys: the grader does not run."""
    now = now or timezone.now()
    changed = 0
    # The course pins read once for all the answers (versions.pins_read_once).
    with transaction.atomic(), versions.pins_read_once():
        locked = _locked_responses([r.pk for r in responses]).prefetch_related(
            # What as_seen reads of a variant's question: its choices and the variant's keys.
            "quiz_question__question__choices",
            "variant__stored_keys",
            # The pinned line's keys, read for every answer at once.
            *versions.grading_keys_prefetches("quiz_question__question"),
        )
        for response in locked:
            question = variant_services.as_seen(response.quiz_question.question, response.variant)
            response.choice = variant_services.seen_choice(question, response.choice)
            if response.attempt.submitted_at is None:
                continue
            if not grading.is_valid_key(question.answer_key):
                continue
            if not outcomes_differ(response.graded_key, question.answer_key):
                continue
            old_points, old_correct = response.points_awarded, response.is_correct
            grading.grade_response(response, question, response.quiz_question.points)
            response.save(update_fields=grading.GRADED_FIELDS)
            GradeChange.objects.create(
                response=response,
                kind=GradeChange.Kind.REGRADE,
                old_points=old_points,
                new_points=response.points_awarded,
                old_correct=old_correct,
                new_correct=response.is_correct,
                reason="The question's key changed.",
                changed_by=by,
                changed_at=now,
            )
            attempt_rescore(attempt=response.attempt)
            changed += 1
    if changed:
        logger.info("Regraded %d response(s), by %s", changed, by)
    return changed


# --- The demo (seed_demo) -----------------------------------------------------------------------

DEMO_COURSE_SLUG = "demo"
DEMO_SECTION = "Demo section"


@dataclass
class DemoCourse:
    course: Course
    created: bool
    assigned: int  # quizzes newly assigned


def demo_course_seed(*, instructor, student) -> DemoCourse:
    """The demo course: `instructor` teaches it, `student` is in its section, and every quiz
    (the fixtures') is assigned to it. Adds what is missing and keeps what is there (an
    instructor's changes survive `make run`)."""
    with transaction.atomic():
        course = Course.objects.filter(slug=DEMO_COURSE_SLUG).first()
        created = course is None
        if course is None:
            course = course_create(
                title="Memory Model demo",
                slug=DEMO_COURSE_SLUG,
                term="Demo",
                instructors=[instructor],
                sections=[DEMO_SECTION],
            )
        section = course.sections.order_by("pk").first() or Section.objects.create(
            course=course, name=DEMO_SECTION
        )
        if created:
            Enrolment.objects.get_or_create(
                course=course, student=student, defaults={"section": section}
            )
        assigned = [
            CourseQuiz(course=course, quiz=quiz, order=order)
            for order, quiz in enumerate(
                Quiz.objects.exclude(pk__in=course.course_quizzes.values("quiz")).order_by("title"),
                start=course.course_quizzes.count(),
            )
        ]
        CourseQuiz.objects.bulk_create(assigned)
    return DemoCourse(course=course, created=created, assigned=len(assigned))


def quiz_takers_enrol(*, quiz: Quiz, users) -> int:
    """Enrol `users` in every course `quiz` is assigned to (in its first section) that they are
    not in yet, so that they may take it: a load benchmark's students (create_load_students).
    Returns how many enrolments were made."""
    made = 0
    for course in Course.objects.filter(course_quizzes__quiz=quiz).distinct():
        section = course.sections.order_by("pk").first() or Section.objects.create(
            course=course, name="Load benchmark"
        )
        enrolled = set(course.enrolments.values_list("student_id", flat=True))
        new = [
            Enrolment(course=course, section=section, student=user)
            for user in users
            if user.pk not in enrolled
        ]
        Enrolment.objects.bulk_create(new)
        made += len(new)
    if made:
        logger.info("%d student(s) enrolled to take %s", made, quiz.slug)
    return made
