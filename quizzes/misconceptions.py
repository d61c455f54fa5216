"""What the misconceptions predict for a question, read from the predictions stored with its key.

Nothing here runs the grader: the predictions (Question.key_predictions, {id: outcome}) are
computed with the key (content.runs.predict_snippet). A misconception that changes nothing in a
snippet has no stored prediction: it predicts the real outcome.
"""

from collections.abc import Iterable
from dataclasses import dataclass

import grader
from content.models import ConceptPage
from quizzes import selectors
from quizzes.grading import answer_matches, expected_text, is_valid_key, prediction_differs
from quizzes.models import Choice, KnownWrongAnswer, Question


@dataclass(frozen=True)
class Prediction:
    """What a student holding one misconception expects the snippet to show."""

    misconception: str
    outcome: dict

    @property
    def entry(self):
        return grader.MISCONCEPTIONS[self.misconception]

    @property
    def belief(self) -> str:
        return self.entry.belief

    @property
    def rule(self) -> str:
        return self.entry.rule

    @property
    def text(self) -> str:
        """The output as a student would write it (stdout, then the exception line)."""
        return expected_text(self.outcome)


def is_catalogue_id(label: str) -> bool:
    return label in grader.MISCONCEPTIONS


def differing_predictions(key: dict | None, predictions: dict | None) -> list[Prediction]:
    """The misconceptions whose prediction differs from the real outcome, in catalogue order;
    a prediction the grader could not run to the end (a loop the belief makes endless, say)
    predicts nothing a student could write, and is left out."""
    if not is_valid_key(key) or not predictions:
        return []
    return [
        Prediction(misconception, predictions[misconception])
        for misconception in grader.MISCONCEPTIONS
        if misconception in predictions and prediction_differs(key, predictions[misconception])
    ]


def predicted_outcome(key: dict, predictions: dict | None, misconception: str) -> dict:
    """What `misconception` predicts: its stored prediction, or the real outcome when it
    changes nothing in the snippet."""
    return (predictions or {}).get(misconception) or key


def label_problems(key: dict, predictions: dict | None, choices: Iterable[Choice]) -> list[str]:
    """Why choices labelled with a catalogue id are not what that id predicts (empty: all are)."""
    problems = []
    for choice in choices:
        label = (choice.misconception or "").strip()
        contradiction = contradicted_label(key, predictions, label, choice.text)
        if contradiction:
            problems.append(f"The choice {choice.text!r} {contradiction}")
    return problems


def contradicted_label(key: dict, predictions: dict | None, label: str, text: str) -> str:
    """Why the output `text` cannot carry `label` ("" when it can): a catalogue id must predict
    exactly `text`; a label outside the catalogue is not checked."""
    if not is_catalogue_id(label):
        return ""
    predicted = predicted_outcome(key, predictions, label)
    if is_valid_key(predicted) and answer_matches(text, predicted):
        return ""
    if not is_valid_key(predicted):
        shown = f"no output: the run under it ends with status {predicted.get('status')}"
    elif predicted is key:
        shown = f"the real outcome, since it changes nothing here: {expected_text(key)!r}"
    else:
        shown = repr(expected_text(predicted))
    return f"is labelled {label!r}, but that misconception predicts {shown}."


def unchecked_labels(labelled: Iterable[Choice | KnownWrongAnswer]) -> list[str]:
    """Labels (of choices, or of known wrong answers) outside the catalogue: allowed, but
    nothing checks them."""
    labels = [(item.misconception or "").strip() for item in labelled]
    return [label for label in labels if label and not is_catalogue_id(label)]


@dataclass(frozen=True)
class Diagnosis:
    """A wrong answer's misconception, as a student is told it: the belief in plain words, the
    rule that corrects it, and the concept page that teaches the rule (if published)."""

    misconception: str
    belief: str
    rule: str
    page_title: str
    page_url: str


def diagnoses(misconception_ids: Iterable[str]) -> list[Diagnosis]:
    """The diagnoses of the ids an answer matched (ids no longer in the catalogue are left out);
    one query for the concept pages."""
    entries = [
        (misconception, grader.MISCONCEPTIONS[misconception])
        for misconception in misconception_ids
        if misconception in grader.MISCONCEPTIONS
    ]
    if not entries:
        return []
    pages = {
        page.slug: page
        for page in ConceptPage.objects.filter(
            slug__in={entry.page for _, entry in entries}, is_published=True
        )
    }
    found = []
    for misconception, entry in entries:
        page = pages.get(entry.page)
        found.append(
            Diagnosis(
                misconception,
                entry.belief,
                entry.rule,
                page.title if page else "",
                page.get_absolute_url() if page else "",
            )
        )
    return found


def label_text(label: str) -> str:
    """A choice's label as students read it: a catalogue id becomes its belief."""
    entry = grader.MISCONCEPTIONS.get(label)
    return entry.belief if entry is not None else label


def practice_targeting(user, misconception_ids: Iterable[str], answered: Question):
    """Another question `user` may practise that diagnoses one of the misconceptions (its
    stored predictions differ from its key for that id; for a label outside the catalogue, a
    typed question with a known wrong answer carrying it), or None."""
    for misconception in misconception_ids:
        others = selectors.practice_questions(user).exclude(pk=answered.pk)
        if not is_catalogue_id(misconception):
            labelled = others.filter(
                answer_mode=Question.AnswerMode.TYPED,
                known_wrong_answers__misconception=misconception,
            )
            question = labelled.only("pk", "title").first()
            if question is not None:
                return question
            continue
        candidates = others.filter(key_predictions__has_key=misconception).only(
            "pk", "title", "answer_key", "key_predictions"
        )
        for question in candidates:
            predicted = question.key_predictions[misconception]
            if is_valid_key(question.answer_key) and prediction_differs(
                question.answer_key, predicted
            ):
                return question
    return None
