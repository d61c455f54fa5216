"""python manage.py export_content [--output DIR]: write the course back as TOML fixtures."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from content.export import export_content
from content.loader import ContentError


class Command(BaseCommand):
    help = (
        "Write the database's topics, concept pages, questions and quizzes as TOML fixtures "
        "that load_content reads back unchanged (default: over fixtures/, for review in git)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            default=str(settings.BASE_DIR / "fixtures"),
            help="Directory to write topics/*.toml and quizzes.toml to (default: fixtures/).",
        )

    def handle(self, *args, output: str, **options):
        root = Path(output)
        if root.exists() and not root.is_dir():
            raise CommandError(f"{root} is not a directory")
        try:
            report = export_content(root)
        except ContentError as error:
            raise CommandError("Nothing was written: " + str(error)) from None
        for line in report.lines():
            self.stdout.write(line)
