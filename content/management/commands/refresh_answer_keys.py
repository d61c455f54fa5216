"""python manage.py refresh_answer_keys: recompute every answer key and concept-page output.

Reports what changed (after an interpreter upgrade, say) and which questions became invalid
(they are unpublished). Finished attempts are never touched: responses keep their graded key.
With --background the work is queued as a background task instead (backgroundtasks), and its
progress shows in the admin under "Background tasks".

With --python 3.13 (repeatable) it computes the keys and page outputs of that interpreter line
instead (quizzes/versions.py, content/versions.py), and reports per question and page block what
differs from the default interpreter's, and which of that line's stored keys changed.
"""

import logging

from django.core.management.base import BaseCommand, CommandError

from content import refresh, runs
from grader import GraderUnavailable

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
        parser.add_argument(
            "--python",
            action="append",
            metavar="LINE",
            help='An interpreter line ("3.13") to compute keys and page outputs on.',
        )
        parser.add_argument(
            "--background",
            action="store_true",
            help="Queue the work as background tasks (see the admin) instead of waiting for it.",
        )

    def handle(self, *args, only_stale: bool, background: bool, python=None, **options):
        force = not only_stale
        if python:
            return self._handle_lines(python, force=force)
        if background:
            from backgroundtasks import services as task_services

            for record in task_services.start_full_refresh(force=force, user=None):
                self.stdout.write(f"Queued: {record.name} (#{record.pk}).")
            return
        try:
            report = refresh.refresh_keys(force=force)
            outputs = refresh.refresh_outputs(force=force)
        except GraderUnavailable as error:
            logger.error("refresh_answer_keys stopped: the grader is unavailable: %s", error)
            raise CommandError(f"The grader is unavailable: {error}") from None
        self.stdout.write(
            f"Python {runs.current_python_version()}: recomputed {report.ran} answer key(s) and "
            f"{outputs} code block output(s)."
        )
        for line in report.changed:
            self.stdout.write(self.style.WARNING(line))
        for line in report.invalid:
            self.stdout.write(self.style.ERROR(line))
        self.stdout.write(
            f"{len(report.changed)} key(s) changed, {len(report.invalid)} question(s) invalid."
        )
        logger.info(
            "refresh_answer_keys (Python %s): %d key(s) and %d page output(s) recomputed, "
            "%d key(s) changed, %d question(s) invalid",
            runs.current_python_version(),
            report.ran,
            outputs,
            len(report.changed),
            len(report.invalid),
        )

    def _handle_lines(self, lines: list[str], *, force: bool) -> None:
        from content import versions as block_versions
        from content.models import ConceptPage
        from quizzes import versions
        from quizzes.models import Question

        configured = versions.python_lines()
        unknown = [line for line in lines if line not in configured]
        if unknown:
            raise CommandError(
                f"No grader interpreter for Python {', '.join(unknown)}; "
                f"configured: {', '.join(configured)} (GRADER_INTERPRETERS)."
            )
        default = configured[0]
        lines = [line for line in lines if line != default]
        differs = 0
        try:
            for question in Question.objects.order_by("slug"):
                for change in versions.refresh_version_keys(question, lines=lines, force=force):
                    self.stdout.write(
                        self.style.WARNING(
                            f"CHANGED {change.slug} on Python {change.python}: "
                            f"{refresh.summary(change.before)} -> {refresh.summary(change.after)}"
                        )
                    )
                rows = versions.version_keys(question)
                for line in versions.differing_lines(question, rows):
                    differs += 1
                    self.stdout.write(
                        f"DIFFERS {question.slug}: Python {default} "
                        f"{refresh.summary(question.answer_key)} | Python {line} "
                        f"{refresh.summary(rows[line].answer_key)}"
                    )
            blocks = 0
            for page in ConceptPage.objects.order_by("slug"):
                ran, changes = block_versions.refresh_block_versions(page, lines, force=force)
                blocks += ran
                for block in changes:
                    self.stdout.write(
                        self.style.WARNING(
                            f"CHANGED {block.page}#{block.index} on Python {block.python}: "
                            f"{refresh.summary(block.before)} -> {refresh.summary(block.after)}"
                        )
                    )
        except GraderUnavailable as error:
            raise CommandError(f"The grader is unavailable: {error}") from None
        self.stdout.write(
            f"Python {', '.join(lines) or default}: {differs} question key(s) differ from "
            f"Python {default}'s; {blocks} code block output(s) computed."
        )
        logger.info("refresh_answer_keys --python %s: %d key(s) differ", lines, differs)
