"""The answer form of a question (practice and quizzes); sign-up is accounts.forms's."""

from django import forms
from django.utils.html import format_html

from quizzes import choice_order
from quizzes.answer_modes.typed import BLANK_TYPED_ANSWER, TEXT_AND_PRINTS_NOTHING
from quizzes.models import Choice, Question
from quizzes.services import MAX_ANSWER_CHARS

TRUE_FALSE_CHOICES = [("true", "True"), ("false", "False")]


class ShownOrderIterator(forms.models.ModelChoiceIterator):
    """Yields the field's choices in the order the student sees them, not the stored order."""

    def __iter__(self):
        for choice in self.field.shown:
            yield self.choice(choice)

    def __len__(self):
        return len(self.field.shown)


class OutputChoiceField(forms.ModelChoiceField):
    """Radio buttons whose labels show a candidate output in full, preformatted, in the order
    quizzes.choice_order gives for this student (validation still uses the whole queryset).

    Only the text: a choice's misconception label is feedback and stays hidden until then."""

    iterator = ShownOrderIterator

    def __init__(self, *args, shown: list[Choice], **kwargs):
        self.shown = shown
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Choice) -> str:
        return format_html('<pre class="choice-output mb-0">{}</pre>', obj.text)


class AnswerForm(forms.Form):
    """The answer to one question; its field depends on the question's answer mode (a typed
    answer also has the box that says the program prints nothing).

    cleaned answers are turned into the keyword arguments of services.save_answer and
    services.answer_practice by `service_kwargs()`."""

    def __init__(self, *args, question: Question, choice_seed: int | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.question = question
        mode = question.answer_mode
        if mode == Question.AnswerMode.CHOICE:
            choices = question.choices.all()
            self.fields["choice"] = OutputChoiceField(
                queryset=choices,
                shown=choice_order.shuffled(choices, seed=choice_seed, question_id=question.pk),
                widget=forms.RadioSelect,
                empty_label=None,
                label="Which output does it produce?",
                error_messages={"invalid_choice": "Choose one of the outputs listed."},
            )
        elif mode == Question.AnswerMode.TRUE_FALSE:
            self.fields["answer_text"] = forms.ChoiceField(
                choices=TRUE_FALSE_CHOICES,
                widget=forms.RadioSelect,
                label="Is the claim true?",
                error_messages={"invalid_choice": "Answer True or False."},
            )
        else:
            self.fields["answer_text"] = forms.CharField(
                # Leading spaces can be part of an output, so the answer is kept as typed.
                strip=False,
                # Blank is allowed here only with "prints nothing" ticked; see clean().
                required=False,
                max_length=MAX_ANSWER_CHARS,
                label="What does it print?",
                help_text="Type the output exactly, one line per printed line. If it ends with "
                "an uncaught exception, put the exception last, e.g. TypeError. If it prints "
                "nothing, tick the box below.",
                widget=forms.Textarea(
                    attrs={"rows": 5, "spellcheck": "false", "class": "font-monospace"}
                ),
            )
            self.fields["prints_nothing"] = forms.BooleanField(
                required=False, label="The program prints nothing"
            )

    def clean(self):
        cleaned = super().clean()
        if "prints_nothing" in self.fields and "answer_text" in cleaned:
            text = cleaned["answer_text"]
            if cleaned.get("prints_nothing") and text.strip():
                self.add_error("answer_text", TEXT_AND_PRINTS_NOTHING)
            elif not cleaned.get("prints_nothing") and not text.strip():
                self.add_error("answer_text", BLANK_TYPED_ANSWER)
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
