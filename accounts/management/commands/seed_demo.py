"""python manage.py seed_demo: the documented demo accounts and the demo course (idempotent)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts import services
from courses import services as course_services
from courses.demo_class import demo_class_seed


class Command(BaseCommand):
    help = (
        "Create the demo accounts `student` and `instructor` (password memory-model) when they "
        "are missing, and the demo course (the instructor teaches it, the student is in its "
        "section, every quiz is assigned, a simulated class took two quizzes); --reset also "
        "resets existing accounts."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Reset existing demo accounts to their documented password and role.",
        )
        parser.add_argument(
            "--no-class",
            action="store_true",
            help="Without the demo course's simulated class (courses.demo_class).",
        )

    def handle(self, *args, reset: bool = False, no_class: bool = False, **options):
        self.with_class = not no_class
        # `make run` calls this on every start: an account changed since is kept unless asked.
        try:
            accounts = services.demo_accounts_reset(reset=reset)
        except services.MissingInstructorsGroup:
            raise CommandError(
                "The Instructors group is missing; run `manage.py migrate` first."
            ) from None
        touched = dict(accounts)
        for username, _ in services.DEMO_ACCOUNTS:
            if username not in touched:
                self.stdout.write(
                    f"Kept {username} as it is (`seed_demo --reset` resets its password and role)."
                )
                continue
            verb = "Created" if touched[username] else "Reset"
            self.stdout.write(f"{verb} {username} (password {services.DEMO_PASSWORD}).")
        self.seed_course()

    def seed_course(self) -> None:
        User = get_user_model()
        demo = course_services.demo_course_seed(
            instructor=User.objects.get(username="instructor"),
            student=User.objects.get(username="student"),
        )
        verb = "Created" if demo.created else "Kept"
        self.stdout.write(
            f"{verb} the course {demo.course.slug} ({demo.assigned} quiz(zes) newly assigned); "
            f"students join at /courses/join/{demo.course.join_code}/"
        )
        if self.with_class:
            attempts = demo_class_seed(course=demo.course)
            if attempts:
                quizzes = sorted({attempt.quiz.title for attempt in attempts})
                self.stdout.write(
                    f"Simulated a class in {demo.course.slug}: {len(attempts)} attempts at "
                    f"{', '.join(quizzes)} (the gradebook and item analysis show them)."
                )
