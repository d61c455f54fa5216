"""Load the course from TOML fixtures (fixtures/topics/*.toml and fixtures/quizzes.toml).

Everything is upserted by slug, so loading twice duplicates nothing and an edited fixture updates
the database. Answer keys and page outputs come from the grader (content.compute), run before the
one transaction that writes everything, never inside it; a question whose key does not fit its
choices is reported and left unpublished.

Nothing an instructor wrote is overwritten: each loaded row keeps the digest of what it was
loaded as (`content_digest`, see content.fixture_format). A row changed since (in the admin, say)
or authored in the admin is skipped and reported by slug, unless the load is told to overwrite.
"""

import logging
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.db import transaction

from content import compute
from content import services as content_services
from content.fixture_format import (
    MODES,
    POLICIES,
    content_digest,
    page_table,
    question_table,
    quiz_table,
    table_digest,
    topic_table,
)
from content.guards import DEFERRED_POLICIES, snippets_on_pages
from content.models import ConceptPage, Topic
from quizzes import feedback_policies, grading, known_answers, services, variant_services
from quizzes.deadlines import follow_quiz_times
from quizzes.models import Choice, KnownWrongAnswer, Question, Quiz
from quizzes.text import normalise_newlines

logger = logging.getLogger(__name__)
Results = dict[str, compute.Result]  # grader results by source, computed before writing

SECTIONS = {"topic": "topics", "page": "pages", "question": "questions", "quiz": "quizzes"}
# Why a row was not loaded over (or was loaded over, with --overwrite).
EDITED = "changed since it was last loaded"
NOT_LOADED = (
    "no record of being loaded from the fixtures (authored in the admin, or loaded before "
    "load_content recorded what it loads)"
)


