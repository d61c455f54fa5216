"""Answer keys per interpreter line (issue 18 §2): one StoredKey row (variant None) per question
and configured line ("3.12", "3.13"), the grader's outcome, trace and predictions on that line.

Question.answer_key stays the default interpreter's key (every reader that knows no version uses
it); its row for the default line is a copy of it. The lines are the grader client's
(graderclient.python_lines(): one grader server, or worker queue, per configured interpreter);
a new line is configuration only. Grader runs happen in `compute_version_keys`, outside any
transaction; `store_version_keys` only writes. A course, or the site (settings.GRADING_PYTHON),
pins the line its attempts are graded against (`grading_key`); a response records the version of
the key it was graded with, and a finished attempt's responses are never regraded here.
"""

import contextlib
import contextvars
import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Prefetch
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

import graderclient
from content import runs
from quizzes.grading import is_valid_key, source_hash
from quizzes.models import Question, QuestionVariant, StoredKey
from quizzes.services import outcomes_differ

logger = logging.getLogger(__name__)

_PINS_CACHE_KEY = "quizzes.versions.course_pins"


@dataclass(frozen=True)
class LineResult:
    """The grader's key of a snippet on one line, computed before any transaction."""

    python: str
    outcome: dict
    trace: dict | None
    predictions: dict | None
    computed_at: datetime

    @property
    def python_version(self) -> str:
        return self.outcome.get("python_version") or ""


def python_lines() -> list[str]:
    """The configured interpreter lines, the default's first."""
    return graderclient.python_lines()


def default_line() -> str:
    lines = python_lines()
    return lines[0] if lines else ""


def version_line(version: str) -> str:
    return ".".join(version.split(".")[:2])


# --- Computing (grader runs; never inside a transaction) ----------------------------------------


def compute_version_keys(snippet: str, lines: list[str]) -> dict[str, LineResult]:
    """The key, trace and predictions of `snippet` on each line of `lines`."""
    results = {}
    for line in lines:
        outcome = runs.checked_outcome(snippet, python=line)
        results[line] = LineResult(
            python=line,
            outcome=outcome,
            trace=runs.trace_snippet(snippet, outcome, python=line),
            predictions=runs.predict_snippet(snippet, outcome, python=line),
            computed_at=timezone.now(),
        )
    return results


def default_result(question: Question) -> LineResult | None:
    """The question's own key as the default line's result (it is that interpreter's key)."""
    if question.answer_key is None or not question.key_python_version:
        return None
    return LineResult(
        python=version_line(question.key_python_version),
        outcome=question.answer_key,
        trace=question.key_trace,
        predictions=question.key_predictions,
        computed_at=question.key_computed_at or timezone.now(),
    )


# --- Storing (writes only) -----------------------------------------------------------------------


@dataclass(frozen=True)
class KeyChange:
    """A line's key that changed when it was stored again (after an interpreter upgrade)."""

    slug: str
    python: str
    before: dict | None
    after: dict


def store_version_keys(question: Question, results: dict[str, LineResult]) -> list[KeyChange]:
    """Write one StoredKey row per line of `results` (and the default line's, from the
    question's own key); returns the lines whose stored outcome changed."""
    own = default_result(question)
    if own is not None:
        results = {own.python: own, **results}
    changes = []
    digest = source_hash(question.snippet)
    with transaction.atomic():
        existing = {
            row.python: row for row in StoredKey.objects.filter(question=question, variant=None)
        }
        for line, result in results.items():
            before = existing.get(line)
            previous = before.answer_key if before is not None else None
            if previous is not None and outcomes_differ(previous, result.outcome):
                changes.append(KeyChange(question.slug, line, previous, result.outcome))
            StoredKey.objects.update_or_create(
                question=question,
                variant=None,
                python=line,
                defaults={
                    "python_version": result.python_version,
                    "answer_key": result.outcome,
                    "key_trace": result.trace,
                    "key_predictions": result.predictions,
                    "source_hash": digest,
                    "computed_at": result.computed_at,
                },
            )
    for change in changes:
        logger.warning("Question %s: its key on Python %s changed", change.slug, change.python)
    return changes


def refresh_version_keys(
    question: Question, *, lines: list[str] | None = None, force: bool = False
) -> list[KeyChange]:
    """Compute and store the question's keys on `lines` (default: every configured line but
    the default's, whose key is the question's own); a line whose row is of the current snippet
    and version is skipped unless `force`."""
    wanted = lines if lines is not None else python_lines()[1:]
    if question.parameters:
        return refresh_variant_version_keys(question, lines=wanted, force=force)
    stored = {row.python: row for row in StoredKey.objects.filter(question=question, variant=None)}
    digest = source_hash(question.snippet)
    due = [
        line for line in wanted if force or line not in stored or stored[line].source_hash != digest
    ]
    return store_version_keys(question, compute_version_keys(question.snippet, due))


