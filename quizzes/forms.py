"""The answer form of a question (practice and quizzes); sign-up is accounts.forms's."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from quizzes import answer_modes
from quizzes.models import Choice, Question


class ShownOrderIterator(forms.models.ModelChoiceIterator):
    """Yields the field's choices in the order the student sees them, not the stored order."""

    def __iter__(self):
        for choice in self.field.shown:
            yield self.choice(choice)

    def __len__(self):
        return len(self.field.shown)


class OutputChoiceField(forms.ModelChoiceField):
    """Radio buttons whose labels show a candidate output in full, preformatted, in the order
    quizzes.choice_order gives for this student (validation accepts any of them: `shown` holds
    every choice of the question).

    Only the text: a choice's misconception label is feedback and stays hidden until then."""

    iterator = ShownOrderIterator

    def __init__(self, *args, shown: list[Choice], **kwargs):
        self.shown = shown
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Choice) -> str:
        return format_html('<pre class="choice-output mb-0">{}</pre>', obj.text)

    def to_python(self, value):
        """The posted choice among those already loaded for the radio buttons (`shown`, every
        choice of the question), as ModelChoiceField would find it in its queryset, without
        querying the choices a second time (an autosave of the exam-day class)."""
        if value in self.empty_values:
            return None
        self.validate_no_null_characters(value)
        if isinstance(value, Choice):
            value = value.pk
        try:
            pk = Choice._meta.pk.to_python(value)
        except ValidationError:
            pk = None
        chosen = next((choice for choice in self.shown if choice.pk == pk), None)
        if chosen is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return chosen


class AnswerForm(forms.Form):
    """The answer to one question; its fields and their checks are its answer mode's
    (quizzes/answer_modes/: a typed answer also has the box that says it prints nothing).

    cleaned answers are turned into the keyword arguments of services.save_answer and
    services.answer_practice by `service_kwargs()`."""

    def __init__(self, *args, question: Question, choice_seed: int | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.question = question
        self.mode = answer_modes.mode(question.answer_mode)
        self.fields.update(self.mode.form_fields(question, choice_seed=choice_seed))

    def clean(self):
        cleaned = super().clean()
        for field, message in self.mode.form_errors(cleaned).items():
            self.add_error(field, message)
        return cleaned

    def service_kwargs(self) -> dict:
        """answer_text / choice / says_prints_nothing keyword arguments for the services."""
        return {
            "answer_text": self.cleaned_data.get("answer_text", ""),
            "choice": self.cleaned_data.get("choice"),
            "says_prints_nothing": bool(self.cleaned_data.get("prints_nothing")),
        }

    @classmethod
    def initial_for(cls, response) -> dict:
        """Initial data that shows a saved answer (a Response or PracticeAnswer) again."""
        if response is None:
            return {}
        if response.choice_id is not None:
            return {"choice": response.choice_id}
        if response.says_prints_nothing:
            return {"answer_text": "", "prints_nothing": True}
        return {"answer_text": response.answer_text}
