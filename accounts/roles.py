"""Who may author the course: superusers and staff in the Instructors group."""

INSTRUCTORS_GROUP = "Instructors"


def is_instructor(user) -> bool:
    return bool(
        user.is_active
        and user.is_staff
        and (user.is_superuser or user.groups.filter(name=INSTRUCTORS_GROUP).exists())
    )
