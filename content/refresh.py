"""Recomputing every answer key and every concept page's outputs (after an interpreter upgrade,
say): the work of `manage.py refresh_answer_keys` and of the background tasks that do the same
from the admin (backgroundtasks/tasks.py). Each question and page is computed outside any
transaction and stored in a short one of its own (quizzes.services, content.services).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from content import services as content_services
from content.models import ConceptPage
from quizzes import services
from quizzes.models import Question

Progress = Callable[[int, int], None]  # (done, total)


@dataclass
class KeysReport:
    ran: int = 0
    changed: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)


def refresh_keys(*, force: bool, progress: Progress | None = None) -> KeysReport:
    report = KeysReport()
    questions = list(Question.objects.prefetch_related("choices"))
    for done, question in enumerate(questions, 1):
        before = question.answer_key
        result = services.recompute_question(question, force=force)
        report.ran += result.ran
        if result.changed:
            after = summary(question.answer_key)
            report.changed.append(f"CHANGED {question.slug}: {summary(before)} -> {after}")
        if result.problems:
            status = "unpublished" if result.unpublished else "not published"
            problems = " ".join(result.problems)
            report.invalid.append(f"INVALID {question.slug} ({status}): {problems}")
        if progress:
            progress(done, len(questions))
    return report


def refresh_outputs(*, force: bool, progress: Progress | None = None) -> int:
    """How many code blocks ran."""
    pages = list(ConceptPage.objects.all())
    ran = 0
    for done, page in enumerate(pages, 1):
        ran += content_services.refresh_page_outputs(page, force=force)
        if progress:
            progress(done, len(pages))
    return ran


def summary(key: dict | None) -> str:
    if not key:
        return "no key"
    text = (key.get("stdout") or "") + (key.get("exception") or "")
    return f"{key.get('status')} {text.strip()[:60]!r}"
