"""A page for the browser tests: two traced snippets, each drawn by templates/quizzes/_diagram.html.

Served under a strict Content-Security-Policy, so the diagram must work without inline code.
"""

import functools

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import include, path

import grader

# Aliasing then `del` (the two steps the test checks), and a call that adds then drops a frame.
ALIASING = "a = [1, 2, 3]\nb = a\ndel a\nprint(len(b))\n"
CALL = "def f(x):\n    y = x\n    return y\n\nz = f(1000)\nprint(z)\n"

# The snippets of the concept page on defaults and closures (fixtures/topics/08-frames-arguments).
DEFAULTS = (
    "def remember(item, seen=[]):\n    seen.append(item)\n    return seen\n\n"
    'print(remember("a"))\nprint(remember("b"))\nprint(remember("c", []))\n'
    "print(remember.__defaults__)\n"
)
CLOSURES = (
    "late = [lambda: i for i in range(3)]\nprint([f() for f in late])\n"
    "early = [lambda i=i: i for i in range(3)]\nprint([f() for f in early])\n"
)

PAGE = engines["django"].from_string(
    """{% load static %}<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Memory diagrams</title>
<link rel="stylesheet" href="{% static 'vendor/bootstrap/css/bootstrap.min.css' %}">
<link rel="stylesheet" href="{% static 'quizzes/diagram.css' %}">
</head><body><main class="container">
<h1 class="h4">Aliasing</h1>
{% include "quizzes/_diagram.html" with trace=aliasing source=aliasing_source %}
<h1 class="h4">A call</h1>
{% include "quizzes/_diagram.html" with trace=call source=call_source %}
</main><script src="{% static 'quizzes/diagram.js' %}"></script></body></html>"""
)


@functools.cache
def trace_of(source: str) -> dict:
    """The trace the real grader records for `source`."""
    outcome = grader.run(source, trace=True)
    if not isinstance(outcome.trace, dict):
        raise AssertionError(
            f"grader.run(..., trace=True) recorded no trace: {outcome.status} {outcome.reasons}"
        )
    return outcome.trace


def diagram_page(request: HttpRequest) -> HttpResponse:
    context = {
        "aliasing": trace_of(ALIASING),
        "aliasing_source": ALIASING,
        "call": trace_of(CALL),
        "call_source": CALL,
    }
    response = HttpResponse(PAGE.render(context, request))
    response["Content-Security-Policy"] = "default-src 'self'"
    return response


FUNCTIONS_PAGE = engines["django"].from_string(
    """{% load static %}<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Functions</title>
<link rel="stylesheet" href="{% static 'vendor/bootstrap/css/bootstrap.min.css' %}">
<link rel="stylesheet" href="{% static 'quizzes/diagram.css' %}">
</head><body><main class="container">
<h1 class="h4">Default values</h1>
{% include "quizzes/_diagram.html" with trace=defaults source=defaults_source %}
<h1 class="h4">Closures</h1>
{% include "quizzes/_diagram.html" with trace=closures source=closures_source %}
</main><script src="{% static 'quizzes/diagram.js' %}"></script></body></html>"""
)


def functions_page(request: HttpRequest) -> HttpResponse:
    context = {
        "defaults": trace_of(DEFAULTS),
        "defaults_source": DEFAULTS,
        "closures": trace_of(CLOSURES),
        "closures_source": CLOSURES,
    }
    response = HttpResponse(FUNCTIONS_PAGE.render(context, request))
    response["Content-Security-Policy"] = "default-src 'self'"
    return response


# The site's own pages stay reachable (its error pages link to them).
urlpatterns = [
    path("diagrams/", diagram_page),
    path("diagrams/functions/", functions_page),
    path("", include("config.urls")),
]
