"""python manage.py seed_demo: the documented demo accounts (idempotent)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from quizzes.roles import INSTRUCTORS_GROUP as INSTRUCTORS

DEMO_PASSWORD = "memory-model"  # noqa: S105 - documented development account


class Command(BaseCommand):
    help = "Create or reset the demo accounts `student` and `instructor` (password memory-model)."

    def handle(self, *args, **options):
        group = Group.objects.filter(name=INSTRUCTORS).first()
        if group is None:
            raise CommandError("The Instructors group is missing; run `manage.py migrate` first.")
        User = get_user_model()
        for username, staff in (("student", False), ("instructor", True)):
            user, created = User.objects.get_or_create(username=username)
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
