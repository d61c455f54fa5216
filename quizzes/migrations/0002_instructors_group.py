"""The Instructors group: exactly the model permissions instructors need to author the course
and read how their classes did; nothing on users, groups or practice records."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

AUTHORED_MODELS = ("topic", "conceptpage", "question", "choice", "quiz", "quizquestion")
READ_ONLY_MODELS = ("attempt", "response")
GROUP_NAME = "Instructors"


def instructor_codenames():
    codenames = [
        f"{action}_{model}"
        for model in AUTHORED_MODELS
        for action in ("add", "change", "delete", "view")
    ]
    return codenames + [f"view_{model}" for model in READ_ONLY_MODELS]


def create_instructors_group(apps, schema_editor):
    # Permissions are normally created after all migrations; create ours now so the group
    # can hold them on a fresh database.
    quizzes_config = apps.get_app_config("quizzes")
    quizzes_config.models_module = True
    create_permissions(quizzes_config, apps=apps, verbosity=0)
    quizzes_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    codenames = instructor_codenames()
    permissions = list(
        Permission.objects.filter(content_type__app_label="quizzes", codename__in=codenames)
    )
    if len(permissions) != len(codenames):
        raise RuntimeError("quizzes permissions are missing; cannot create the Instructors group")
    group.permissions.set(permissions)


def remove_instructors_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("quizzes", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_instructors_group, remove_instructors_group),
    ]
