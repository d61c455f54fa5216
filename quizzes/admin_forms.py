"""Admin forms that hold authored content to what the grader really does.

The question form runs the snippet through the grader when it is saved and refuses snippets
without a real outcome, or whose output changes from one run of Python to the next; the choice
formset then checks the choices against that outcome.
"""

from django import forms
from django.core.exceptions import ValidationError

from grader import GraderUnavailable
from quizzes import grading, services
from quizzes.models import Choice, Question, Quiz


def normalise_newlines(text: str) -> str:
    """Browsers post textareas with \\r\\n; snippets are stored with \\n."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


class QuestionAdminForm(forms.ModelForm):
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
            "explanation",
        ]

    # The outcome of the submitted snippet; ModelAdmin.save_model stores it as the key.
    grader_outcome: dict | None = None

    def clean_snippet(self) -> str:
        return normalise_newlines(self.cleaned_data["snippet"])

    def clean(self):
        cleaned = super().clean()
        snippet = cleaned.get("snippet")
        if not snippet:
            return cleaned
        try:
            outcome = services.run_snippet(snippet)
        except GraderUnavailable as error:
            raise ValidationError(
                f"The grader is unavailable, so nothing was saved: {error}"
            ) from None
        # The choice formset checks the choices against this outcome (see ChoiceFormSet).
        self.instance.checked_outcome = outcome
        if not grading.is_valid_key(outcome):
            reasons = "; ".join(outcome.get("reasons") or []) or "no reason given"
            self.add_error(
                "snippet",
                f"The grader refused this snippet ({outcome['status']}): {reasons}",
            )
            return cleaned
        if services.output_varies(snippet):
            self.add_error("snippet", UNSTABLE_OUTPUT)
            return cleaned
        timing = services.collector_dependence(snippet)
        if timing:
            self.add_error("snippet", f"This snippet's output {'; '.join(timing)}. {GC_TIMING_FIX}")
            return cleaned
        self.grader_outcome = outcome
        return cleaned


UNSTABLE_OUTPUT = (
    "This snippet's output changes from one run of Python to the next (the order of a set of "
    "strings, an id() or a default repr's address, a string's hash), so no single answer is "
    "right. Show something that stays the same instead: sorted(...), a comparison such as "
    "id(a) == id(b), or a length."
)


GC_TIMING_FIX = (
    "No single answer is then sure to be what Python prints. Add gc.disable() at the top (and "
    "gc.collect() where the lesson needs a collection), or call gc.collect() explicitly before "
    "the line whose output matters."
)


class ChoiceAdminForm(forms.ModelForm):
    # Leading spaces are part of a program's output, so they are kept.
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "cols": 50}), strip=False)

    class Meta:
        model = Choice
        fields = ["text", "misconception", "order"]

    def clean_text(self) -> str:
        return normalise_newlines(self.cleaned_data["text"])


class ChoiceFormSet(forms.BaseInlineFormSet):
    """Refuses choices that do not fit the real outcome of the question's snippet."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        outcome = getattr(self.instance, "checked_outcome", None)
        if not grading.is_valid_key(outcome):
            return  # the snippet itself was refused; that error is shown on the question form
        choices = [
            Choice(text=form.cleaned_data["text"])
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("text")
        ]
        problems = grading.choice_problems(self.instance.answer_mode, outcome, choices)
        if problems:
            raise ValidationError(problems)


class QuizAdminForm(forms.ModelForm):
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
            "shuffle_questions",
            "is_published",
        ]

    def clean(self):
        cleaned = super().clean()
        policy = cleaned.get("feedback_policy")
        if policy == Quiz.FeedbackPolicy.AFTER_CLOSE and not cleaned.get("closes_at"):
            self.add_error(
                "closes_at",
                "Feedback after the quiz closes needs a closing time, or it would never show.",
            )
        opens, closes = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", "The quiz must close after it opens.")
        return cleaned
