"""Instructors may see failed logins and lift a lockout (django-axes): viewing and deleting
access attempts (deleting one unlocks its user or address), and viewing the access log."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Instructors"
AXES_CODENAMES = ("view_accessattempt", "delete_accessattempt", "view_accesslog")


def axes_permissions(apps):
    # Permissions are normally created after all migrations; create axes' now so the group can
    # hold them on a fresh database.
    axes_config = apps.get_app_config("axes")
    axes_config.models_module = True
    create_permissions(axes_config, apps=apps, verbosity=0)
    axes_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    permissions = list(
        Permission.objects.filter(content_type__app_label="axes", codename__in=AXES_CODENAMES)
    )
    if len(permissions) != len(AXES_CODENAMES):
        raise RuntimeError("axes permissions are missing; cannot give them to the Instructors")
    return permissions


def let_instructors_unlock(apps, schema_editor):
    group, _ = apps.get_model("auth", "Group").objects.get_or_create(name=GROUP_NAME)
    group.permissions.add(*axes_permissions(apps))


def stop_instructors_unlocking(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).first()
    if group is not None:
        group.permissions.remove(*axes_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("axes", "0010_accessattemptexpiration"),
        ("quizzes", "0005_provenance"),
    ]

    operations = [
        migrations.RunPython(let_instructors_unlock, stop_instructors_unlocking),
    ]