def refresh_variant_version_keys(
    question: Question, *, lines: list[str], force: bool = False
) -> list[KeyChange]:
    """The keys of a parameterised question's stored variants on `lines`: each variant's rendered
    snippet is run on each line (its template is not a program). A row of the current rendering
    is skipped unless `force`."""
    from quizzes import variant_services  # variant_services imports quizzes.services

    variants = list(question.variants.all())
    if not variants or not lines:
        return []
    try:
        planned = variant_services.planned_for(question)
    except variant_services.VariantError:
        return []  # the variants' own refresh reports it
    stored = {
        (row.variant_id, row.python): row.source_hash
        for row in StoredKey.objects.filter(variant__in=variants, python__in=lines)
    }
    results = {}
    for variant, plan in zip(variants, planned, strict=False):
        digest = source_hash(plan.snippet)
        due = [line for line in lines if force or stored.get((variant.pk, line)) != digest]
        if due:
            results[plan.snippet] = compute_version_keys(plan.snippet, due)
    return store_variant_version_keys(question, results, planned=planned)


def store_variant_version_keys(
    question: Question, results: dict[str, dict[str, LineResult]], *, planned: list
) -> list[KeyChange]:
    """Write the computed keys of the question's variants on other lines ({rendered snippet:
    {line: result}}), as StoredKey rows of the stored variant that renders to that snippet;
    returns the keys that changed. `planned` is the variants the results were computed for
    (variant_services.Planned, as the caller rendered them: not rendered again). Writes only."""
    from quizzes import variant_services

    changes = []
    with transaction.atomic():
        variants = list(question.variants.all())
        stored = {
            (row.variant_id, row.python): row
            for row in StoredKey.objects.filter(variant__in=variants)
        }
        for variant, plan in zip(variants, planned, strict=False):
            if variant.params != plan.params:
                continue  # rows of older parameters: the variants' own store rewrites them first
            for line, result in results.get(plan.snippet, {}).items():
                before = stored.get((variant.pk, line))
                previous = before.answer_key if before is not None else None
                if previous is not None and outcomes_differ(previous, result.outcome):
                    slug = f"{question.slug} {variant_services.variant_label(variant)}"
                    changes.append(KeyChange(slug, line, previous, result.outcome))
                variant_services.stored_key_write(
                    question=question,
                    variant=variant,
                    line=line,
                    result=result,
                    snippet=plan.snippet,
                )
    for change in changes:
        logger.warning("Question %s: its key on Python %s changed", change.slug, change.python)
    return changes


# --- Reading ------------------------------------------------------------------------------------


def version_keys(question: Question) -> dict[str, StoredKey]:
    """The question's current rows by line (rows of an older snippet left out)."""
    digest = source_hash(question.snippet)
    rows = StoredKey.objects.filter(question=question, variant=None, source_hash=digest)
    return {row.python: row for row in rows}


def differing_lines(question: Question, rows: dict[str, StoredKey] | None = None) -> list[str]:
    """The lines whose outcome differs from the question's own (default) key."""
    rows = version_keys(question) if rows is None else rows
    if not is_valid_key(question.answer_key):
        return []
    return sorted(
        line
        for line, row in rows.items()
        if row.answer_key is not None and outcomes_differ(question.answer_key, row.answer_key)
    )


@dataclass(frozen=True)
class OtherVersion:
    """What the question's snippet shows on another Python line, where it differs."""

    python: str  # the line, "3.13"
    stdout: str
    exception: str | None


def other_version_outputs(question: Question, key: dict | None, python_version: str) -> list:
    """The other lines' outcomes of the question that differ from `key` (the one an answer was
    graded with, on `python_version`), for the feedback: "On Python 3.13 this prints ...". Reads
    the question's prefetched `stored_keys` when the caller prefetched them (one query per page)."""
    if not is_valid_key(key):
        return []
    own_line = version_line(python_version or key.get("python_version") or "")
    digest = source_hash(question.snippet)
    variant = getattr(question, "seen_variant", None)  # variant_services.as_seen
    rows = variant.stored_keys.all() if variant is not None else question.stored_keys.all()
    variant_id = variant.pk if variant is not None else None
    return [
        OtherVersion(row.python, row.answer_key.get("stdout", ""), row.answer_key.get("exception"))
        for row in sorted(rows, key=lambda row: row.python)
        if row.variant_id == variant_id
        and row.source_hash == digest
        and row.python != own_line
        and is_valid_key(row.answer_key)
        and outcomes_differ(key, row.answer_key)
    ]


# --- The pin: which line a course's attempts are graded against ---------------------------------


def site_line() -> str:
    """settings.GRADING_PYTHON, else "" (the default interpreter)."""
    return str(getattr(settings, "GRADING_PYTHON", "") or "")


# The pins read once for a whole batch of grading (pins_read_once): a submit grades each of its
# answers, and asking the shared cache for each cost a round trip per answer.
_batch_pins: contextvars.ContextVar[dict[int, str] | None] = contextvars.ContextVar(
    "batch_pins", default=None
)