class ContentError(Exception):
    """The fixtures are malformed; nothing was loaded. `problems` lists every one found."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class LoadReport:
    # Counters by section: "topic", "page", "question", "quiz".
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    skipped: list[tuple[str, str, str]] = field(default_factory=list)  # (section, slug, reason)
    overwritten: list[tuple[str, str, str]] = field(default_factory=list)
    keys_computed: int = 0
    outputs_computed: int = 0
    invalid: dict[str, list[str]] = field(default_factory=dict)  # question slug -> problems
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        skipped = Counter(section for section, _, _ in self.skipped)
        lines = [
            f"{plural}: {self.created[section]} new, {self.updated[section]} updated, "
            f"{self.unchanged[section]} unchanged, {skipped[section]} skipped"
            for section, plural in SECTIONS.items()
        ]
        lines.append(
            f"Answer keys computed: {self.keys_computed}; code block outputs computed: "
            f"{self.outputs_computed}."
        )
        lines += self.notes
        for section, slug, reason in self.overwritten:
            lines.append(f"OVERWRITTEN {section} {slug}: {reason}; replaced by the fixture.")
        for section, slug, reason in self.skipped:
            lines.append(f"SKIPPED {section} {slug}: {reason}; kept as it is.")
        if self.skipped:
            lines += [
                f"SKIPPED {len(self.skipped)} row(s) to keep what was written in the admin:",
                "  `python manage.py export_content` writes them to fixtures/ for review;",
                "  `python manage.py load_content --overwrite` replaces them with the fixtures.",
            ]
        for slug, problems in sorted(self.invalid.items()):
            lines.append(f"INVALID question {slug} (not published): {' '.join(problems)}")
        return lines


# --- Reading and checking the files -----------------------------------------------------------


class _Checker:
    """Collects every structural problem, so authors see them all at once."""

    def __init__(self):
        self.problems: list[str] = []

    def require(self, where: str, data: dict, name: str, kind: type | tuple, *, optional=False):
        value = data.get(name)
        if value is None:
            if not optional:
                self.problems.append(f"{where}: missing `{name}`")
            return None
        if not isinstance(value, kind) or isinstance(value, bool) and kind is int:
            self.problems.append(f"{where}: `{name}` has the wrong type ({type(value).__name__})")
            return None
        return value

    def tables(self, where: str, data: dict, name: str) -> list[dict]:
        """An array of tables such as [[questions]]; empty (with a problem noted) if malformed."""
        value = data.get(name, [])
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            self.problems.append(f"{where}: `{name}` must be an array of tables ([[{name}]])")
            return []
        return value

    def one_of(self, where: str, value, allowed: dict, name: str):
        if value is not None and value not in allowed:
            self.problems.append(f"{where}: `{name}` must be one of {', '.join(allowed)}")


def _read_toml(path: Path, checker: _Checker) -> dict:
    try:
        return _with_plain_newlines(tomllib.loads(path.read_text(encoding="utf-8")))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        checker.problems.append(f"{path}: not valid TOML: {error}")
        return {}


def _with_plain_newlines(value):
    """Every text of a parsed file with \\n line endings (a basic string can spell \\r\\n)."""
    if isinstance(value, str):
        return normalise_newlines(value)
    if isinstance(value, dict):
        return {key: _with_plain_newlines(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_with_plain_newlines(item) for item in value]
    return value


def _check_topic_file(path: Path, data: dict, checker: _Checker) -> None:
    topic = data.get("topic")
    if not isinstance(topic, dict):
        checker.problems.append(f"{path}: missing the [topic] table")
    else:
        checker.require(f"{path} [topic]", topic, "slug", str)
        checker.require(f"{path} [topic]", topic, "title", str)
        checker.require(f"{path} [topic]", topic, "order", int)
        checker.require(f"{path} [topic]", topic, "summary", str, optional=True)
    for page in checker.tables(str(path), data, "pages"):
        where = f"{path} page {page.get('slug', '?')}"
        for name in ("slug", "title", "body"):
            checker.require(where, page, name, str)
        checker.require(where, page, "order", int, optional=True)
        checker.require(where, page, "published", bool, optional=True)
    for question in checker.tables(str(path), data, "questions"):
        where = f"{path} question {question.get('slug', '?')}"
        for name in ("slug", "title", "snippet", "explanation", "mode"):
            checker.require(where, question, name, str)
        checker.require(where, question, "prompt", str, optional=True)
        checker.require(where, question, "published", bool, optional=True)
        checker.one_of(where, question.get("mode"), MODES, "mode")
        difficulty = checker.require(where, question, "difficulty", int, optional=True)
        if difficulty is not None and difficulty not in Question.Difficulty.values:
            checker.problems.append(f"{where}: `difficulty` must be 1, 2 or 3")
        for choice in checker.tables(where, question, "choices"):
            checker.require(where + " choice", choice, "text", str)
            checker.require(where + " choice", choice, "misconception", str, optional=True)
        _check_known_wrong_answers(where, question, checker)
        _check_parameters(where, question, checker)


def _check_known_wrong_answers(where: str, question: dict, checker: _Checker) -> None:
    """A typed question's [[questions.known_wrong_answers]]: an output, an optional exception
    line and the misconception behind it, each output once. Whether one is the real outcome or
    contradicts its catalogue label needs the key: the load checks that (known_answers)."""
    answers = checker.tables(where, question, "known_wrong_answers")
    if answers and question.get("mode") in MODES and MODES[question["mode"]] != "typed":
        checker.problems.append(f"{where}: {known_answers.ONLY_TYPED}")
    seen: list[KnownWrongAnswer] = []
    for number, answer in enumerate(answers, start=1):
        at = f"{where} known wrong answer {number}"
        stdout = checker.require(at, answer, "stdout", str)
        exception = checker.require(at, answer, "exception", str, optional=True)
        label = checker.require(at, answer, "misconception", str)
        if exception is not None and "\n" in exception.strip():
            checker.problems.append(f"{at}: `exception` is one line, the traceback's last")
        if label is not None and not label.strip():
            checker.problems.append(f"{at}: `misconception` must name the misconception")
        if stdout is None:
            continue
        written = KnownWrongAnswer(stdout=stdout, exception=exception or "")
        if any(grading.answer_matches(known_answers.text(written), k.outcome) for k in seen):
            checker.problems.append(f"{at}: the same output as an earlier known wrong answer")
        seen.append(written)


def _known_wrong_answers(data: dict) -> list[KnownWrongAnswer]:
    """A checked question table's known wrong answers, unsaved, in the file's order."""
    return [
        KnownWrongAnswer(
            stdout=answer["stdout"],
            exception=answer.get("exception", ""),
            misconception=answer["misconception"],
        )
        for answer in data.get("known_wrong_answers", [])
    ]


def _check_parameters(where: str, question: dict, checker: _Checker) -> None:
    """A parameterised question's domains, constraints and placeholders (quizzes.variants)."""
    domains = checker.require(where, question, "parameters", dict, optional=True)
    constraints = checker.require(where, question, "constraints", list, optional=True)
    if domains is None and constraints is None:
        return
    texts = [c.get("text") for c in question.get("choices", []) if isinstance(c, dict)]
    try:
        variant_services.planned_variants(
            spec=parameters_spec(question),
            snippet=question.get("snippet") or "",
            prompt=question.get("prompt") or "",
            choice_texts=[text for text in texts if isinstance(text, str)],
        )
    except variant_services.VariantError as error:
        checker.problems.append(f"{where}: {error.message}")


