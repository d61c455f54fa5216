"""Sign-up: a username, an email for password resets, and a password Django validates; the
login form, which says when an address has failed too many logins."""

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.core.exceptions import ValidationError

TOO_MANY_FAILURES = (
    "Too many failed logins have come from your network in the last minutes. Wait a quarter of "
    "an hour, then try again, or ask your instructor."
)


class SignUpForm(UserCreationForm):
    # Where a password-reset link is sent; nothing else is mailed.
    email = forms.EmailField(help_text="Used only to send you a link if you forget your password.")

    class Meta(UserCreationForm.Meta):
        fields = ("username", "email")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class LoginForm(AuthenticationForm):
    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            # accounts.auth_backends refused the address before checking the password.
            if getattr(self.request, "login_failures_exceeded", False):
                raise ValidationError(TOO_MANY_FAILURES, code="address_throttled") from None
            raise
