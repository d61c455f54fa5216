"""python manage.py export_gradebook COURSE_SLUG [--responses]: the course's gradebook (or all
its responses) as CSV on stdout, the same rows as the gradebook page's CSV export."""

from django.core.management.base import BaseCommand, CommandError

from courses import export, selectors
from courses.models import Course


class Command(BaseCommand):
    help = "Write a course's gradebook (or, with --responses, every response) as CSV to stdout."

    def add_arguments(self, parser):
        parser.add_argument("course_slug")
        parser.add_argument(
            "--responses", action="store_true", help="One row per response instead."
        )

    def handle(self, *args, course_slug: str, responses: bool = False, **options):
        course = Course.objects.filter(slug=course_slug).first()
        if course is None:
            raise CommandError(f"No course with the slug {course_slug!r}.")
        if responses:
            rows = export.response_rows(selectors.course_responses(course=course))
        else:
            rows = export.gradebook_rows(selectors.gradebook(course))
        for line in export.csv_lines(rows):
            self.stdout.write(line, ending="")