def parameters_spec(data: dict) -> dict:
    """Question.parameters from a fixture's `parameters` (domains) and `constraints`."""
    spec: dict = {}
    if data.get("parameters"):
        spec["domains"] = data["parameters"]
    if data.get("constraints"):
        spec["constraints"] = data["constraints"]
    return spec


def _check_quiz(where: str, quiz: dict, checker: _Checker) -> None:
    for name in ("slug", "title"):
        checker.require(where, quiz, name, str)
    checker.require(where, quiz, "description", str, optional=True)
    for name in ("time_limit_minutes", "max_attempts"):
        value = checker.require(where, quiz, name, int, optional=True)
        if value is not None and value < 1:
            checker.problems.append(f"{where}: `{name}` must be at least 1")
    for name in ("opens_at", "closes_at"):
        value = checker.require(where, quiz, name, datetime, optional=True)
        if value is not None and value.tzinfo is None:
            checker.problems.append(f"{where}: `{name}` needs a time zone offset")
    policy = quiz.get("feedback_policy", "after_submit")
    checker.one_of(where, policy, POLICIES, "feedback_policy")
    if (
        policy in POLICIES
        and feedback_policies.policy(policy).NEEDS_CLOSING_TIME
        and not quiz.get("closes_at")
    ):
        checker.problems.append(f"{where}: feedback after closing needs `closes_at`")
    entries = checker.require(where, quiz, "questions", list) or []
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("slug"), str):
            checker.problems.append(f"{where}: each entry of `questions` needs a `slug`")
        elif not isinstance(entry.get("points", 1), int) or entry.get("points", 1) < 0:
            checker.problems.append(f"{where}: points of {entry['slug']} must be an integer >= 0")


def _check_unique(kind: str, slugs: list[str], checker: _Checker) -> None:
    for slug, count in Counter(slugs).items():
        if count > 1:
            checker.problems.append(f"{kind} slug {slug!r} is used {count} times")


def _check_guarded_snippets(topic_files: list[dict], quizzes: list[dict], checker: _Checker):
    """A question whose feedback waits for submitting or closing must not have its snippet on
    a concept page, which shows the real output to everyone (see content.guards)."""
    deferred = {name for name, policy in POLICIES.items() if policy in DEFERRED_POLICIES}
    guarded = {
        entry["slug"]
        for quiz in quizzes
        if quiz.get("feedback_policy", "after_submit") in deferred
        for entry in quiz["questions"]
    }
    questions = [
        (question["slug"], question["snippet"])
        for data in topic_files
        for question in data.get("questions", [])
        if question["slug"] in guarded
    ]
    pages = [(page["slug"], page["body"]) for data in topic_files for page in data.get("pages", [])]
    checker.problems += [leak.message() for leak in snippets_on_pages(questions, pages)]


@dataclass
class Fixtures:
    topic_files: list[dict]
    quizzes: list[dict]
    topic_paths: list[Path]  # each topic file's, for messages


