"""A database made by the migrations before the app split (quizzes 0001-0008) migrates to the
split layout (content 0001, quizzes 0009) without losing or changing a row, and instructors keep
their permissions on the moved models."""

import importlib
import os
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from content.models import CodeBlockOutput, ConceptPage, Topic
from content.runs import run_snippet
from quizzes.models import Question, Quiz, QuizQuestion

# Each test migrates the test database back and forth, in a transactional test: the database is
# flushed after it and post_migrate makes the content types and permissions again, as after every
# transactional test. Not serialized_rollback: that loads the rows saved when the test database
# was made, content types with their ids, which collide with the content types an earlier
# transactional test's flush made again under other ids (tests/quizzes before this module).
BEFORE_SPLIT = [("quizzes", "0008_hardening"), ("content", None)]
OLD_GROUP_MIGRATION = importlib.import_module("quizzes.migrations.0002_instructors_group")
ROOT = Path(__file__).resolve().parents[2]
SNIPPET = "a = [1]\nb = a\nb.append(2)\nprint(a)\n"


def migrate(targets):
    """Migrate to `targets`; the models as they were there (a None target adds nothing)."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def fill_old_database(old_apps) -> dict:
    """Rows of every moved model and of the models pointing at them, made with the old state."""
    OldTopic = old_apps.get_model("quizzes", "Topic")
    OldPage = old_apps.get_model("quizzes", "ConceptPage")
    OldOutput = old_apps.get_model("quizzes", "CodeBlockOutput")
    OldQuestion = old_apps.get_model("quizzes", "Question")
    OldQuiz = old_apps.get_model("quizzes", "Quiz")
    OldEntry = old_apps.get_model("quizzes", "QuizQuestion")
    key = run_snippet(SNIPPET)  # a real key, as the site stores it
    now = timezone.now()
    topics = [OldTopic.objects.create(slug=f"t{n}", title=f"T{n}", order=n) for n in range(3)]
    pages = [
        OldPage.objects.create(topic=topic, slug=f"p{topic.order}", title="P", body="x")
        for topic in topics
    ]
    for page in pages:
        OldOutput.objects.create(
            page=page,
            index=0,
            source_hash="h" * 64,
            outcome=key,
            python_version=key["python_version"],
            computed_at=now,
        )
    question = OldQuestion.objects.create(
        topic=topics[1],
        slug="q",
        title="Q",
        snippet=SNIPPET,
        answer_mode="typed",
        explanation="e",
        answer_key=key,
        key_source_hash="k" * 64,
        key_python_version=key["python_version"],
        key_computed_at=now,
        is_published=True,
    )
    quiz = OldQuiz.objects.create(slug="z", title="Z", is_published=True)
    OldEntry.objects.create(quiz=quiz, question=question, points=2)
    return {
        "topics": sorted(OldTopic.objects.values_list("pk", "slug")),
        "pages": sorted(OldPage.objects.values_list("pk", "topic_id", "slug")),
        "outputs": sorted(OldOutput.objects.values_list("pk", "page_id", "index")),
        "question": (question.pk, question.topic_id, key),
    }


@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_the_split_keeps_every_row():
    old_apps = migrate(BEFORE_SPLIT)
    before = fill_old_database(old_apps)

    migrate(latest())

    assert sorted(Topic.objects.values_list("pk", "slug")) == before["topics"]
    assert sorted(ConceptPage.objects.values_list("pk", "topic_id", "slug")) == before["pages"]
    assert (
        sorted(CodeBlockOutput.objects.values_list("pk", "page_id", "index")) == before["outputs"]
    )
    pk, topic_id, key = before["question"]
    question = Question.objects.select_related("topic").get(pk=pk)
    assert question.topic.pk == topic_id and question.answer_key == key
    assert CodeBlockOutput.objects.filter(outcome=key).count() == len(before["outputs"])
    assert QuizQuestion.objects.get(question=question, quiz=Quiz.objects.get()).points == 2
    # The relations still work both ways through the moved models.
    assert list(Topic.objects.get(pk=topic_id).questions.all()) == [question]


@pytest.mark.django_db(transaction=True)
def test_instructors_keep_their_permissions_on_the_moved_models():
    old_apps = migrate(BEFORE_SPLIT)
    # The group as quizzes 0002 makes it (an earlier transactional test may have flushed it).
    OLD_GROUP_MIGRATION.remove_instructors_group(old_apps, None)
    OLD_GROUP_MIGRATION.create_instructors_group(old_apps, None)
    migrate(latest())

    group = Group.objects.get(name="Instructors")
    instructor = User.objects.create_user("teacher", is_staff=True)
    instructor.groups.add(group)
    instructor = User.objects.get(pk=instructor.pk)  # no cached permissions
    for model in ("topic", "conceptpage"):
        for action in ("add", "change", "delete", "view"):
            assert instructor.has_perm(f"content.{action}_{model}"), f"{action}_{model}"
    assert not group.permissions.filter(
        content_type__app_label="quizzes", codename__in=["view_topic", "view_conceptpage"]
    ).exists()


@pytest.mark.django_db(transaction=True)
def test_the_split_can_be_undone():
    """Back to the old state and forward again: rows and content types survive both ways."""
    topic = Topic.objects.create(slug="kept", title="Kept")
    old_apps = migrate(BEFORE_SPLIT)
    assert old_apps.get_model("quizzes", "Topic").objects.get(pk=topic.pk).slug == "kept"
    migrate(latest())
    assert Topic.objects.get(pk=topic.pk).slug == "kept"


AN_EARLIER_TRANSACTIONAL_TEST = """\
import pytest


@pytest.mark.django_db(transaction=True)
def test_before():
    pass  # its flush makes the content types again, in post_migrate's order and ids
"""


def own_test_database() -> dict:
    """The environment of a pytest run in a subprocess. On a database server (PostgreSQL), a
    database name of its own: with this session's, it would make and then drop this session's
    test database (test_<name>) under it. SQLite's test databases are in memory, one a process."""
    url = os.environ.get("DATABASE_URL")
    if connection.vendor == "sqlite" or not url:
        return dict(os.environ)
    own = urllib.parse.urlsplit(url)._replace(path="/layout_migration_subprocess")
    return {**os.environ, "DATABASE_URL": urllib.parse.urlunsplit(own)}


def test_it_passes_after_another_transactional_test(tmp_path):
    """Order independence: run after a transactional test (tests/quizzes has some), this module
    errored with a duplicate content type while it used serialized_rollback."""
    earlier = tmp_path / "test_earlier.py"
    earlier.write_text(AN_EARLIER_TRANSACTIONAL_TEST)
    this_test = f"{Path(__file__).relative_to(ROOT)}::test_the_split_can_be_undone"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(ROOT)]
        + ["-c", str(ROOT / "pyproject.toml"), str(earlier), this_test],
        cwd=ROOT,
        env=own_test_database(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    assert "2 passed" in done.stdout
