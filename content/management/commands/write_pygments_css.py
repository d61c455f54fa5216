"""Write content/static/content/pygments.css from Pygments itself (never edited by hand)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from content.markdown import pygments_css

STYLESHEET = Path(__file__).resolve().parents[2] / "static" / "content" / "pygments.css"


class Command(BaseCommand):
    help = "Regenerate the Pygments stylesheet used by highlighted code."

    def handle(self, *args, **options):
        STYLESHEET.write_text(pygments_css() + "\n", encoding="utf-8")
        self.stdout.write(f"Wrote {STYLESHEET}")
