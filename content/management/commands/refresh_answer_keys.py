"""python manage.py refresh_answer_keys: recompute every answer key and concept-page output.

Reports what changed (after an interpreter upgrade, say) and which questions became invalid
(they are unpublished). Finished attempts are never touched: responses keep their graded key.
"""

import logging

from django.core.management.base import BaseCommand, CommandError

from content import runs
from content import services as content_services
from content.models import ConceptPage
from grader import GraderUnavailable
from quizzes import services
from quizzes.models import Question

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Recompute every answer key and page output; report changes and invalid questions."
    requires_system_checks = []  # it is the fix for quizzes.W001, so it must not warn first

    def add_arguments(self, parser):
        parser.add_argument(
            "--only-stale",
            action="store_true",
            help="Only recompute keys whose snippet or Python version changed.",
        )

    def handle(self, *args, only_stale: bool, **options):
        force = not only_stale
        try:
            changed, invalid, ran = self._refresh_questions(force)
            outputs = sum(
                content_services.refresh_page_outputs(page, force=force)
                for page in ConceptPage.objects.all()
            )
        except GraderUnavailable as error:
            logger.error("refresh_answer_keys stopped: the grader is unavailable: %s", error)
            raise CommandError(f"The grader is unavailable: {error}") from None
        self.stdout.write(
            f"Python {runs.current_python_version()}: recomputed {ran} answer key(s) and "
            f"{outputs} code block output(s)."
        )
        for line in changed:
            self.stdout.write(self.style.WARNING(line))
        for line in invalid:
            self.stdout.write(self.style.ERROR(line))
        self.stdout.write(f"{len(changed)} key(s) changed, {len(invalid)} question(s) invalid.")
        logger.info(
            "refresh_answer_keys (Python %s): %d key(s) and %d page output(s) recomputed, "
            "%d key(s) changed, %d question(s) invalid",
            runs.current_python_version(),
            ran,
            outputs,
            len(changed),
            len(invalid),
        )

    def _refresh_questions(self, force: bool):
        changed, invalid, ran = [], [], 0
        for question in Question.objects.prefetch_related("choices"):
            before = question.answer_key
            result = services.recompute_question(question, force=force)
            ran += result.ran
            if result.changed:
                after = _summary(question.answer_key)
                changed.append(f"CHANGED {question.slug}: {_summary(before)} -> {after}")
            if result.problems:
                status = "unpublished" if result.unpublished else "not published"
                invalid.append(f"INVALID {question.slug} ({status}): {' '.join(result.problems)}")
        return changed, invalid, ran


def _summary(key: dict | None) -> str:
    if not key:
        return "no key"
    text = (key.get("stdout") or "") + (key.get("exception") or "")
    return f"{key.get('status')} {text.strip()[:60]!r}"
