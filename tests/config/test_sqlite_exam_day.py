"""The SQLite default is set up for a class writing at once: WAL (pages read while a writer
commits), a busy timeout (writers queue for the lock instead of failing at once), write
transactions that take the lock when they begin; and a writer that waits past the timeout
raises the error config.busy turns into a 503."""

import sqlite3
import time
from copy import deepcopy

import pytest
from django.conf import settings
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper

from config.busy import is_database_busy

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's settings")


@pytest.fixture
def file_database(tmp_path, django_db_blocker):
    """A Django connection with the site's settings to an SQLite file (tests otherwise run in
    memory, where neither WAL nor the busy timeout applies)."""
    settings_dict = deepcopy(settings.DATABASES["default"])
    settings_dict["NAME"] = str(tmp_path / "db.sqlite3")
    settings_dict["OPTIONS"]["timeout"] = 0.3
    wrapper = DatabaseWrapper(settings_dict, alias="exam_day_file")
    with django_db_blocker.unblock():
        yield wrapper
        wrapper.close()


def test_the_default_database_is_sqlite_in_wal_mode_with_a_busy_timeout():
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=wal" in options["init_command"].lower()
    assert options["timeout"] == settings.SQLITE_BUSY_TIMEOUT >= 1


def test_a_connection_opens_in_wal_mode_and_waits_for_the_lock(file_database):
    with file_database.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] == 300
        cursor.execute("CREATE TABLE answer (text TEXT)")
    other = sqlite3.connect(file_database.settings_dict["NAME"], isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        # A reader is not blocked by the writer (WAL) ...
        with file_database.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM answer")
        # ... a writer waits for the busy timeout, then gets the error answered with a 503.
        began = time.monotonic()
        with pytest.raises(Exception) as failed:
            with file_database.cursor() as cursor:
                cursor.execute("INSERT INTO answer VALUES ('x')")
        waited = time.monotonic() - began
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert is_database_busy(failed.value), failed.value
    assert waited >= 0.25
