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

from quizzes.grading import is_valid_key, source_hash
from quizzes.text import normalise_newlines

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
    """Matches in `text`, whose newlines must be normalised: Markdown renders a \r\n body's
    blocks, but the fenced-block pattern finds none of them."""
    return [m for m in FENCED_BLOCK_RE.finditer(text) if (m.group("lang") or "") in PYTHON_LANGS]


def python_blocks(text: str) -> list[str]:
    """The ```python fenced blocks of `text`, in order."""
    return [m.group("code") for m in _python_matches(normalise_newlines(text))]


def has_real_output(source: str, stored) -> bool:
    """Whether `stored` (a CodeBlockOutput or None) is the grader's outcome of this very source,
    run to the end or to an exception: only then may a page show it as the real output."""
    return (
        stored is not None
        and stored.source_hash == source_hash(source)
        and is_valid_key(stored.outcome)
    )


def output_html(source: str, stored) -> SafeString:
    """The real outcome of one block, labelled with the Python version it came from; a notice
    instead when there is none (never a stale or failed run presented as the output)."""
    if stored is None or stored.source_hash != source_hash(source):
        return format_html(
            '<div class="code-output code-output-missing" role="note">{}</div>', _MISSING
        )
    outcome = stored.outcome
    if not is_valid_key(outcome):
        reasons = "; ".join(outcome.get("reasons") or []) or outcome.get("status")
        return format_html(
            '<div class="code-output code-output-refused" role="note">No output shown: the '
            "grader did not run this block to the end ({}: {}), so what it prints is not known."
            "</div>",
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
        stdout,
        format_html('<span class="code-output-exception">{}</span>', exception)
        if exception
        else "",
    )


_MISSING = (
    "Output not computed yet: the grader has not run this version of the block, so no output "
    "is shown for it."
)


def diagram_html(source: str, stored) -> SafeString:
    """The block's step-by-step memory diagram, when the stored trace is of this very source."""
    if not has_real_output(source, stored) or stored.trace is None:
        return mark_safe("")
    return render_to_string("quizzes/_diagram.html", {"trace": stored.trace, "source": source})


def missing_outputs_notice(numbers: list[int]) -> SafeString:
    """Said above a page whose python blocks `numbers` (1-based) have no real output, so the page
    never lets a reader take them for checked examples."""
    if not numbers:
        return mark_safe("")
    plural = len(numbers) > 1
    return format_html(
        '<div class="alert alert-warning code-output-notice" role="note">Code {} {} on this '
        "page {} no output checked by the grader, so none is shown: read {} as code only. "
        "Every output that is shown is the real one.</div>",
        "blocks" if plural else "block",
        ", ".join(str(number) for number in numbers),
        "have" if plural else "has",
        "them" if plural else "it",
    )


def render_concept_page(page) -> SafeString:
    """The page body with each python block followed by its real output and memory diagram, and
    a notice on top if any block has none."""
    body = normalise_newlines(page.body)
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
    without_output = []
    for index, match in enumerate(matches):
        source, stored = match.group("code"), outputs.get(index)
        if not has_real_output(source, stored):
            without_output.append(index + 1)
        html = html.replace(
            f"<p>CODEOUTPUT{nonce}X{index}</p>",
            output_html(source, stored) + diagram_html(source, stored),
        )
    notice = missing_outputs_notice(without_output)
    return mark_safe(notice + html)  # noqa: S308 - sanitised body plus escaped outputs, diagrams
