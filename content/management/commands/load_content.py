"""python manage.py load_content [PATH]: load the course fixtures (default: fixtures/)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from content.loader import ContentError, load_content
from grader import GraderUnavailable

WARNINGS = ("INVALID", "SKIPPED", "OVERWRITTEN")


class Command(BaseCommand):
    help = (
        "Load topics, concept pages, questions and quizzes from TOML fixtures (upsert by slug). "
        "Rows changed or authored in the admin are kept and reported, unless --overwrite."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(settings.BASE_DIR / "fixtures"))
        parser.add_argument(
            "--strict", action="store_true", help="Fail when any question is invalid."
        )
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Replace rows changed or authored in the admin with the fixtures' version.",
        )

    def handle(self, *args, path: str, strict: bool, overwrite: bool, **options):
        root = Path(path)
        if not root.is_dir():
            raise CommandError(f"{root} is not a directory")
        try:
            report = load_content(root, overwrite=overwrite)
        except ContentError as error:
            raise CommandError(
                "The fixtures are malformed; nothing was loaded:\n" + str(error)
            ) from None
        except GraderUnavailable as error:
            raise CommandError(f"The grader is unavailable; nothing was loaded: {error}") from None
        for line in report.lines():
            style = self.style.WARNING if line.startswith(WARNINGS) else str
            self.stdout.write(style(line))
        if strict and report.invalid:
            raise CommandError(f"{len(report.invalid)} invalid question(s).")