def read_fixtures(root: Path) -> Fixtures:
    """Parse and check every fixture file; raises ContentError listing all problems."""
    checker = _Checker()
    topic_paths = sorted((root / "topics").glob("*.toml"))
    if not topic_paths:
        raise ContentError([f"{root / 'topics'}: no *.toml topic files found"])
    topic_files, read_paths = [], []
    for path in topic_paths:
        data = _read_toml(path, checker)
        if data:
            _check_topic_file(path, data, checker)
            topic_files.append(data)
            read_paths.append(path)
    quizzes = []
    quiz_path = root / "quizzes.toml"
    if quiz_path.exists():
        quizzes = checker.tables(str(quiz_path), _read_toml(quiz_path, checker), "quizzes")
        for quiz in quizzes:
            _check_quiz(f"{quiz_path} quiz {quiz.get('slug', '?')}", quiz, checker)
    _check_unique("topic", [f.get("topic", {}).get("slug") for f in topic_files], checker)
    _check_unique("page", [p.get("slug") for f in topic_files for p in f.get("pages", [])], checker)
    _check_unique(
        "question", [q.get("slug") for f in topic_files for q in f.get("questions", [])], checker
    )
    _check_unique("quiz", [q.get("slug") for q in quizzes], checker)
    if not checker.problems:
        _check_guarded_snippets(topic_files, quizzes, checker)
    if checker.problems:
        raise ContentError(checker.problems)
    return Fixtures(topic_files=topic_files, quizzes=quizzes, topic_paths=read_paths)


# --- Writing ----------------------------------------------------------------------------------


def _edit_reason(row, wanted: str) -> tuple[str | None, str | None]:
    """The digest of `row` as it is now (None when there is no such row yet), and why the
    fixture's version (digest `wanted`) must not be written over it (None: it may be)."""
    if row is None:
        return None, None
    current = content_digest(row)
    if current in (row.content_digest, wanted):
        return current, None  # untouched since it was loaded, or already what the fixture says
    return current, EDITED if row.content_digest else NOT_LOADED


def _will_write(row, wanted: str, overwrite: bool) -> bool:
    return overwrite or _edit_reason(row, wanted)[1] is None


def _may_write(
    row, section: str, wanted: str, report: LoadReport, overwrite: bool
) -> tuple[bool, str | None]:
    """Whether the fixture's version (digest `wanted`) may be written over `row`, and the digest
    of `row` as it is now (None when there is no such row yet)."""
    current, reason = _edit_reason(row, wanted)
    if reason is None:
        return True, current
    (report.overwritten if overwrite else report.skipped).append((section, row.slug, reason))
    return overwrite, current


def _record(row, section: str, before: str | None, report: LoadReport) -> None:
    """Store the digest of `row` as loaded; `before` is the digest it had (None if new)."""
    digest = content_digest(row)
    content_services.content_digest_store(row=row, digest=digest)
    if before is None:
        report.created[section] += 1
    elif before == digest:
        report.unchanged[section] += 1
    else:
        report.updated[section] += 1


def _upsert(existing, before: str | None, wanted: str, write):
    """The row with the fixture's fields: a row that already is what the fixture says (digest
    `before` equals `wanted`) is not written again, which keeps the load's transaction, and so
    its hold on the write lock, short; otherwise `write()` (a service) writes it."""
    if existing is not None and before == wanted:
        return existing
    return write()


def _wanted_question(
    topic_slug: str, data: dict
) -> tuple[dict, list[Choice], list[KnownWrongAnswer], str]:
    """The question's fields (but its topic), choices, known wrong answers and digest as the
    fixture has them."""
    fields = {
        "title": data["title"],
        "prompt": data.get("prompt", ""),
        "snippet": data["snippet"],
        "answer_mode": MODES[data["mode"]],
        "explanation": data["explanation"],
        "difficulty": data.get("difficulty", Question.Difficulty.EASY),
        "parameters": parameters_spec(data),
    }
    choices = [
        Choice(text=choice["text"], misconception=choice.get("misconception", ""))
        for choice in data.get("choices", [])
    ]
    known = _known_wrong_answers(data)
    wanted = Question(slug=data["slug"], is_published=data.get("published", True), **fields)
    table = question_table(wanted, choices, known)
    return fields, choices, known, table_digest("questions", table, topic_slug=topic_slug)


def _wanted_page(topic_slug: str, data: dict) -> tuple[dict, str]:
    """The page's fields (but its topic) and digest as the fixture has them."""
    fields = {
        "title": data["title"],
        "order": data.get("order", 0),
        "body": data["body"],
        "is_published": data.get("published", True),
    }
    digest = table_digest(
        "pages", page_table(ConceptPage(slug=data["slug"], **fields)), topic_slug=topic_slug
    )
    return fields, digest


