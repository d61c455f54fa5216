"""python manage.py expire_attempts: store every attempt whose time ran out with nobody submitting
it (run it from cron). Pages already show such attempts as ended; this writes them, so the
instructor's results and exports count them."""

from django.core.management.base import BaseCommand

from quizzes import services


class Command(BaseCommand):
    help = "Submit (and grade) every attempt past its deadline."

    def handle(self, *args, **options):
        expired = services.expire_overdue_attempts()
        self.stdout.write(f"Submitted {expired} attempt(s) that ran past their deadline.")
