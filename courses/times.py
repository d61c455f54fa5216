"""A student's times for a quiz from their course, section and accommodation: pure functions of
loaded rows, used by the hook that quizzes.deadlines.quiz_times calls and by the gradebook (which
loads the rows of a whole class at once).

The rule, most specific last: the quiz's own times; the course's times for it (CourseQuiz), when
set; the student's section's (SectionTimes), when set. An accommodation then multiplies the time
limit and adds minutes to it, extends (never shortens) the closing time and adds attempts.
"""

from collections.abc import Iterable
from datetime import datetime

from courses.models import Accommodation, CourseQuiz, SectionTimes
from quizzes.hooks import QuizTimes
from quizzes.models import Quiz


def student_times(
    quiz: Quiz,
    *,
    course_quiz: CourseQuiz | None,
    section_times: SectionTimes | None,
    accommodation: Accommodation | None,
    feedback_after: datetime | None,
) -> QuizTimes:
    opens_at, closes_at = quiz.opens_at, quiz.closes_at
    for override in (course_quiz, section_times):
        if override is not None:
            opens_at = override.opens_at or opens_at
            closes_at = override.closes_at or closes_at
    limit: float | None = quiz.time_limit_minutes
    attempts = quiz.max_attempts
    if accommodation is not None:
        if limit:
            limit = limit * float(accommodation.time_multiplier) + accommodation.extra_minutes
            limit = int(limit) if float(limit).is_integer() else limit
        extended = accommodation.closes_at
        if extended is not None and closes_at is not None and extended > closes_at:
            closes_at = extended
        if attempts is not None:
            attempts += accommodation.extra_attempts
    return QuizTimes(
        opens_at=opens_at,
        closes_at=closes_at,
        time_limit_minutes=limit,
        max_attempts=attempts,
        feedback_after=feedback_after,
    )


def last_close(
    quiz: Quiz,
    course_quizzes: Iterable[CourseQuiz],
    section_times: Iterable[SectionTimes],
    accommodations: Iterable[Accommodation],
) -> datetime | None:
    """The last closing time anyone taking `quiz` has (its course_quizzes, their section_times,
    its accommodations); None when someone's never closes. Feedback "after the quiz closes"
    waits for it, so no student sees keys while another may still answer."""
    course_quizzes = list(course_quizzes)
    if course_quizzes:
        course_close = {cq.pk: cq.closes_at or quiz.closes_at for cq in course_quizzes}
        closes = list(course_close.values())
        closes += [t.closes_at or course_close[t.course_quiz_id] for t in section_times]
    else:
        closes = [quiz.closes_at]
    if any(close is None for close in closes):
        return None
    closes += [a.closes_at for a in accommodations if a.closes_at is not None]
    return max(c for c in closes if c is not None)
