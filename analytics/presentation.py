"""View models of item analysis: what the page, the CSV export and the command show."""

from collections.abc import Iterator
from dataclasses import dataclass, field

from analytics.statistics import ItemStats, TestStats
from analytics.variant_facility import VariantFacility
from quizzes.models import Question, Quiz, QuizQuestion

RIGHT_ANSWER = "(right answer)"
NO_LABEL = "(no misconception given)"

CSV_COLUMNS = [
    "question_slug",
    "n",
    "facility",
    "discrimination",
    "mean",
    "max_points",
    "sd",
    "flags",
    "answer_mode",
    "title",
]


@dataclass(frozen=True)
class Bar:
    """A bar in a 100-unit-wide SVG (drawn server-side: no script, no style attribute)."""

    x: float
    width: float

    @classmethod
    def of_share(cls, share: float | None) -> "Bar":
        return cls(0.0, round(100 * max(0.0, min(1.0, share or 0.0)), 2))

    @classmethod
    def of_correlation(cls, r: float | None) -> "Bar":
        """From the middle (r = 0) rightwards for a positive r, leftwards for a negative one."""
        r = max(-1.0, min(1.0, r or 0.0))
        width = round(50 * abs(r), 2)
        return cls(50.0 if r >= 0 else 50.0 - width, width)


@dataclass(frozen=True)
class ChoiceShare:
    text: str
    count: int
    share: float
    variant: str = ""  # a parameterised question's variant the choice was rendered for


@dataclass(frozen=True)
class ChoiceGroup:
    """The choices of one misconception label (or the right answer), and their total share."""

    label: str
    is_right: bool
    count: int
    share: float
    choices: list[ChoiceShare]

    @property
    def bar(self) -> Bar:
        return Bar.of_share(self.share)


@dataclass(frozen=True)
class WrongAnswer:
    text: str
    count: int
    share: float

    @property
    def bar(self) -> Bar:
        return Bar.of_share(self.share)


@dataclass(frozen=True)
class VariantChoices:
    """The choice shares among the students given one variant of a parameterised question: each
    choice as that variant rendered it, labelled by that variant's key (right, or its label)."""

    label: str  # the variant, "#1 (n=257)"
    n: int  # the analysed attempts given it
    groups: list[ChoiceGroup]
    unanswered: int

    @property
    def caption(self) -> str:
        return (
            f"Students given variant {self.label} ({self.n}): each choice as this variant shows "
            "it, labelled by this variant's key."
        )


@dataclass
class ItemRow:
    entry: QuizQuestion
    stats: ItemStats
    choice_groups: list[ChoiceGroup] = field(default_factory=list)
    unanswered: int = 0
    wrong_answers: list[WrongAnswer] = field(default_factory=list)
    # A parameterised question's facility per variant (analytics.variant_facility).
    variants: list[VariantFacility] = field(default_factory=list)
    # A parameterised choice question's shares per variant (choice_groups sums them).
    variant_choices: list[VariantChoices] = field(default_factory=list)

    @property
    def question(self) -> Question:
        return self.entry.question

    @property
    def is_choice(self) -> bool:
        return self.question.answer_mode == Question.AnswerMode.CHOICE

    @property
    def claim_misconception(self) -> str:
        """A true/false question's claim's label: answering "true" to a false claim shows it."""
        if self.question.answer_mode != Question.AnswerMode.TRUE_FALSE:
            return ""
        claims = list(self.question.choices.all())
        return claims[0].misconception if len(claims) == 1 else ""

    @property
    def facility_bar(self) -> Bar:
        return Bar.of_share(self.stats.facility)

    @property
    def discrimination_bar(self) -> Bar:
        return Bar.of_correlation(self.stats.discrimination)

    @property
    def flags(self) -> list[str]:
        flags = []
        if self.stats.check_question:
            flags.append("check this question")
        if self.stats.almost_all_right:
            flags.append("almost everyone right")
        if self.stats.almost_none_right:
            flags.append("almost no one right")
        return flags


@dataclass
class QuizAnalysis:
    quiz: Quiz
    all_attempts: bool
    rows: list[ItemRow]
    test: TestStats


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def csv_rows(analysis: QuizAnalysis) -> Iterator[list]:
    """The per-question table: `question_slug,n,facility,discrimination` first."""
    yield CSV_COLUMNS
    for row in analysis.rows:
        stats = row.stats
        yield [
            row.question.slug,
            stats.n,
            _number(stats.facility),
            _number(stats.discrimination),
            _number(stats.mean),
            f"{stats.max_points:g}",
            _number(stats.sd),
            "; ".join(row.flags),
            row.question.answer_mode,
            row.question.title,
        ]


@dataclass(frozen=True)
class TopicMisconception:
    label: str
    count: int
    questions: list[Question]


@dataclass
class TopicMisconceptions:
    """A topic's misconceptions, most often chosen first, and the concept pages that teach it
    (no page names a misconception: the pages of the topic of the questions that offer it)."""

    topic: object  # content.Topic
    misconceptions: list[TopicMisconception]
    pages: list = field(default_factory=list)  # content.ConceptPage

    @property
    def total(self) -> int:
        return sum(m.count for m in self.misconceptions)

    def bars(self) -> list[tuple[TopicMisconception, Bar]]:
        return [(m, Bar.of_share(m.count / self.total)) for m in self.misconceptions]
