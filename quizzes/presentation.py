"""View models of assessment pages: what a template shows of a question, an answer's feedback
and one question of an attempt. Built from loaded rows; whether feedback may show at all is
decided before (quizzes.rules, the key guard in quizzes.selectors)."""

from dataclasses import dataclass, field
from typing import Any

from django.utils.safestring import SafeString

from content.markdown import highlight_python, render_markdown
from quizzes import (
    choice_order,
    diff,
    fragments,
    grading,
    misconceptions,
    rules,
    selectors,
    services,
    variant_services,
    versions,
)
from quizzes.forms import AnswerForm
from quizzes.models import Choice, Question, Quiz, QuizQuestion, Response


def snippet_html(question: Question) -> SafeString:
    return highlight_python(question.snippet)


@dataclass
class ChoiceSeen:
    """One choice of a choice question, as feedback lists them: in the order the student saw."""

    letter: str
    choice: Choice
    is_right: bool
    is_chosen: bool


def choices_seen(question: Question, key: dict, chosen, seed: int | None) -> list[ChoiceSeen]:
    shown = choice_order.shuffled(question.choices.all(), seed=seed, question_id=question.pk)
    right = {choice.pk for choice in grading.matching_choices(shown, key)}
    chosen_pk = getattr(chosen, "pk", None)
    return [
        ChoiceSeen(chr(ord("A") + n), choice, choice.pk in right, choice.pk == chosen_pk)
        for n, choice in enumerate(shown)
    ]


@dataclass
class Feedback:
    """What a student is shown about one graded answer, once the feedback policy allows it."""

    answered: bool
    is_correct: bool | None  # None: answered, but the question's key could not grade it
    stdout: str
    exception: str | None
    python_version: str
    explanation_html: SafeString
    chosen_misconception: str
    snippet: str
    trace: dict | None  # the memory diagram of `snippet`; None when it would not match the key
    # The answer mode's parts (its feedback_parts), and its own template (FEEDBACK_TEMPLATE).
    right_choices: list[Choice] = field(default_factory=list)
    choices: list[ChoiceSeen] = field(default_factory=list)  # in the order the student saw them
    claim_is_true: bool | None = None
    difference: diff.Difference | None = None  # where a wrong typed answer first departs
    mode_template: Any = None
    mode_parts: dict = field(default_factory=dict)  # anything else a mode's template shows
    # The misconceptions whose prediction the wrong answer equals (recorded when it was graded).
    diagnoses: list[misconceptions.Diagnosis] = field(default_factory=list)
    # The labels outside the catalogue of the known wrong answers a typed answer equals.
    known_labels: list[str] = field(default_factory=list)
    question_id: int | None = None  # for "Edit and run" in the playground (issue 17)
    # What other Python versions print where it differs (quizzes/versions.py).
    other_versions: list = field(default_factory=list)

    @property
    def diagram_html(self) -> SafeString:
        """The memory diagram of `snippet` (quizzes.fragments: its frame rendered once)."""
        return fragments.diagram_html(self.trace, self.snippet)


def diagram_trace(question: Question, key: dict) -> dict | None:
    """The question's stored trace, if it shows the outcome `key` (an answer graded before the
    snippet changed keeps its old key, and the current trace would contradict it)."""
    if services.outcomes_differ(key, question.answer_key):
        return None
    return question.key_trace


def build_feedback(
    question: Question, answer, key: dict | None, python_version: str, choice_seed: int | None
) -> Feedback:
    """Feedback from the key an answer was graded against (`answer` may be None: unanswered);
    `choice_seed` orders a choice question's choices as the student saw them."""
    key = key or question.answer_key or {}
    chosen = getattr(answer, "choice", None)
    wrong_choice = answer is not None and not answer.is_correct and chosen is not None
    mode = question.mode
    matched = getattr(answer, "matched_misconceptions", None) or []
    # A catalogue label the answer was diagnosed with is said once, by its diagnosis.
    labelled = wrong_choice and chosen.misconception not in matched
    return Feedback(
        answered=answer is not None,
        is_correct=None if answer is None else answer.is_correct,
        stdout=key.get("stdout", ""),
        exception=key.get("exception"),
        python_version=python_version or key.get("python_version", ""),
        explanation_html=render_markdown(question.explanation),
        chosen_misconception=misconceptions.label_text(chosen.misconception) if labelled else "",
        snippet=question.snippet,
        trace=diagram_trace(question, key),
        mode_template=mode.FEEDBACK_TEMPLATE,
        diagnoses=misconceptions.diagnoses(matched),
        known_labels=[label for label in matched if not misconceptions.is_catalogue_id(label)],
        question_id=question.pk,
        other_versions=versions.other_version_outputs(question, key, python_version),
        **mode.feedback_parts(question, answer, key, choice_seed=choice_seed),
    )


def question_context(question: Question) -> dict:
    """What every question page shows before any answer: prompt, snippet, and the claim."""
    return {
        "question": question,
        "prompt_html": render_markdown(question.prompt),
        "snippet_html": snippet_html(question),
        "claim": None,
        **question.mode.question_context(question),
    }


@dataclass
class AttemptItem:
    number: int
    entry: QuizQuestion
    context: dict
    response: Response | None
    form: AnswerForm | None
    feedback: Feedback | None
    chosen_letter: str  # the chosen choice's letter in the order the student saw ("" if none)
    # The quiz whose feedback this question's key waits for (see selectors): its feedback would
    # show here by this quiz's policy, but is withheld.
    waiting_for: Quiz | None = None

    @property
    def body_html(self) -> SafeString:
        """The question as shown before any answer (quizzes.fragments: rendered once)."""
        return fragments.question_body_html(self.context)

    @property
    def fields_html(self) -> SafeString:
        """The answer form's fields (quizzes.fragments: rendered once until typed in)."""
        return fragments.answer_fields_html(self.form)


def chosen_letter(question: Question, response, seed: int | None) -> str:
    chosen = getattr(response, "choice", None)
    if chosen is None:
        return ""
    shown = choice_order.shuffled(question.choices.all(), seed=seed, question_id=question.pk)
    return next((chr(ord("A") + n) for n, c in enumerate(shown) if c.pk == chosen.pk), "")


def attempt_item(
    number,
    entry,
    response,
    *,
    overall_feedback: bool,
    editable: bool,
    choice_seed: int | None,
    guards,
    form=None,
) -> AttemptItem:
    """One question of an attempt, with its feedback only if the policy allows it now and no
    other quiz guards its key (`guards`: selectors.guarding_quizzes of the user).

    An answer whose feedback shows (or is withheld for another quiz) is final: no form."""
    question = entry.question
    if response is not None:  # the chosen choice as the response's variant rendered it
        response.choice = variant_services.seen_choice(question, response.choice)
    visible = overall_feedback or (
        response is not None and rules.response_feedback_visible(response=response)
    )
    waiting_for = None
    if visible:
        waiting_for = selectors.withheld_by(guards, question.pk, shown_in_quiz_id=entry.quiz_id)
    feedback = None
    if visible and waiting_for is None:
        key = response.graded_key if response else None
        version = response.graded_python_version if response else ""
        feedback = build_feedback(question, response, key, version, choice_seed)
    if not editable or visible:
        form = None
    elif form is None:
        form = AnswerForm(
            initial=AnswerForm.initial_for(response),
            question=question,
            choice_seed=choice_seed,
            prefix=f"q{entry.pk}",
        )
    return AttemptItem(
        number,
        entry,
        question_context(question),
        response,
        form,
        feedback,
        chosen_letter(question, response, choice_seed),
        waiting_for,
    )
