"""quizzes.W001: stored keys computed with another Python than the running one."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command

from quizzes.checks import STALE_VERSION_WARNING, check_key_python_version
from quizzes.models import Question
from tests.helpers import page_output_of_python

pytestmark = pytest.mark.django_db


def test_no_warning_when_keys_match_the_running_python(typed_question):
    assert check_key_python_version() == []


def test_warns_about_keys_from_another_python(typed_question):
    Question.objects.filter(pk=typed_question.pk).update(key_python_version="3.11.9")
    [warning] = check_key_python_version()
    assert warning.id == STALE_VERSION_WARNING and "3.11.9" in warning.msg
    assert "refresh_answer_keys" in warning.hint


def test_warns_about_page_outputs_from_another_python(topic):
    page_output_of_python(topic, "3.13.0")
    assert [w.id for w in check_key_python_version()] == [STALE_VERSION_WARNING]


def test_registered_with_manage_py_check(typed_question, capsys):
    Question.objects.filter(pk=typed_question.pk).update(key_python_version="3.11.9")
    call_command("check")
    assert STALE_VERSION_WARNING in capsys.readouterr().err


@pytest.mark.parametrize("migrated", [False, True])
def test_manage_py_check_passes_on_an_empty_database(tmp_path, migrated):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"}
    manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
    if migrated:
        subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, timeout=120)
    result = subprocess.run(
        [*manage, "check"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
