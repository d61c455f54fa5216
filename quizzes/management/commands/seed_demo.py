"""python manage.py seed_demo: the documented demo accounts (idempotent)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from quizzes.roles import INSTRUCTORS_GROUP as INSTRUCTORS

DEMO_PASSWORD = "memory-model"  # noqa: S105 - documented development account


class Command(BaseCommand):
    help = (
        "Create the demo accounts `student` and `instructor` (password memory-model) when they "
        "are missing; --reset also resets existing ones."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Reset existing demo accounts to their documented password and role.",
        )

    def handle(self, *args, reset: bool = False, **options):
        group = Group.objects.filter(name=INSTRUCTORS).first()
        if group is None:
            raise CommandError("The Instructors group is missing; run `manage.py migrate` first.")
        User = get_user_model()
        for username, staff in (("student", False), ("instructor", True)):
            user, created = User.objects.get_or_create(username=username)
            # `make run` calls this on every start: an account changed since (a new password, a
            # deactivation) is kept unless a reset is asked for.
            if not created and not reset:
                self.stdout.write(
                    f"Kept {username} as it is (`seed_demo --reset` resets its password and role)."
                )
                continue
            user.is_staff = staff
            user.is_superuser = False
            user.is_active = True
            user.set_password(DEMO_PASSWORD)
            user.save()
            if staff:
                user.groups.add(group)
            else:
                user.groups.remove(group)
            verb = "Created" if created else "Reset"
            self.stdout.write(f"{verb} {username} (password {DEMO_PASSWORD}).")
