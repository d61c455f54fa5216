"""Admin forms that hold authored content to what the grader really does.

The question form runs the snippet through the grader and refuses snippets without a real
outcome, or whose output changes from one run of Python to the next; the choice formset then
checks the choices against that outcome. The concept page form does the same for every new or
changed ```python block. All grader runs happen here, in validation, which the admin runs before
its transaction opens (see quizzes.admin_saving); save_model only writes what the form computed.
"""

import logging

from django import forms
from django.core.exceptions import ValidationError

from content import runs
from grader import GraderUnavailable
from quizzes import (
    feedback_policies,
    grading,
    known_answers,
    misconceptions,
    variant_forms,
    versions,
)
from quizzes.models import Choice, KnownWrongAnswer, Question, Quiz
from quizzes.text import normalise_newlines

logger = logging.getLogger(__name__)


class NormalisedTextForm(forms.ModelForm):
    """Every admin form: text arrives from browsers with \\r\\n line endings and is stored with
    \\n, or code blocks go unfound and snippets and choices stop matching their outputs."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A text area is kept as written: stripping its final newline made a save without any
        # change a different text, so load_content skipped the row from then on as edited.
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and isinstance(field.widget, forms.Textarea):
                field.strip = False

    def clean(self):
        cleaned = super().clean()
        for name, value in cleaned.items():
            if isinstance(value, str):
                cleaned[name] = normalise_newlines(value)
        return cleaned


def grader_unavailable(error: GraderUnavailable) -> ValidationError:
    logger.error("The grader is unavailable; an admin save was refused: %s", error)
    return ValidationError(f"The grader is unavailable, so nothing was saved: {error}")


class QuestionAdminForm(NormalisedTextForm):
    class Meta:
        model = Question
        fields = [
            "topic",
            "title",
            "slug",
            "answer_mode",
            "difficulty",
            "is_published",
            "prompt",
            "snippet",
            "parameters",
            "explanation",
        ]
        help_texts = {"parameters": variant_forms.PARAMETERS_HELP}

    # The outcome and trace of the submitted snippet; ModelAdmin.save_model stores them as the key.
    grader_outcome: dict | None = None
    grader_trace: dict | None = None
    grader_predictions: dict | None = None
    # A parameterised question's computed variants (quizzes.variant_forms); None for a plain one.
    variant_results: dict | None = None

    def clean_parameters(self):
        return variant_forms.clean_parameters(self.cleaned_data.get("parameters"))

    version_results: dict | None = None

    def clean(self):
        cleaned = super().clean()
        snippet = cleaned.get("snippet")
        if not snippet:
            return cleaned
        if "parameters" in self.errors:
            return cleaned
        try:
            if cleaned.get("parameters"):
                self.variant_results = variant_forms.check_variants(self, cleaned)
                return cleaned
            self._check_snippet(snippet)
        except GraderUnavailable as error:
            raise grader_unavailable(error) from None
        return cleaned

    def _check_snippet(self, snippet: str) -> None:
        outcome = runs.run_snippet(snippet)
        # The choice formset checks the choices against this outcome (see ChoiceFormSet).
        self.instance.checked_outcome = outcome
        if not grading.is_valid_key(outcome):
            self.add_error("snippet", f"The grader refused this snippet {refusal(outcome)}")
            return
        if runs.output_varies(snippet):
            self.add_error("snippet", UNSTABLE_OUTPUT)
            return
        timing = runs.collector_dependence(snippet)
        if timing:
            self.add_error("snippet", f"This snippet's output {'; '.join(timing)}. {GC_TIMING_FIX}")
            return
        self.grader_outcome = outcome
        self.grader_trace = runs.trace_snippet(snippet, outcome)
        self.grader_predictions = runs.predict_snippet(snippet, outcome)
        # The choice formset checks catalogue-labelled choices against these.
        self.instance.checked_predictions = self.grader_predictions
        # Its key on every other configured Python line (quizzes/versions.py), stored with it.
        self.version_results = versions.compute_version_keys(snippet, versions.python_lines()[1:])


GC_TIMING_FIX = (
    "No single answer is then sure to be what Python prints. Add gc.disable() at the top (and "
    "gc.collect() where the lesson needs a collection), or call gc.collect() explicitly before "
    "the line whose output matters."
)


def refusal(outcome: dict) -> str:
    """Why the grader could not run a snippet to the end: its status and reasons."""
    reasons = "; ".join(outcome.get("reasons") or []) or "no reason given"
    return f"({outcome['status']}): {reasons}"


UNSTABLE_OUTPUT = (
    "This snippet's output changes from one run of Python to the next (the order of a set of "
    "strings, an id() or a default repr's address, a string's hash), so no single answer is "
    "right. Show something that stays the same instead: sorted(...), a comparison such as "
    "id(a) == id(b), or a length."
)


class ChoiceAdminForm(NormalisedTextForm):
    # Leading spaces are part of a program's output, so they are kept.
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "cols": 50}), strip=False)

    class Meta:
        model = Choice
        fields = ["text", "misconception", "order"]


class ChoiceFormSet(forms.BaseInlineFormSet):
    """Refuses choices that do not fit the real outcome of the question's snippet."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if getattr(self.instance, "checked_variants", None) is not None:
            variant_forms.check_variant_choices(
                self.instance, self._choice_texts(), self._choice_labels()
            )
            return
        outcome = getattr(self.instance, "checked_outcome", None)
        if not grading.is_valid_key(outcome):
            return  # the snippet itself was refused; that error is shown on the question form
        choices = [
            Choice(
                text=form.cleaned_data["text"],
                misconception=form.cleaned_data.get("misconception") or "",
            )
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("text")
        ]
        problems = grading.choice_problems(self.instance.answer_mode, outcome, choices)
        predictions = getattr(self.instance, "checked_predictions", None)
        problems += misconceptions.label_problems(outcome, predictions, choices)
        if problems:
            raise ValidationError(problems)

    def _kept(self) -> list:
        return [
            form
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("text")
        ]

    def _choice_texts(self) -> list[str]:
        return [form.cleaned_data["text"] for form in self._kept()]

    def _choice_labels(self) -> list[str]:
        return [form.cleaned_data.get("misconception") or "" for form in self._kept()]


