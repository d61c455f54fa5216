"""Markdown rendering for prompts, explanations and concept pages.

Markdown is converted to HTML, code is highlighted by Pygments (CSS classes; the stylesheet is
content/static/content/pygments.css), and the result is sanitised with nh3, so author content
can never inject script, style a page with classes of its own, or load an image from elsewhere.
Concept pages show the grader's real output under each python block, and its memory diagram
(templates/quizzes/_diagram.html, auto-escaped).
"""

import secrets
from copy import deepcopy
from functools import lru_cache
from urllib.parse import urlencode, urlsplit

import markdown
import nh3
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from markdown.extensions.fenced_code import FencedBlockPreprocessor
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer
from pygments.token import STANDARD_TYPES

from quizzes.grading import is_valid_key, source_hash
from quizzes.nul import visible_nul
from quizzes.text import normalise_newlines

HIGHLIGHT_CLASS = "highlight"
PYTHON_LANGS = frozenset({"python", "py", "python3", "pycon"})
# The same pattern the fenced_code extension uses, so blocks are found exactly as rendered.
FENCED_BLOCK_RE = FencedBlockPreprocessor.FENCED_BLOCK_RE

_TAGS = nh3.ALLOWED_TAGS | {"span", "div", "pre", "code", "table", "thead", "tbody", "tr"}
_TAGS |= {"th", "td", "hr", "sup", "sub"}
_ATTRIBUTES = deepcopy(nh3.ALLOWED_ATTRIBUTES)
# An image may load only from this site: an outside address would make every student's browser
# call a host the author chose (tracking who reads what, when). srcset could name other hosts.
_ATTRIBUTES["img"] = {"src", "alt", "width", "height"}
# Only the classes this site's own Markdown produces survive: Bootstrap's utility classes would
# let an author lay a full-page overlay over a student's page (`position-fixed w-100 h-100`).
# codehilite wraps a block in div.highlight; Pygments marks tokens with its short names (k, s2,
# nb...) and highlighted lines with `hll`.
ALLOWED_CLASSES = {
    "div": {HIGHLIGHT_CLASS},
    "span": {name for name in STANDARD_TYPES.values() if name} | {"hll"},
}
# Links may go elsewhere (a click is the student's choice), but only over the web or to mail.
_URL_SCHEMES = {"http", "https", "mailto"}


# What browsers ignore inside a URL (tab, newline) and around it (control characters, space).
_URL_INNER_JUNK = str.maketrans("", "", "\t\n\r")
_URL_EDGE_JUNK = "".join(map(chr, range(0x21)))


def is_same_origin_path(url: str) -> bool:
    """A path on this site: no scheme, no host. Browsers drop tabs and newlines anywhere in a URL
    and control characters and spaces around it, and read `//host` and `/\\host` as another
    host, so those are judged after the browser's clean-up."""
    url = url.translate(_URL_INNER_JUNK).strip(_URL_EDGE_JUNK)
    if url.startswith(("//", "/\\", "\\")):
        return False
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src" and not is_same_origin_path(value):
        return None
    return value


def pygments_css() -> str:
    """The stylesheet matching the highlighted HTML (written to static by write_pygments_css)."""
    return HtmlFormatter(cssclass=HIGHLIGHT_CLASS).get_style_defs(f".{HIGHLIGHT_CLASS}")


def _markdown_to_html(text: str) -> str:
    return markdown.markdown(
        text,
        extensions=["fenced_code", "codehilite", "tables", "sane_lists"],
        extension_configs={
            "codehilite": {"css_class": HIGHLIGHT_CLASS, "guess_lang": False},
            # align="..." rather than style="text-align: ...", which the sanitiser drops.
            "tables": {"use_align_attribute": True},
        },
        output_format="html",
    )


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        attribute_filter=_keep_attribute,
        url_schemes=_URL_SCHEMES,
    )


# Rendering is a pure function of the text (Markdown, Pygments and nh3 cost a few milliseconds
# per prompt or snippet, and an exam page shows a dozen of each to every student at the same
# minute): each process keeps the latest renderings, keyed by the text itself, so an edited
# prompt or snippet is simply a new key. Bounded, so a long-running process stays small.
RENDER_CACHE_SIZE = 4096


@lru_cache(maxsize=RENDER_CACHE_SIZE)
def render_markdown(text: str) -> SafeString:
    """Markdown -> sanitised HTML with highlighted code."""
    return mark_safe(sanitise(_markdown_to_html(text)))  # noqa: S308 - sanitised by nh3


@lru_cache(maxsize=RENDER_CACHE_SIZE)
def highlight_python(source: str) -> SafeString:
    """A Python snippet as highlighted HTML (Pygments escapes the source)."""
    formatter = HtmlFormatter(cssclass=HIGHLIGHT_CLASS)
    return mark_safe(highlight(source, PythonLexer(), formatter))  # noqa: S308 - escaped


def _python_matches(text: str):
    """The ```python blocks of `text`, which must have \\n line endings (the pattern matches
    \\n only, while Markdown itself renders \\r\\n text: \\r\\n would hide every block)."""
    return [m for m in FENCED_BLOCK_RE.finditer(text) if (m.group("lang") or "") in PYTHON_LANGS]


def python_blocks(text: str) -> list[str]:
    """The ```python fenced blocks of `text`, in order, whatever its line endings."""
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
        visible_nul(stdout),
        format_html('<span class="code-output-exception">{}</span>', visible_nul(exception))
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


def withheld_html(quiz) -> SafeString:
    """Instead of a block's output that would reveal the key of a question `quiz` guards."""
    return format_html(
        '<div class="code-output code-output-withheld">The output of this block is shown with '
        "the feedback of {}.</div>",
        quiz.title,
    )


def edit_link_html(page, index: int) -> SafeString:
    """ "Edit and run": the block opened in the playground (issue 17), which looks it up again
    by page and index with the same withholding rules, so the link carries no code."""
    query = urlencode({"page": page.slug, "block": index})
    return format_html(
        '<p class="code-edit"><a class="btn btn-outline-secondary btn-sm playground-edit-link" '
        'href="{}?{}">Edit and run</a></p>',
        reverse("playground:editor"),
        query,
    )


def render_concept_page(page, *, withheld=None) -> SafeString:
    """The page body with each python block followed by its real output and memory diagram;
    `withheld` maps block indexes to the quiz whose guarded key their output would reveal
    (quizzes.selectors.withheld_blocks): those show a note instead. A notice on top names the
    blocks without a real output."""
    withheld = withheld or {}
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
        if index in withheld:
            shown = withheld_html(withheld[index])
        else:
            shown = edit_link_html(page, index) + output_html(source, stored)
            shown += diagram_html(source, stored)
        html = html.replace(f"<p>CODEOUTPUT{nonce}X{index}</p>", shown)
    notice = missing_outputs_notice(without_output)
    return mark_safe(notice + html)  # noqa: S308 - sanitised body plus escaped outputs, diagrams
