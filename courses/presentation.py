"""View models of the courses pages: the gradebook's columns, rows and cells, a regrade's old and
new result side by side. Built by courses.selectors from loaded rows."""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.safestring import SafeString

from courses.forms import OverrideForm
from courses.models import CourseQuiz, Enrolment
from courses.services import counted_points
from quizzes import fragments, variant_services
from quizzes.models import Attempt, QuizQuestion, Response
from quizzes.presentation import Feedback, build_feedback, chosen_letter, question_context


@dataclass
class GradebookColumn:
    course_quiz: CourseQuiz
    max_score: int

    @property
    def quiz(self):
        return self.course_quiz.quiz

    @property
    def sort_key(self) -> str:
        return f"quiz-{self.course_quiz.pk}"


@dataclass
class GradebookCell:
    column: GradebookColumn
    counted: Attempt | None  # the attempt whose score counts (best or last, per quiz setting)
    attempts: int  # submitted attempts
    closes_at: datetime | None  # the student's own closing time (section and accommodation)
    late: bool  # counted attempt submitted after the section's closing time (an extension)
    missing: bool  # nothing submitted and the quiz closed for this student
    ran_out_of_time: bool  # the counted attempt was submitted at its deadline by the server

    @property
    def score(self) -> int | None:
        return None if self.counted is None else self.counted.score

    @property
    def status(self) -> str:
        if self.missing:
            return "missing"
        if self.counted is None:
            return "pending"
        return "late" if self.late else "ok"


@dataclass
class GradebookRow:
    enrolment: Enrolment
    cells: list[GradebookCell]

    @property
    def student(self):
        return self.enrolment.student

    @property
    def total(self) -> int:
        return sum(cell.score or 0 for cell in self.cells)


@dataclass
class Gradebook:
    columns: list[GradebookColumn]
    rows: list[GradebookRow]
    sort: str
    descending: bool
    max_total: int = field(init=False)

    def __post_init__(self) -> None:
        self.max_total = sum(column.max_score for column in self.columns)


@dataclass
class RegradeItem:
    """One response whose stored key differs from its question's current key: what it was
    graded, what it would be graded now. Nothing changes until the instructor applies it."""

    response: Response
    old_correct: bool | None
    old_points: int | None
    new_correct: bool | None
    new_points: int | None
    old_key: dict
    new_key: dict

    @property
    def result_changes(self) -> bool:
        return (self.old_correct, self.old_points) != (self.new_correct, self.new_points)


@dataclass
class ReviewItem:
    """One question of an attempt as an instructor reviews it: as the student saw it (their
    question order and choice order), their answer, the key it was graded against and the
    feedback built from that key, with the override form."""

    number: int
    entry: QuizQuestion
    context: dict
    response: Response | None
    letter: str  # the chosen choice's letter in the student's order
    feedback: Feedback
    override_form: OverrideForm | None

    @property
    def body_html(self) -> SafeString:
        """The question as the student saw it (quizzes.fragments: rendered once per process)."""
        return fragments.question_body_html(self.context)


def review_items(
    attempt: Attempt, entries: list[QuizQuestion], responses: dict[int, Response]
) -> list[ReviewItem]:
    """`entries` (selectors.attempt_entries) with `responses` (selectors.attempt_responses)."""
    items = []
    for number, entry in enumerate(entries, start=1):
        response = responses.get(entry.pk)
        question = entry.question
        if response is not None:
            response.choice = variant_services.seen_choice(question, response.choice)
        form = None
        if response is not None:
            initial = {"points": counted_points(response)}
            form = OverrideForm(initial=initial, prefix=f"r{response.pk}")
        items.append(
            ReviewItem(
                number=number,
                entry=entry,
                # The variant the student was given (selectors.attempt_entries rendered it).
                context=question_context(question)
                | {"variant_label": variant_services.seen_variant_label(question)},
                response=response,
                letter=chosen_letter(question, response, attempt.choice_seed),
                feedback=build_feedback(
                    question,
                    response,
                    response.graded_key if response else None,
                    response.graded_python_version if response else "",
                    attempt.choice_seed,
                ),
                override_form=form,
            )
        )
    return items
