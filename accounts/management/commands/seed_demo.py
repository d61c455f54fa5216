"""python manage.py seed_demo: the documented demo accounts (idempotent)."""

from django.core.management.base import BaseCommand, CommandError

from accounts import services


class Command(BaseCommand):
    help = "Create or reset the demo accounts `student` and `instructor` (password memory-model)."

    def handle(self, *args, **options):
        try:
            accounts = services.demo_accounts_reset()
        except services.MissingInstructorsGroup:
            raise CommandError(
                "The Instructors group is missing; run `manage.py migrate` first."
            ) from None
        for username, created in accounts:
            verb = "Created" if created else "Reset"
            self.stdout.write(f"{verb} {username} (password {services.DEMO_PASSWORD}).")