def _write_question(slug: str, fields: dict, choices: list, known: list) -> Question:
    question = services.question_upsert(slug=slug, fields=fields, choices=choices)
    services.known_wrong_answers_sync(question=question, answers=known)
    return question


def _load_question(
    path: Path, topic: Topic, data: dict, report: LoadReport, overwrite: bool, results: Results
) -> None:
    slug = data["slug"]
    fields, choices, known, digest = _wanted_question(topic.slug, data)
    existing = Question.objects.filter(slug=slug).select_related("topic").first()
    allowed, before = _may_write(existing, "question", digest, report, overwrite)
    if not allowed:
        return
    fields["topic"] = topic
    question = _upsert(
        existing,
        before,
        digest,
        lambda: _write_question(slug, fields, choices, known),
    )
    if question.parameters:
        # Every variant's key (computed before the transaction: _sources_to_run).
        problems = variant_services.variants_store(question, results)
        problems = problems or services.question_problems(question)
    else:
        report.keys_computed += compute.store_key(question, results)
        problems = services.question_problems(question)
    # Known wrong answers against the key: never the real outcome, a catalogue label its
    # prediction (as the admin checks them).
    problems += [
        f"{path} question {slug}: {problem}"
        for problem in known_answers.problems(
            question.answer_mode,
            question.answer_key,
            question.key_predictions,
            question.known_wrong_answers.all(),
        )
    ]
    if problems:
        report.invalid[question.slug] = problems
    publish = data.get("published", True) and not problems
    services.question_publish_set(question=question, published=publish)
    _record(question, "question", before, report)


def _load_page(
    topic: Topic, data: dict, report: LoadReport, overwrite: bool, results: Results
) -> None:
    slug = data["slug"]
    fields, digest = _wanted_page(topic.slug, data)
    existing = ConceptPage.objects.filter(slug=slug).select_related("topic").first()
    allowed, before = _may_write(existing, "page", digest, report, overwrite)
    if not allowed:
        return
    fields["topic"] = topic
    page = _upsert(
        existing,
        before,
        digest,
        lambda: content_services.page_upsert(slug=slug, fields=fields),
    )
    report.outputs_computed += compute.store_block_outputs(page, results)
    _record(page, "page", before, report)


def _load_topic_file(
    path: Path, data: dict, report: LoadReport, overwrite: bool, results: Results
) -> None:
    spec = data["topic"]
    fields = {"title": spec["title"], "order": spec["order"], "summary": spec.get("summary", "")}
    topic = Topic.objects.filter(slug=spec["slug"]).first()
    digest = table_digest("topic", topic_table(Topic(slug=spec["slug"], **fields)))
    allowed, before = _may_write(topic, "topic", digest, report, overwrite)
    if allowed:
        topic = _upsert(
            topic,
            before,
            digest,
            lambda: content_services.topic_upsert(slug=spec["slug"], fields=fields),
        )
        _record(topic, "topic", before, report)
    # A topic kept as edited still receives the file's pages and questions.
    for page_data in data.get("pages", []):
        _load_page(topic, page_data, report, overwrite, results)
    for question_data in data.get("questions", []):
        _load_question(path, topic, question_data, report, overwrite, results)


def _load_quiz(data: dict, report: LoadReport, overwrite: bool) -> None:
    slug = data["slug"]
    fields = {
        "title": data["title"],
        "description": data.get("description", ""),
        "time_limit_minutes": data.get("time_limit_minutes"),
        "max_attempts": data.get("max_attempts"),
        "opens_at": data.get("opens_at"),
        "closes_at": data.get("closes_at"),
        "feedback_policy": POLICIES[data.get("feedback_policy", "after_submit")],
        "shuffle_questions": data.get("shuffle", False),
        "is_published": data.get("published", True),
    }
    entries = [(entry["slug"], entry.get("points", 1)) for entry in data["questions"]]
    existing = Quiz.objects.filter(slug=slug).first()
    digest = table_digest("quizzes", quiz_table(Quiz(slug=slug, **fields), entries))
    allowed, before = _may_write(existing, "quiz", digest, report, overwrite)
    if not allowed:
        return
    quiz = services.quiz_upsert(slug=slug, fields=fields)
    found = []
    for order, (question_slug, points) in enumerate(entries):
        question = Question.objects.filter(slug=question_slug).first()
        if question is None:
            report.notes.append(f"Quiz {quiz.slug}: unknown question {question_slug!r} skipped.")
            continue
        if not question.is_published:
            report.notes.append(f"Quiz {quiz.slug}: question {question.slug} is not published.")
        found.append((order, question, points))
    report.notes.extend(services.quiz_entries_sync(quiz=quiz, entries=found))
    follow_quiz_times(quiz)
    _record(quiz, "quiz", before, report)


