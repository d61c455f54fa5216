"""Forms of the courses pages: joining, a CSV roster, a grade override, an accommodation."""

from django import forms
from django.contrib.auth import get_user_model

from courses import roster
from courses.models import Accommodation, Section


class JoinForm(forms.Form):
    section = forms.ModelChoiceField(queryset=Section.objects.none(), required=False)

    def __init__(self, *args, course, **kwargs):
        super().__init__(*args, **kwargs)
        sections = course.sections.all()
        self.fields["section"].queryset = sections
        if len(sections) == 1:
            del self.fields["section"]


class RosterForm(forms.Form):
    """The first post uploads a file (a dry run shows what it would do); the preview posts the
    same text back, in a hidden field, to apply it."""

    file = forms.FileField(
        required=False, help_text="CSV, one student a line: username or email, section."
    )
    text = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is not None:
            try:
                cleaned["text"] = roster.decoded(upload.read(roster.MAX_ROSTER_BYTES + 1))
            except roster.RosterUnreadable as unreadable:
                raise forms.ValidationError(str(unreadable)) from None
        if not cleaned.get("text"):
            raise forms.ValidationError("Choose a CSV file to upload.")
        return cleaned


class OverrideForm(forms.Form):
    points = forms.IntegerField(
        min_value=0, widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"})
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}),
        max_length=2000,
    )


class AccommodationForm(forms.ModelForm):
    class Meta:
        model = Accommodation
        fields = [
            "student",
            "quiz",
            "time_multiplier",
            "extra_minutes",
            "closes_at",
            "extra_attempts",
            "note",
        ]
        widgets = {"closes_at": forms.DateTimeInput(attrs={"type": "datetime-local"})}

    def __init__(self, *args, course, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = (
            get_user_model().objects.filter(enrolments__course=course).order_by("username")
        )
        self.fields["quiz"].queryset = course.quizzes.all()
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control form-control-sm")
