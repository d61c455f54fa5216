"""Template filters for short plain-text labels written by authors (misconceptions)."""

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from quizzes import misconceptions

register = template.Library()

# `code` spans, as the fixtures write names and expressions in a label; the rest is plain text.
INLINE_CODE = re.compile(r"`([^`]+)`")


@register.filter
def inline_code(value: str) -> str:
    """The label escaped, with each `span` shown as <code> (a label is not Markdown: authors
    write backticks in it, which students otherwise saw as stray quotes)."""
    return mark_safe(INLINE_CODE.sub(r"<code>\1</code>", escape(value)))  # noqa: S308 - escaped


@register.filter
def misconception_label(value: str) -> str:
    """A choice's misconception label as students read it: a catalogue id becomes its belief."""
    return misconceptions.label_text(value)
