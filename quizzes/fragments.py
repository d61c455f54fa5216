"""Rendered pieces of the attempt page that many students are shown alike, rendered once per
process: a question's answer-free body (prompt, highlighted snippet, claim, badges) and an answer
form's fields before anything is typed in them.

The whole class loads the same exam page in the same minute, and rendering these pieces with the
template language was most of the page's CPU. Each piece is cached under the exact values its
template reads (never a database id alone), so an edited question, another variant or another
order of the choices is another entry, and nothing is ever stale. What a piece holds is a pure
function of its key: two students share an entry only when they would be shown the same bytes
(`tests/quizzes/test_fragments.py` renders both ways and compares). A posted (bound) form, with
its errors, and a form holding saved typed text are rendered as before and never cached, so no
student's own text is kept for another request. Per process and bounded (least recently used
first out): a lookup is a dict access, not a round trip to a shared cache.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from content.markdown import highlight_python, render_markdown
from quizzes.models import Question
from quizzes.templatetags.outputs import trace_json_script
from quizzes.variants import render

QUESTION_TEMPLATE = "quizzes/_question.html"
FIELDS_TEMPLATE = "quizzes/_answer_fields.html"
DIAGRAM_TEMPLATE = "quizzes/_diagram.html"


class RenderedCache:
    """A bounded map from a key to the HTML rendered for it; thread-safe (gthread workers)."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict[Hashable, SafeString] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_render(self, key: Hashable, render: Callable[[], SafeString]) -> SafeString:
        with self._lock:
            html = self._items.get(key)
            if html is not None:
                self._items.move_to_end(key)
                return html
        html = render()  # outside the lock: two threads may render the same piece once each
        with self._lock:
            self._items[key] = html
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return html

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


# A few hundred questions, each in a few variants; an answer form per choice order it is seen in.
question_bodies = RenderedCache(2048)
answer_fields = RenderedCache(8192)
diagram_frames = RenderedCache(2048)
ALL = (question_bodies, answer_fields, diagram_frames)  # every one, for whoever empties them
# Where a diagram's frame takes its trace's script: a comment, which an escaped source can
# never hold (its "<" is written "&lt;").
_SCRIPT_SLOT = "<!--memdiagram-trace-->"


def question_body_html(context: dict) -> SafeString:
    """_question.html for `context` (presentation.question_context: never a key or explanation;
    its HTML is rendered from the prompt and snippet by content.markdown's pure functions)."""
    question, claim = context["question"], context["claim"]
    key = (
        question.prompt,
        question.snippet,
        None if claim is None else claim.text,
        question.answer_mode,
        question.difficulty,
    )
    return question_bodies.get_or_render(key, lambda: render_to_string(QUESTION_TEMPLATE, context))


def diagram_html(trace, source: str) -> SafeString:
    """_diagram.html for `trace` and `source`: its markup, rendered once per process under all
    the template reads of the trace (how many steps, the notice, whether it was cut short, the
    reference count's definition) and the source, with the trace's own script put in (the
    template's trace_json_script). A result page draws a diagram per question."""
    trace = trace if isinstance(trace, dict) else {}
    steps = trace.get("steps") or ()
    read = {
        "steps": range(len(steps)),
        "notice": trace.get("notice"),
        "truncated": trace.get("truncated"),
        "refcount_definition": trace.get("refcount_definition"),
    }
    key = (source, *read.values())
    frame = diagram_frames.get_or_render(
        key,
        lambda: render_to_string(
            DIAGRAM_TEMPLATE,
            {"trace": read, "source": source, "trace_script": mark_safe(_SCRIPT_SLOT)},
        ),
    )
    if _SCRIPT_SLOT not in frame:  # no steps: no diagram, no script
        return frame
    return mark_safe(frame.replace(_SCRIPT_SLOT, trace_json_script(trace), 1))


def answer_fields_html(form) -> SafeString:
    """_answer_fields.html for `form` (quizzes.forms.AnswerForm)."""
    key = _fields_key(form)
    if key is None:
        return render_to_string(FIELDS_TEMPLATE, {"form": form})
    return answer_fields.get_or_render(
        key, lambda: render_to_string(FIELDS_TEMPLATE, {"form": form})
    )


def warm_published_questions() -> int:
    """Render the prompt and the highlighted snippet of every question a student may be shown
    (published, or in a published quiz), and of each of its variants, into content.markdown's
    per-process caches (keyed by the text itself, so never stale); how many. config.warm calls
    it once, before gunicorn forks the web workers, so that no worker pays for them on its first
    pages."""
    shown = 0
    questions = (
        Question.objects.filter(Q(is_published=True) | Q(quiz_entries__quiz__is_published=True))
        .distinct()
        .only("prompt", "snippet")
        .prefetch_related("variants")
    )
    for question in questions:
        as_shown = [(question.prompt, question.snippet)] + [
            (
                render(question.prompt, v.params, code=False),
                render(question.snippet, v.params, code=True),
            )
            for v in question.variants.all()
        ]
        for prompt, snippet in as_shown:
            render_markdown(prompt)
            highlight_python(snippet)
        shown += len(as_shown)
    return shown


def _fields_key(form) -> tuple | None:
    """Everything _answer_fields.html reads of an unbound form, or None when it is not to be
    cached (bound: posted values and errors; or holding typed text)."""
    if form.is_bound:
        return None
    parts: list = [FIELDS_TEMPLATE, form.prefix, form.auto_id]
    for name, field in form.fields.items():
        options = _options(field)
        value = form.get_initial_for_field(field, name)
        if isinstance(value, str) and value and not options:
            return None  # a student's saved text: theirs alone
        widget = field.widget
        parts.append(
            (
                name,
                type(field).__name__,
                type(widget).__name__,
                str(field.label),
                str(field.help_text),
                getattr(field, "max_length", None),
                field.required,
                tuple(sorted((attr, str(setting)) for attr, setting in widget.attrs.items())),
                options,
                None if value is None else (type(value).__name__, str(value)),
            )
        )
    return tuple(parts)


def _options(field) -> tuple:
    """A choice field's options as shown, in order: for quizzes.forms.OutputChoiceField its
    `shown` choices (each label is its text's), else the field's (value, label) pairs."""
    shown = getattr(field, "shown", None)
    if shown is not None:
        return tuple((choice.pk, choice.text) for choice in shown)
    return tuple((str(value), str(label)) for value, label in getattr(field, "choices", ()))
