"""System checks: warn when stored answer keys came from another interpreter than this one."""

from django.core.checks import Warning
from django.db import DatabaseError, connection

from content.models import CodeBlockOutput
from content.runs import current_python_version
from quizzes.models import Question
from quizzes.selectors import stored_key_versions

STALE_VERSION_WARNING = "quizzes.W001"


def check_key_python_version(app_configs=None, **kwargs) -> list[Warning]:
    try:
        tables = set(connection.introspection.table_names())
        if not {Question._meta.db_table, CodeBlockOutput._meta.db_table} <= tables:
            return []  # not migrated yet: nothing is stored
        versions = stored_key_versions()
    except DatabaseError:
        return []  # no database to look at (yet); keys are checked once there is one
    running = current_python_version()
    if not running:
        return []  # no grader worker answers yet: nothing to compare with
    others = sorted(versions - {running})
    if not others:
        return []
    return [
        Warning(
            f"Stored answer keys or page outputs were computed with Python {', '.join(others)}, "
            f"but this server runs Python {running}.",
            hint="Run `python manage.py refresh_answer_keys` to recompute them.",
            id=STALE_VERSION_WARNING,
        )
    ]
