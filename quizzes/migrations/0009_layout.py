"""Topics, concept pages and code-block outputs now belong to the content app (see
content/migrations/0001_initial.py): drop them from quizzes' state (their tables stay, used by
content), point Question.topic at content.Topic (the same table, so the same column and
constraint), and move their content types so permissions and admin log entries follow them."""

import django.db.models.deletion
from django.db import migrations, models

MOVED_MODELS = ("topic", "conceptpage", "codeblockoutput")


def move_content_types(apps, schema_editor, *, source, target):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED_MODELS:
        # A content type made for the target already (post_migrate of a half-migrated
        # database) holds no permissions of ours; the source's, which do, takes its place.
        moving = ContentType.objects.filter(app_label=source, model=model)
        if moving.exists():
            ContentType.objects.filter(app_label=target, model=model).delete()
            moving.update(app_label=target)


def forwards(apps, schema_editor):
    move_content_types(apps, schema_editor, source="quizzes", target="content")


def backwards(apps, schema_editor):
    move_content_types(apps, schema_editor, source="content", target="quizzes")


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("quizzes", "0008_hardening"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveConstraint(
                    model_name="codeblockoutput",
                    name="unique_block_per_page",
                ),
                migrations.RemoveField(
                    model_name="conceptpage",
                    name="topic",
                ),
                migrations.AlterField(
                    model_name="question",
                    name="topic",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="questions",
                        to="content.topic",
                    ),
                ),
                migrations.RemoveField(
                    model_name="codeblockoutput",
                    name="page",
                ),
                migrations.DeleteModel(name="Topic"),
                migrations.DeleteModel(name="CodeBlockOutput"),
                migrations.DeleteModel(name="ConceptPage"),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