# --- Loading: grader results first, then one short transaction --------------------------------


def _sources_to_run(fixtures: Fixtures, overwrite: bool) -> tuple[set[str], set[str], set[str]]:
    """The page blocks, the snippets and the rendered variant snippets the load will write and
    has no current stored result for. Reads only, so the grader can run for them before the
    load's transaction opens."""
    sources: set[str] = set()
    snippets: set[str] = set()
    variants: set[str] = set()
    for data in fixtures.topic_files:
        topic_slug = data["topic"]["slug"]
        for page_data in data.get("pages", []):
            fields, digest = _wanted_page(topic_slug, page_data)
            page = ConceptPage.objects.filter(slug=page_data["slug"]).select_related("topic")
            page = page.first()
            if _will_write(page, digest, overwrite):
                sources.update(compute.blocks_to_run(page, fields["body"]))
        for question_data in data.get("questions", []):
            fields, _, _, digest = _wanted_question(topic_slug, question_data)
            question = Question.objects.filter(slug=question_data["slug"]).select_related("topic")
            question = question.first()
            if not _will_write(question, digest, overwrite):
                continue
            if fields["parameters"]:
                variants.update(_variants_to_run(question, fields, question_data))
            elif compute.key_needs_run(question, fields["snippet"]):
                snippets.add(fields["snippet"])
    return sources, snippets, variants


def _variants_to_run(question: Question | None, fields: dict, data: dict) -> list[str]:
    planned, _ = variant_services.planned_variants(
        spec=fields["parameters"],
        snippet=fields["snippet"],
        prompt=fields["prompt"],
        choice_texts=[choice["text"] for choice in data.get("choices", [])],
    )
    return variant_services.sources_needing_run(question, planned)


def _write(fixtures: Fixtures, overwrite: bool, results: Results) -> LoadReport:
    """Write every row in one transaction, with grader results computed beforehand."""
    report = LoadReport()
    with transaction.atomic():
        for path, data in zip(fixtures.topic_paths, fixtures.topic_files, strict=True):
            _load_topic_file(path, data, report, overwrite, results)
        for quiz in fixtures.quizzes:
            _load_quiz(quiz, report, overwrite)
    return report


def load_content(root: Path, *, overwrite: bool = False) -> LoadReport:
    """Load every fixture under `root`, all or nothing; raises ContentError on malformed files
    (and grader.GraderUnavailable if keys cannot be computed).

    Rows changed or authored in the admin are skipped and reported, unless `overwrite`. The
    grader runs before the transaction that writes, never inside it (students' saves would wait
    for the write lock, and fail, as long as it ran).
    """
    fixtures = read_fixtures(root)
    blocks, snippets, variants = _sources_to_run(fixtures, overwrite)
    results = compute.compute_results(blocks, keys=snippets)
    results |= variant_services.compute_variant_results(variants)
    while True:
        try:
            return _write(fixtures, overwrite, results)
        except compute.ResultMissing as missing:
            # A row was changed or deleted between computing and writing, and nothing was
            # written. Each round computes at least one more of the fixtures' finitely many
            # sources, so this ends.
            logger.info("load_content: a row changed while keys were computed; computing again")
            blocks, snippets, variants = _sources_to_run(fixtures, overwrite)
            results |= variant_services.compute_variant_results(variants - results.keys())
            needed = {missing.source} | blocks
            results |= compute.compute_results(
                needed - results.keys() - snippets, keys=snippets - results.keys()
            )
