"""The fixture format (fixtures/README.md): course rows as TOML tables, written as authors write
them, so an exported file reads like a hand-written one and diffs cleanly in git.

One serialiser serves both directions: `export_content` writes these tables to files, and
`load_content` stores a digest of each row's table as it loaded it (`content_digest`); a row
whose table no longer has that digest was changed after loading, and is not overwritten.
"""

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime

import tomlkit
from tomlkit.exceptions import InvalidStringError

from content.models import ConceptPage, Topic
from quizzes import answer_modes, feedback_policies
from quizzes.models import Choice, KnownWrongAnswer, Question, Quiz
from quizzes.text import normalise_newlines

# Fixture names of the answer modes and feedback policies: their stored values (the registries
# are the one list; tests/content/test_fixture_format.py pins the names the fixture files use).
MODES = {value: value for value in answer_modes.MODES}
POLICIES = {value: value for value in feedback_policies.POLICIES}
_MODE_NAMES = {value: name for name, value in MODES.items()}
_POLICY_NAMES = {value: name for name, value in POLICIES.items()}

# Markdown, programs and their outputs: multi-line literal strings ('''...'''), nothing escaped.
LITERAL_KEYS = frozenset(
    {"body", "prompt", "snippet", "explanation", "text", "description", "stdout"}
)
# Arrays of tables written as [[parent.key]] tables; other arrays of tables are written inline.
SUBTABLE_KEYS = frozenset({"choices", "known_wrong_answers"})
# A parameterised question's domains and constraints: inline tables and arrays of literals.
PARAMETER_KEYS = frozenset({"parameters", "constraints"})

QUIZZES_HEADER = """\
# Quizzes: each lists published question slugs from fixtures/topics/*.toml.
# Practice quizzes give feedback after each answer and allow unlimited attempts;
# the checkpoint and the final exam are timed and show feedback after submitting.
# Every published question is in a quiz, and a question is never in two quizzes with different
# feedback policies (a practice quiz would withhold an exam question's feedback).

"""


# --- Rows as fixture tables (dicts in the order the keys are written) -------------------------


def topic_table(topic: Topic) -> dict:
    return {
        "slug": topic.slug,
        "title": topic.title,
        "order": topic.order,
        "summary": normalise_newlines(topic.summary),
    }


def page_table(page: ConceptPage) -> dict:
    table = {"slug": page.slug, "title": page.title, "order": page.order}
    if not page.is_published:  # authors omit the default
        table["published"] = False
    table["body"] = normalise_newlines(page.body)
    return table


def question_table(
    question: Question,
    choices: Iterable[Choice],
    known_wrong_answers: Iterable[KnownWrongAnswer] = (),
) -> dict:
    table = {
        "slug": question.slug,
        "title": question.title,
        "mode": _MODE_NAMES[question.answer_mode],
        "difficulty": question.difficulty,
        "published": question.is_published,
        "prompt": normalise_newlines(question.prompt),
        "snippet": normalise_newlines(question.snippet),
        "explanation": normalise_newlines(question.explanation),
    }
    # A parameterised question's domains and constraints (quizzes.variants); a plain question
    # is written as before, so its digest does not change.
    parameters = question.parameters or {}
    if parameters.get("domains"):
        # By name: PostgreSQL's jsonb keeps no key order, and the digest must not depend on it.
        table["parameters"] = dict(sorted(parameters["domains"].items()))
    if parameters.get("constraints"):
        table["constraints"] = parameters["constraints"]
    choices = [
        {"text": normalise_newlines(choice.text), "misconception": choice.misconception}
        for choice in choices
    ]
    if choices:
        table["choices"] = choices
    # A typed question's known wrong answers; a question without any is written as before.
    known = [known_wrong_answer_table(answer) for answer in known_wrong_answers]
    if known:
        table["known_wrong_answers"] = known
    return table


def known_wrong_answer_table(answer: KnownWrongAnswer) -> dict:
    """An outcome as the model keeps it: the output, the exception line only when there is one."""
    table = {"stdout": normalise_newlines(answer.stdout)}
    if answer.exception:
        table["exception"] = answer.exception
    table["misconception"] = answer.misconception
    return table


def quiz_table(quiz: Quiz, entries: Iterable[tuple[str, int]]) -> dict:
    """`entries`: (question slug, points) in the quiz's order."""
    table = {
        "slug": quiz.slug,
        "title": quiz.title,
        "description": normalise_newlines(quiz.description),
    }
    optional = {
        "time_limit_minutes": quiz.time_limit_minutes,
        "max_attempts": quiz.max_attempts,  # absent means unlimited
        "opens_at": _utc(quiz.opens_at),
        "closes_at": _utc(quiz.closes_at),
    }
    table |= {key: value for key, value in optional.items() if value is not None}
    table |= {
        "feedback_policy": _POLICY_NAMES[quiz.feedback_policy],
        "shuffle": quiz.shuffle_questions,
        "published": quiz.is_published,
        "questions": [{"slug": slug, "points": points} for slug, points in entries],
    }
    return table


