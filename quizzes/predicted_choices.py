"""Choices that come from misconception predictions, per variant (issue 18 §1).

A parameterised choice question's choice may be written `{{ predicted }}` with a catalogue id as
its label: each variant then shows, as that choice, what the misconception predicts for the
variant's own snippet (the predictions stored with the variant's key: nothing runs here). A
variant where the misconception predicts nothing else than the real outcome (or no output at
all) has nothing to show for it, and is refused with its parameter values, like a variant whose
choices do not have exactly one match.
"""

from quizzes import grading, misconceptions
from quizzes.variants import render

PREDICTED = "{{ predicted }}"


def is_predicted(text: str) -> bool:
    return "".join(text.split()) == "{{predicted}}"


def predicted_text(label: str, key: dict | None, predictions: dict | None) -> str | None:
    """What the catalogue id `label` predicts, as a choice shows it; None when that is nothing
    else than the real outcome `key` (or not an output)."""
    if not misconceptions.is_catalogue_id(label.strip()) or not grading.is_valid_key(key):
        return None
    predicted = (predictions or {}).get(label.strip())
    if predicted is None or not grading.prediction_differs(key, predicted):
        return None
    return grading.expected_text(predicted).removesuffix("\n")


def choice_text(text: str, label: str, params: dict, key, predictions) -> str:
    """A choice as the variant of `params` (its key and predictions) shows it. A predicted
    choice with nothing to show is empty: such a variant is refused before any student sees it."""
    if is_predicted(text):
        return predicted_text(label, key, predictions) or ""
    return render(text, params, code=False)


def problem(label: str, key: dict | None, predictions: dict | None) -> str | None:
    """Why a `{{ predicted }}` choice labelled `label` has nothing to show in this variant."""
    if not misconceptions.is_catalogue_id(label.strip()):
        return (
            f"The choice {PREDICTED} shows what its label predicts: label it with a "
            f"misconception of the catalogue (not {label.strip()!r})."
        )
    if predicted_text(label, key, predictions) is None:
        return (
            f"The choice {PREDICTED} labelled {label.strip()!r} has nothing to show: that "
            "misconception predicts the real output here."
        )
    return None
