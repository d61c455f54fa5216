"""Markdown rendering for prompts, explanations and concept pages.

Markdown is converted to HTML, code is highlighted by Pygments (CSS classes; the stylesheet is
quizzes/static/quizzes/pygments.css), and the result is sanitised with nh3, so author content
can never inject script. Concept pages show the grader's real output under each python block,
and its memory diagram (templates/quizzes/_diagram.html, auto-escaped).
"""

import secrets
from copy import deepcopy

import markdown
import nh3
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from markdown.extensions.fenced_code import FencedBlockPreprocessor
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

from quizzes.grading import source_hash
from quizzes.nul import visible_nul

HIGHLIGHT_CLASS = "highlight"
PYTHON_LANGS = frozenset({"python", "py", "python3", "pycon"})
# The same pattern the fenced_code extension uses, so blocks are found exactly as rendered.
FENCED_BLOCK_RE = FencedBlockPreprocessor.FENCED_BLOCK_RE

_TAGS = nh3.ALLOWED_TAGS | {"span", "div", "pre", "code", "table", "thead", "tbody", "tr"}
_TAGS |= {"th", "td", "hr", "sup", "sub"}
_ATTRIBUTES = deepcopy(nh3.ALLOWED_ATTRIBUTES)
for _tag in ("span", "div", "pre", "code"):
    # Pygments marks tokens with short class names (k, s2, nb...); classes cannot run code.
    _ATTRIBUTES.setdefault(_tag, set()).add("class")
for _tag in ("th", "td"):
    _ATTRIBUTES.setdefault(_tag, set()).add("align")


def pygments_css() -> str:
    """The stylesheet matching the highlighted HTML (written to static by write_pygments_css)."""
    return HtmlFormatter(cssclass=HIGHLIGHT_CLASS).get_style_defs(f".{HIGHLIGHT_CLASS}")


def _markdown_to_html(text: str) -> str:
    return markdown.markdown(
        text,
        extensions=["fenced_code", "codehilite", "tables", "sane_lists"],
        extension_configs={"codehilite": {"css_class": HIGHLIGHT_CLASS, "guess_lang": False}},
        output_format="html",
    )


def sanitise(html: str) -> str:
    return nh3.clean(html, tags=_TAGS, attributes=_ATTRIBUTES)


def render_markdown(text: str) -> SafeString:
    """Markdown -> sanitised HTML with highlighted code."""
    return mark_safe(sanitise(_markdown_to_html(text)))  # noqa: S308 - sanitised by nh3


def highlight_python(source: str) -> SafeString:
    """A Python snippet as highlighted HTML (Pygments escapes the source)."""
    formatter = HtmlFormatter(cssclass=HIGHLIGHT_CLASS)
    return mark_safe(highlight(source, PythonLexer(), formatter))  # noqa: S308 - escaped


def _python_matches(text: str):
    return [m for m in FENCED_BLOCK_RE.finditer(text) if (m.group("lang") or "") in PYTHON_LANGS]


def python_blocks(text: str) -> list[str]:
    """The ```python fenced blocks of `text`, in order."""
    return [m.group("code") for m in _python_matches(text)]


def output_html(source: str, stored) -> SafeString:
    """The real outcome of one block, labelled with the Python version it came from."""
    if stored is None or stored.source_hash != source_hash(source):
        return format_html('<div class="code-output code-output-missing">{}</div>', _MISSING)
    outcome = stored.outcome
    if outcome.get("status") not in ("ok", "raised"):
        reasons = "; ".join(outcome.get("reasons") or []) or outcome.get("status")
        return format_html(
            '<div class="code-output code-output-refused">The grader did not run this block '
            "to the end ({}): {}</div>",
            outcome.get("status"),
            reasons,
        )
    stdout, exception = outcome.get("stdout") or "", outcome.get("exception")
    if exception and stdout and not stdout.endswith("\n"):
        stdout += "\n"
    return format_html(
        '<div class="code-output"><div class="code-output-label">Output (Python {})</div>'
        '<pre class="code-output-text">{}{}</pre></div>',
        stored.python_version,
        visible_nul(stdout),
        format_html('<span class="code-output-exception">{}</span>', visible_nul(exception))
        if exception
        else "",
    )


_MISSING = "Output not computed yet."


def diagram_html(source: str, stored) -> SafeString:
    """The block's step-by-step memory diagram, when the stored trace is of this very source."""
    if stored is None or stored.trace is None or stored.source_hash != source_hash(source):
        return mark_safe("")
    return render_to_string("quizzes/_diagram.html", {"trace": stored.trace, "source": source})


def render_concept_page(page) -> SafeString:
    """The page body with each python block followed by its real output and memory diagram."""
    body = page.body
    matches = _python_matches(body)
    outputs = {out.index: out for out in page.block_outputs.all()}
    # Each block is followed by a unique marker paragraph, replaced after sanitising.
    nonce = secrets.token_hex(8)
    pieces, last = [], 0
    for index, match in enumerate(matches):
        pieces.append(body[last : match.end()])
        pieces.append(f"\n\nCODEOUTPUT{nonce}X{index}\n\n")
        last = match.end()
    pieces.append(body[last:])
    html = sanitise(_markdown_to_html("".join(pieces)))
    for index, match in enumerate(matches):
        source, stored = match.group("code"), outputs.get(index)
        html = html.replace(
            f"<p>CODEOUTPUT{nonce}X{index}</p>",
            output_html(source, stored) + diagram_html(source, stored),
        )
    return mark_safe(html)  # noqa: S308 - sanitised body plus escaped outputs and diagrams