def _utc(moment: datetime | None) -> datetime | None:
    # One spelling per instant, whatever offset the author or the database used.
    return moment.astimezone(UTC) if moment is not None else None


def row_table(row: Topic | ConceptPage | Question | Quiz) -> tuple[str, dict]:
    """The file section (`topic`, `pages`, `questions`, `quizzes`) and table of a saved row."""
    match row:
        case Topic():
            return "topic", topic_table(row)
        case ConceptPage():
            return "pages", page_table(row)
        case Question():
            return "questions", question_table(
                row, row.choices.all(), row.known_wrong_answers.all()
            )
        case Quiz():
            entries = row.quiz_questions.select_related("question")
            return "quizzes", quiz_table(row, [(e.question.slug, e.points) for e in entries])
    raise TypeError(f"{type(row).__name__} is not part of the fixture format")


# --- Digests ----------------------------------------------------------------------------------


def table_digest(section: str, table: dict, *, topic_slug: str = "") -> str:
    """sha256 of a table exactly as written, with the topic whose file it is written in (moving
    a page or a question to another topic changes it too)."""
    text = f"# topic {topic_slug}\n" + render_table(section, table)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def content_digest(row: Topic | ConceptPage | Question | Quiz) -> str:
    """The digest of a saved row as it is now (compare with its stored `content_digest`)."""
    section, table = row_table(row)
    topic_slug = row.topic.slug if isinstance(row, ConceptPage | Question) else ""
    return table_digest(section, table, topic_slug=topic_slug)


# --- Writing TOML -----------------------------------------------------------------------------


def render_table(section: str, table: dict) -> str:
    """One table; `topic` is a plain table, every other section an array of tables."""
    header = f"[{section}]" if section == "topic" else f"[[{section}]]"
    lines, subtables = [header], []
    for key, value in table.items():
        if key in SUBTABLE_KEYS:
            subtables += [render_table(f"{section}.{key}", item) for item in value]
        else:
            lines.append(f"{key} = {_value(key, value)}")
    return "\n".join(lines + subtables)


def render_file(tables: Iterable[tuple[str, dict]], *, header: str = "") -> str:
    """Tables separated by blank lines, as in the hand-written fixtures."""
    return header + "\n\n".join(render_table(section, table) for section, table in tables) + "\n"


def _value(key: str, value) -> str:
    if key in PARAMETER_KEYS:
        return _parameters_value(value)
    if isinstance(value, str):
        return _multiline(value) if key in LITERAL_KEYS and value else _basic(value)
    if isinstance(value, list):  # quiz entries: one inline table per line
        if not value:
            return "[]"
        items = [
            "  { " + ", ".join(f"{k} = {_value(k, v)}" for k, v in item.items()) + " },"
            for item in value
        ]
        return "[\n" + "\n".join(items) + "\n]"
    return tomlkit.item(value).as_string()  # int, bool, datetime


def _parameters_value(value) -> str:
    """Domains as one inline table (`{ n = [256, 257], k = { range = [0, 3] } }`), constraints
    as an array of strings, as authors write them."""
    if isinstance(value, dict):
        items = ", ".join(f"{name} = {_parameters_value(item)}" for name, item in value.items())
        return "{ " + items + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_parameters_value(item) for item in value) + "]"
    return tomlkit.item(value).as_string()


def _basic(text: str) -> str:
    return tomlkit.string(text).as_string()  # "...", escaped


def _multiline(text: str) -> str:
    """A literal '''...''' string when TOML allows one for `text`, else an escaped \"\"\"...\"\"\"
    string. Literal strings cannot hold ''' or control characters; one that starts or ends with a
    quote is legal (''''a'''' for 'a') but hard to read, so those texts are escaped too."""
    literal = not (text.startswith("'") or text.endswith("'"))
    try:
        rendered = tomlkit.string(text, literal=literal, multiline=True).as_string()
    except InvalidStringError:
        rendered = tomlkit.string(text, multiline=True).as_string()
    # TOML drops a newline right after the opening quotes (tomlkit adds one when the text starts
    # with a newline); a text that ends with a newline, a program or a page, opens on a line of
    # its own, as authors write it.
    if text.endswith("\n") and not text.startswith("\n"):
        rendered = rendered[:3] + "\n" + rendered[3:]
    return rendered
