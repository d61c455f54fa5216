"""python manage.py create_load_students: the students of a load benchmark (make loadtest)."""

import secrets
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts import services as account_services
from courses import services as course_services
from quizzes import services
from quizzes.models import Quiz


class Command(BaseCommand):
    help = (
        "Create COUNT student accounts PREFIX001... sharing one random password (kept in "
        "--password-file, made if missing), enrol them in the courses --quiz is assigned to, and "
        "delete their attempts at it so they can start it again. For load benchmarks only: never "
        "on a site with real students' names."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=200)
        parser.add_argument("--prefix", default="loadtest-")
        parser.add_argument("--quiz", required=True, help="slug of the quiz they will take")
        parser.add_argument("--password-file", type=Path, required=True)

    def handle(self, *args, count, prefix, quiz, password_file: Path, **options):
        if count < 1:
            raise CommandError("--count must be at least 1.")
        found = Quiz.objects.filter(slug=quiz, is_published=True).first()
        if found is None:
            raise CommandError(f"No published quiz with the slug {quiz!r}.")
        if password_file.exists():
            password = password_file.read_text().strip()
        else:
            password = secrets.token_urlsafe(16)
            password_file.parent.mkdir(parents=True, exist_ok=True)
            password_file.write_text(password + "\n")
            password_file.chmod(0o600)
        width = max(3, len(str(count)))
        usernames = [f"{prefix}{number:0{width}}" for number in range(1, count + 1)]
        created = account_services.load_students_reset(usernames=usernames, password=password)
        students = get_user_model().objects.filter(username__in=usernames)
        enrolled = course_services.quiz_takers_enrol(quiz=found, users=students)
        discarded = services.attempts_discard(quiz=found, usernames=usernames)
        self.stdout.write(
            f"{count} students {usernames[0]}..{usernames[-1]} ({created} new, {enrolled} "
            f"enrolled in {quiz}'s courses); {discarded} earlier attempt(s) at {quiz} deleted; "
            f"password in {password_file}."
        )
