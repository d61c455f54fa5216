"""Known wrong answers of typed questions (issue 16 §2), which instructors author in the admin
like choices: the Instructors group gets the same four permissions on them."""

import django.db.models.deletion
from django.db import migrations, models

ACTIONS = ("add", "change", "delete", "view")


def grant_instructors(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    quizzes_config = apps.get_app_config("quizzes")
    quizzes_config.models_module = True
    create_permissions(quizzes_config, apps=apps, verbosity=0)
    quizzes_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="Instructors").first()
    if group is None:
        return
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="quizzes",
            codename__in=[f"{action}_knownwronganswer" for action in ACTIONS],
        )
    )


def revoke_instructors(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name="Instructors"):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="quizzes", codename__endswith="_knownwronganswer"
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0014_variants"),
    ]

    operations = [
        migrations.CreateModel(
            name="KnownWrongAnswer",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "stdout",
                    models.TextField(
                        blank=True,
                        help_text="The output the student gives, without the exception line.",
                    ),
                ),
                (
                    "exception",
                    models.TextField(
                        blank=True,
                        help_text=(
                            "The exception line it ends with, if any "
                            "(e.g. TypeError: unhashable type)."
                        ),
                    ),
                ),
                (
                    "misconception",
                    models.CharField(
                        help_text="The misconception that predicts this output.", max_length=200
                    ),
                ),
                (
                    "question",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="known_wrong_answers",
                        to="quizzes.question",
                    ),
                ),
            ],
            options={
                "ordering": ["question", "pk"],
            },
        ),
        migrations.RunPython(grant_instructors, revoke_instructors),
    ]
