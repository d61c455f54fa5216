"""python manage.py refresh_answer_keys: recompute every answer key and concept-page output.

Reports what changed (after an interpreter upgrade, say) and which questions became invalid
(they are unpublished). Finished attempts are never touched: responses keep their graded key.
With --background the work is queued as a background task instead (backgroundtasks), and its
progress shows in the admin under "Background tasks".
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
            "--background",
            action="store_true",
            help="Queue the work as background tasks (see the admin) instead of waiting for it.",
        )

    def handle(self, *args, only_stale: bool, background: bool, **options):
        force = not only_stale
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
