"""Fixtures shared by the quizzes tests."""

import pytest
from django.db import connection

import grader


@pytest.fixture
def grader_calls(monkeypatch):
    """Every call into the grader package, with whether a database transaction was open then
    (the rule: none is). Tests that check it need a real transaction per write, so they are
    marked django_db(transaction=True); they need no migration data (no
    serialized_rollback: restoring it fails on PostgreSQL, whose content types remain)."""
    calls: list[tuple[str, bool]] = []
    for name in ("run", "output_varies"):
        real = getattr(grader, name)

        def recorded(source, *args, _real=real, _name=name, **kwargs):
            calls.append((_name, connection.in_atomic_block))
            return _real(source, *args, **kwargs)

        monkeypatch.setattr(grader, name, recorded)
    return calls
