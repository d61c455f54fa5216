"""Sign-up: a username, an email for password resets, and a password Django validates."""

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth.forms import UserCreationForm


class SignUpForm(UserCreationForm):
    # Where a password-reset link is sent; nothing else is mailed.
    email = forms.EmailField(help_text="Used only to send you a link if you forget your password.")

    class Meta(UserCreationForm.Meta):
        fields = ("username", "email")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