@contextlib.contextmanager
def pins_read_once():
    """Inside the block, the course pins are those read as it begins (one cache read for a
    submit's or a regrade's answers, which are graded at the same moment anyway)."""
    token = _batch_pins.set(_course_pins())
    try:
        yield
    finally:
        _batch_pins.reset(token)


def _course_pins() -> dict[int, str]:
    """{quiz id: pinned line} for the quizzes of courses that pin one (cached; a course save
    or a change to its quizzes clears it)."""
    pins = _batch_pins.get()
    if pins is not None:
        return pins
    pins = cache.get(_PINS_CACHE_KEY)
    if pins is None:
        from courses.models import CourseQuiz

        rows = CourseQuiz.objects.exclude(course__python="").values_list(
            "quiz_id", "course__python"
        )
        pins = dict(rows)
        cache.set(_PINS_CACHE_KEY, pins, 300)
    return pins


def pinned_line(quiz_id: int | None) -> str:
    """The line a quiz's attempts are graded against: its course's pin, else the site's ("":
    the default interpreter, whose key is Question.answer_key)."""
    line = _course_pins().get(quiz_id) if quiz_id is not None else None
    return line or site_line()


def grading_key(question: Question, quiz_id: int | None) -> tuple[dict | None, str]:
    """(key, its full Python version) to grade an answer of `quiz_id`'s attempt with: the pinned
    line's stored key, or the question's own when nothing is pinned, the pin is the default
    line, or no current key of that line is stored."""
    line = pinned_line(quiz_id)
    own = (question.answer_key, question.key_python_version)
    if not line or line == version_line(question.key_python_version or ""):
        return own
    # A variant (variant_services.as_seen) is graded with its own row of that line.
    variant = getattr(question, "seen_variant", None)
    row = _stored_grading_key(question, variant, line)
    if row is None or row.answer_key is None:
        logger.warning("Question %s has no key for Python %s: the default's grades", question, line)
        return own
    return row.answer_key, row.python_version


GRADING_KEY_FIELDS = ("question_id", "variant_id", "python", "source_hash", "answer_key")


def grading_keys_prefetch(questions: str = "") -> Prefetch:
    """Prefetch the stored keys grading_key reads (no traces) of the questions at the path
    `questions` (none: of the questions themselves), as `grading_keys`: a submit or a regrade of
    a pinned course grades every answer with no query per answer."""
    rows = StoredKey.objects.only(*GRADING_KEY_FIELDS, "python_version")
    lookup = f"{questions}__stored_keys" if questions else "stored_keys"
    return Prefetch(lookup, queryset=rows, to_attr="grading_keys")


def grading_keys_prefetches(questions: str = "") -> list[Prefetch]:
    """[grading_keys_prefetch(questions)] while a pin is in force, else none: what a batch of
    grading (inside pins_read_once) spreads into prefetch_related or prefetch_related_objects."""
    return [grading_keys_prefetch(questions)] if pins_in_force() else []


def pins_in_force() -> bool:
    """Whether any quiz is graded against another line than its questions' own (a course's pin
    or the site's): only then are grading keys worth prefetching."""
    return bool(site_line() or _course_pins())


def _stored_grading_key(
    question: Question, variant: QuestionVariant | None, line: str
) -> StoredKey | None:
    """The question's (or its variant's) stored key of `line` for its current snippet: from the
    rows read with it (grading_keys_prefetch, or a variant's prefetched keys) when they were,
    else one query."""
    wanted = source_hash(question.snippet)
    owner = variant if variant is not None else question
    read = getattr(owner, "grading_keys", None)
    if read is None:
        read = getattr(owner, "_prefetched_objects_cache", {}).get("stored_keys")
    if read is not None:
        variant_id = variant.pk if variant is not None else None
        return next(
            (
                row
                for row in read
                if row.variant_id == variant_id and row.python == line and row.source_hash == wanted
            ),
            None,
        )
    return (
        StoredKey.objects.filter(
            question=question, variant=variant, python=line, source_hash=wanted
        )
        .only("answer_key", "python_version")
        .first()
    )


def _forget_pins(**kwargs) -> None:
    cache.delete(_PINS_CACHE_KEY)


def connect_signals() -> None:
    from courses.models import Course, CourseQuiz

    post_save.connect(_forget_pins, sender=Course, dispatch_uid="versions-course-saved")
    post_delete.connect(_forget_pins, sender=Course, dispatch_uid="versions-course-deleted")
    post_save.connect(_forget_pins, sender=CourseQuiz, dispatch_uid="versions-coursequiz-saved")
    post_delete.connect(_forget_pins, sender=CourseQuiz, dispatch_uid="versions-coursequiz-gone")
    m2m_changed.connect(
        _forget_pins, sender=Course.quizzes.through, dispatch_uid="versions-course-quizzes"
    )
