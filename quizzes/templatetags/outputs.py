"""Template filters for what a snippet printed."""

from django import template

from quizzes.nul import visible_nul as show_nul

register = template.Library()


@register.filter
def visible_nul(value):
    """Shows each NUL character as ␀ (in a string, or in every string of a trace)."""
    return show_nul(value)
