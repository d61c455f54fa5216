"""Logging: every server error reaches stderr with its traceback, and the admins' mailboxes
when ADMINS is set.

Without a LOGGING setting, Django prints errors only while DEBUG is on; with DEBUG off a 500
left nothing but the server's access line.
"""

from django.conf import settings
from django.views.debug import SafeExceptionReporterFilter

# The project's own packages; whatever they log at INFO or above goes to stderr (other
# libraries' warnings too). They propagate to the root logger, which holds the handlers, so
# tests capture their records (caplog).
PROJECT_LOGGERS = ("accounts", "config", "content", "grader", "quizzes")


def admins_from_environment(value: str) -> list[str]:
    """ADMINS="Ada <ada@example.org>, ops@example.org" -> a list of addresses (Django 6)."""
    return [address.strip() for address in value.split(",") if address.strip()]


def logging_settings(*, debug: bool, mail_admins: bool) -> dict:
    handlers = ["stderr", "mail_admins"] if mail_admins else ["stderr"]
    config = {
        "version": 1,
        # Keep Django's own loggers, such as the development server's access lines.
        "disable_existing_loggers": False,
        "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
        "formatters": {
            "plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"},
        },
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "plain", "level": "INFO"},
        },
        "loggers": {
            # Replaces Django's default, which prints to the console only while DEBUG is on.
            "django": {"handlers": handlers, "level": "INFO", "propagate": False},
            # Client errors (404, 403, 400) are in the access log already; in production only
            # server errors are worth a traceback. django.security keeps its warnings.
            "django.request": {"level": "INFO" if debug else "ERROR"},
            **{name: {"level": "INFO"} for name in PROJECT_LOGGERS},
        },
        "root": {"handlers": handlers, "level": "WARNING"},
    }
    if mail_admins:
        config["handlers"]["mail_admins"] = {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            # While developing, the traceback is on the page and the console already.
            "filters": ["require_debug_false"],
        }
    return config


class SettingsSafeReporterFilter(SafeExceptionReporterFilter):
    """The admins' mail of a server error lists every setting; with MAILERS defined, reading
    EMAIL_BACKEND and the other deprecated e-mail settings raises AttributeError, so building
    the mail crashed and none was sent (tests/config/test_log.py). Those settings are left
    out of the report."""

    def get_safe_settings(self):
        safe = {}
        for name in dir(settings):
            if name.isupper():
                try:
                    safe[name] = self.cleanse_setting(name, getattr(settings, name))
                except AttributeError:
                    continue
        return safe
