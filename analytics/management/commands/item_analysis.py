"""python manage.py item_analysis QUIZ_SLUG [--course COURSE_SLUG] [--all-attempts]: the quiz's
per-question table as CSV on stdout (question_slug,n,facility,discrimination first), the same
rows as the item-analysis page's CSV export; the quiz's statistics go to stderr."""

from django.core.management.base import BaseCommand, CommandError

from analytics import presentation, selectors
from courses.export import csv_lines
from courses.models import Course
from quizzes.models import Quiz


class Command(BaseCommand):
    help = "Print a quiz's item analysis (first attempts, or all) as CSV."

    def add_arguments(self, parser):
        parser.add_argument("quiz_slug")
        parser.add_argument("--course", help="Only the attempts of this course's students.")
        parser.add_argument(
            "--all-attempts", action="store_true", help="Every submitted attempt, not the first."
        )

    def handle(self, *args, quiz_slug: str, course=None, all_attempts=False, **options):
        quiz = Quiz.objects.filter(slug=quiz_slug).first()
        if quiz is None:
            raise CommandError(f"No quiz with the slug {quiz_slug!r}.")
        scope = None
        if course is not None:
            scope = Course.objects.filter(slug=course).first()
            if scope is None:
                raise CommandError(f"No course with the slug {course!r}.")
            if not scope.quizzes.filter(pk=quiz.pk).exists():
                raise CommandError(f"The quiz {quiz_slug!r} is not assigned to {course!r}.")
        analysis = selectors.quiz_analysis(quiz, course=scope, all_attempts=all_attempts)
        for line in csv_lines(presentation.csv_rows(analysis)):
            self.stdout.write(line, ending="")
        test = analysis.test
        self.stderr.write(
            f"attempts={test.n} mean={_f(test.mean)} median={_f(test.median)} sd={_f(test.sd)} "
            f"alpha={_f(test.alpha)} sem={_f(test.sem)} max_total={test.max_total:g}"
        )


def _f(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"
