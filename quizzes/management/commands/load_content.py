"""python manage.py load_content [PATH]: load the course fixtures (default: fixtures/)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from grader import GraderUnavailable
from quizzes.content import ContentError, load_content


class Command(BaseCommand):
    help = "Load topics, concept pages, questions and quizzes from TOML fixtures (upsert by slug)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(settings.BASE_DIR / "fixtures"))
        parser.add_argument(
            "--strict", action="store_true", help="Fail when any question is invalid."
        )

    def handle(self, *args, path: str, strict: bool, **options):
        root = Path(path)
        if not root.is_dir():
            raise CommandError(f"{root} is not a directory")
        try:
            report = load_content(root)
        except ContentError as error:
            raise CommandError(
                "The fixtures are malformed; nothing was loaded:\n" + str(error)
            ) from None
        except GraderUnavailable as error:
            raise CommandError(f"The grader is unavailable; nothing was loaded: {error}") from None
        for line in report.lines():
            style = self.style.WARNING if line.startswith("INVALID") else str
            self.stdout.write(style(line))
        if strict and report.invalid:
            raise CommandError(f"{len(report.invalid)} invalid question(s).")
