"""Write the database's course back to the fixture format, so what instructors author in the
admin can be reviewed and kept in git (`python manage.py export_content`).

The files are what `load_content` reads: one file per topic (`topics/NN-slug.toml`, NN its
order) holding its pages and questions, and `quizzes.toml`. Rows are written in a stable order
(pages by their order, questions and quizzes in the order they were created), so exporting an
unchanged database twice writes the same bytes.
"""

import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from content.fixture_format import QUIZZES_HEADER, render_file, row_table
from content.loader import ContentError, read_fixtures
from content.models import Topic
from quizzes.models import Quiz

QUIZZES_FILE = "quizzes.toml"


@dataclass
class ExportReport:
    written: list[str] = field(default_factory=list)  # paths relative to the output directory
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        lines = [
            f"Wrote {len(self.written)} file(s), {len(self.unchanged)} already up to date, "
            f"removed {len(self.removed)}."
        ]
        lines += [f"  wrote {path}" for path in self.written]
        lines += [f"  removed {path} (no such topic in the database)" for path in self.removed]
        return lines


def topic_file_name(topic: Topic) -> str:
    return f"topics/{topic.order:02d}-{topic.slug}.toml"


def course_files() -> dict[str, str]:
    """Relative path -> TOML text of every fixture file for the database's course."""
    files = {}
    for topic in Topic.objects.order_by("order", "slug"):
        tables = [row_table(topic)]
        tables += [row_table(page) for page in topic.pages.order_by("order", "pk")]
        questions = topic.questions.order_by("pk").prefetch_related(
            "choices", "known_wrong_answers"
        )
        tables += [row_table(question) for question in questions]
        files[topic_file_name(topic)] = _checked(render_file(tables), tables)
    tables = [row_table(quiz) for quiz in Quiz.objects.order_by("pk")]
    files[QUIZZES_FILE] = _checked(render_file(tables, header=QUIZZES_HEADER), tables)
    return files


def _checked(text: str, tables: list[tuple[str, dict]]) -> str:
    """`text`, after making sure a TOML reader gets every table back exactly: an export must
    never lose a character of what an instructor wrote."""
    expected: dict = {}
    for section, table in tables:
        if section == "topic":
            expected[section] = table
        else:
            expected.setdefault(section, []).append(table)
    if tomllib.loads(text) != expected:
        raise ContentError(["The TOML writer would not give back the database's text exactly."])
    return text


def export_content(root: Path) -> ExportReport:
    """Write the course under `root`, making `root/topics` hold exactly the database's topics.

    Raises ContentError, writing nothing, when `load_content` would refuse the files.
    """
    files = course_files()
    with tempfile.TemporaryDirectory() as staging:
        _write(Path(staging), files)
        try:
            read_fixtures(Path(staging))  # the loader's own checks
        except ContentError as error:
            problems = [problem.replace(staging, str(root)) for problem in error.problems]
            raise ContentError(["load_content would refuse the export:", *problems]) from None
    report = ExportReport()
    (root / "topics").mkdir(parents=True, exist_ok=True)
    for path in sorted((root / "topics").glob("*.toml")):
        relative = f"topics/{path.name}"
        if relative not in files:  # a topic renumbered or renamed: two files would clash
            path.unlink()
            report.removed.append(relative)
    for relative, text in files.items():
        target = root / relative
        if target.exists() and target.read_text(encoding="utf-8") == text:
            report.unchanged.append(relative)
        else:
            target.write_text(text, encoding="utf-8", newline="\n")
            report.written.append(relative)
    return report


def _write(root: Path, files: dict[str, str]) -> None:
    (root / "topics").mkdir(parents=True, exist_ok=True)
    for relative, text in files.items():
        (root / relative).write_text(text, encoding="utf-8", newline="\n")