class KnownWrongAnswerAdminForm(NormalisedTextForm):
    # Leading spaces are part of a program's output, so they are kept.
    stdout = forms.CharField(
        label="Output",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 50}),
        strip=False,
        required=False,
        help_text="The output the student gives, without the exception line (may be empty).",
    )
    exception = forms.CharField(
        label="Exception line",
        required=False,
        widget=forms.TextInput(attrs={"size": 40}),
        help_text="The last line of the traceback it ends with, if any, in full (e.g. TypeError: "
        "unhashable type: 'list'); an answer naming just its type matches it too.",
    )

    class Meta:
        model = KnownWrongAnswer
        fields = ["stdout", "exception", "misconception"]


class KnownWrongAnswerFormSet(forms.BaseInlineFormSet):
    """Refuses known wrong answers that are right, that a non-typed question would keep, or
    whose catalogue label predicts another output (known_answers.problems)."""

    def __init__(self, data=None, *args, prefix=None, **kwargs):
        name = prefix or self.get_default_prefix()
        if data is not None and f"{name}-TOTAL_FORMS" not in data:
            # A form posted without this inline (a page or script from before known wrong
            # answers existed) keeps the question's known wrong answers as they are, as
            # QuizAdminForm keeps a score policy it was not sent.
            data = data.copy()
            data.update({f"{name}-TOTAL_FORMS": "0", f"{name}-INITIAL_FORMS": "0"})
        super().__init__(data, *args, prefix=prefix, **kwargs)

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        answers = [
            KnownWrongAnswer(
                stdout=form.cleaned_data.get("stdout") or "",
                exception=form.cleaned_data.get("exception") or "",
                misconception=form.cleaned_data.get("misconception") or "",
            )
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        problems = known_answers.problems(
            self.instance.answer_mode,
            getattr(self.instance, "checked_outcome", None),
            getattr(self.instance, "checked_predictions", None),
            answers,
        )
        if problems:
            raise ValidationError(problems)


class QuizAdminForm(NormalisedTextForm):
    # Not required: a form posted without it (an older page) keeps the quiz's setting.
    score_policy = forms.ChoiceField(
        choices=Quiz.ScorePolicy.choices,
        required=False,
        help_text="Which attempt's score counts in a course's gradebook.",
    )

    class Meta:
        model = Quiz
        fields = [
            "title",
            "slug",
            "description",
            "time_limit_minutes",
            "max_attempts",
            "opens_at",
            "closes_at",
            "feedback_policy",
            "score_policy",
            "shuffle_questions",
            "is_published",
        ]

    def clean_score_policy(self):
        return self.cleaned_data.get("score_policy") or self.instance.score_policy

    def clean(self):
        cleaned = super().clean()
        policy = cleaned.get("feedback_policy")
        if policy and feedback_policies.policy(policy).NEEDS_CLOSING_TIME:
            if not cleaned.get("closes_at"):
                label = feedback_policies.policy(policy).LABEL.lower()
                self.add_error(
                    "closes_at", f"Feedback {label} needs a closing time, or it would never show."
                )
        opens, closes = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", "The quiz must close after it opens.")
        return cleaned
