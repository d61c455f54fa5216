"""What the misconceptions predict for a question, read from the predictions stored with its key.

Nothing here runs the grader: the predictions (Question.key_predictions, {id: outcome}) are
computed with the key (content.runs.predict_snippet). A misconception that changes nothing in a
snippet has no stored prediction: it predicts the real outcome.
"""

from collections.abc import Iterable
from dataclasses import dataclass

import grader
from quizzes.grading import answer_matches, expected_text, is_valid_key, normalise
from quizzes.models import Choice


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
    def page_slug(self) -> str:
        return self.entry.page

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
    real = normalise(expected_text(key))
    return [
        Prediction(misconception, predictions[misconception])
        for misconception in grader.MISCONCEPTIONS
        if misconception in predictions
        and is_valid_key(predictions[misconception])
        and normalise(expected_text(predictions[misconception])) != real
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
        if not is_catalogue_id(label):
            continue
        predicted = predicted_outcome(key, predictions, label)
        if is_valid_key(predicted) and answer_matches(choice.text, predicted):
            continue
        if not is_valid_key(predicted):
            shown = f"no output: the run under it ends with status {predicted.get('status')}"
        elif predicted is key:
            shown = f"the real outcome, since it changes nothing here: {expected_text(key)!r}"
        else:
            shown = repr(expected_text(predicted))
        problems.append(
            f"The choice {choice.text!r} is labelled {label!r}, but that misconception "
            f"predicts {shown}."
        )
    return problems


def unchecked_labels(choices: Iterable[Choice]) -> list[str]:
    """Labels outside the catalogue: allowed, but nothing checks them."""
    labels = [(choice.misconception or "").strip() for choice in choices]
    return [label for label in labels if label and not is_catalogue_id(label)]


def matched_misconceptions(key: dict | None, predictions: dict | None, answer: str) -> list[str]:
    """The ids whose prediction (differing from the real outcome) equals a wrong answer."""
    return [
        prediction.misconception
        for prediction in differing_predictions(key, predictions)
        if answer_matches(answer, prediction.outcome)
    ]
