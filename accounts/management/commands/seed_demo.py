"""python manage.py seed_demo: the documented demo accounts (idempotent)."""

from django.core.management.base import BaseCommand, CommandError

from accounts import services


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
