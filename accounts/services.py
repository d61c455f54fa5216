"""Every state change of accounts: signing up and the demo accounts. Roles are the Instructors
group's (accounts.roles); instructors are made in the admin, never by signing up."""

import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import AbstractBaseUser, Group

from accounts.forms import SignUpForm
from accounts.roles import INSTRUCTORS_GROUP

logger = logging.getLogger(__name__)

DEMO_PASSWORD = "memory-model"  # noqa: S105 - documented development account
DEMO_ACCOUNTS = (("student", False), ("instructor", True))  # username, is an instructor


class MissingInstructorsGroup(Exception):
    """The Instructors group is made by the migrations: run them first."""


def user_sign_up(*, form: SignUpForm) -> AbstractBaseUser:
    """Create the student account a valid sign-up form describes."""
    user = form.save()
    logger.info("New account: %s", user.get_username())
    return user


def demo_accounts_reset(
    *, password: str = DEMO_PASSWORD, reset: bool = True
) -> list[tuple[str, bool]]:
    """Create the demo accounts (a student, an instructor), and with `reset` reset existing ones;
    returns each username with whether it was created (existing ones kept without `reset` are
    left out). Raises MissingInstructorsGroup before the migrations ran."""
    group = Group.objects.filter(name=INSTRUCTORS_GROUP).first()
    if group is None:
        raise MissingInstructorsGroup("The Instructors group is missing; run migrate first.")
    User = get_user_model()
    done = []
    for username, instructor in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(username=username)
        if not created and not reset:
            continue  # changed since (a new password, a deactivation): kept as it is
        user.is_staff = instructor
        user.is_superuser = False
        user.is_active = True
        user.set_password(password)
        user.save()
        if instructor:
            user.groups.add(group)
        else:
            user.groups.remove(group)
        done.append((username, created))
    return done


def load_students_reset(*, usernames: list[str], password: str) -> int:
    """Create (or reactivate, with `password`) the student accounts of a load benchmark; returns
    how many were created. Every account gets the same password hash, computed once at the
    configured hasher's full cost: hashing it per account would take minutes of CPU for a class,
    and each log-in still pays the full cost when it checks it."""
    User = get_user_model()
    password_hash = make_password(password)
    existing = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    User.objects.bulk_create(
        User(username=name, password=password_hash) for name in usernames if name not in existing
    )
    User.objects.filter(username__in=existing).update(
        password=password_hash, is_active=True, is_staff=False, is_superuser=False
    )
    logger.info(
        "Load-benchmark students: %d created, %d reset",
        len(usernames) - len(existing),
        len(existing),
    )
    return len(usernames) - len(existing)
