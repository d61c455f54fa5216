from django import forms

import grader
from grader.constants import MAX_SOURCE_BYTES


class ProgramForm(forms.Form):
    # Kept as typed (no strip): indentation and trailing lines are part of the program.
    source = forms.CharField(
        strip=False,
        max_length=MAX_SOURCE_BYTES,
        widget=forms.Textarea(
            attrs={"rows": 14, "spellcheck": "false", "class": "form-control font-monospace"}
        ),
        error_messages={"required": "Type a program to run."},
    )
    # The code the page was opened with ("Reset" brings it back); empty for a blank editor.
    original = forms.CharField(strip=False, required=False, max_length=MAX_SOURCE_BYTES)
    # A second program, run beside the first with both diagrams stepping together (issue 17 §3).
    compare = forms.CharField(
        strip=False,
        required=False,
        max_length=MAX_SOURCE_BYTES,
        widget=forms.Textarea(
            attrs={"rows": 8, "spellcheck": "false", "class": "form-control font-monospace"}
        ),
    )
    # Or the first program again, as a student holding this misconception expects it to run.
    misconception = forms.ChoiceField(
        required=False,
        choices=[("", "choose a misconception")]
        + [(key, entry.belief) for key, entry in grader.MISCONCEPTIONS.items()],
    )
