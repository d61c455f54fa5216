"""The gradebook and the responses as CSV rows, streamed (the pages' StreamingHttpResponse and
`manage.py export_gradebook` write the same rows)."""

import csv
from collections.abc import Iterable, Iterator

from courses.presentation import Gradebook
from courses.services import counted_points
from quizzes.models import Response
from quizzes.variant_services import variant_label

# A cell starting with one of these is a formula to a spreadsheet: prefixed with ' so that an
# answer like "=1+1" stays text. "-" is left alone: "-1" is a common, harmless output.
FORMULA_STARTS = ("=", "+", "@", "\t", "\r")

RESPONSE_COLUMNS = [
    "username",
    "section",
    "quiz_slug",
    "attempt",
    "question_slug",
    "answer",
    "correct",
    "points",
    "max_points",
    "points_awarded",
    "override_points",
    "override_reason",
    "misconception",
    "answered_at",
    "variant",  # a parameterised question's variant the student was given: "#2 (n=257)"
]


class _Echo:
    def write(self, value: str) -> str:
        return value


def safe(cell) -> str:
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_lines(rows: Iterable[list]) -> Iterator[str]:
    """Each row as one CSV line, produced as it is read (nothing held in memory)."""
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow([safe(cell) for cell in row])


def gradebook_rows(book: Gradebook) -> Iterator[list]:
    header = ["username", "email", "section"]
    for column in book.columns:
        header += [column.quiz.slug, f"{column.quiz.slug} status"]
    yield header + ["total", "max_total"]
    for row in book.rows:
        cells: list = [row.student.get_username(), row.student.email, row.enrolment.section.name]
        for cell in row.cells:
            cells += [cell.score if cell.score is not None else "", cell.status]
        yield cells + [row.total, book.max_total]


def answer_text(response: Response) -> str:
    if response.choice is not None and response.variant_id is not None:
        return response.answer_text  # the chosen choice as that variant rendered it
    if response.choice is not None:
        return response.choice.text
    if response.says_prints_nothing:
        return "(prints nothing)"
    return response.answer_text


def response_rows(responses) -> Iterator[list]:
    """One row per response (courses.selectors.course_responses), read in chunks."""
    yield RESPONSE_COLUMNS
    # The keys are not exported: decoding them per row would be most of the export's time.
    rows = responses.defer("graded_key", "quiz_question__question__answer_key")
    for response in rows.iterator(chunk_size=500):
        question = response.quiz_question.question
        chosen = response.choice
        yield [
            response.attempt.user.get_username(),
            response.section_name or "",
            response.attempt.quiz.slug,
            response.attempt.number,
            question.slug,
            answer_text(response),
            "" if response.is_correct is None else str(response.is_correct).lower(),
            counted_points(response),
            response.quiz_question.points,
            "" if response.points_awarded is None else response.points_awarded,
            "" if response.override_points is None else response.override_points,
            response.override_reason,
            chosen.misconception if chosen is not None else "",  # the chosen choice's label
            response.answered_at.isoformat(),
            variant_label(response.variant),
        ]
