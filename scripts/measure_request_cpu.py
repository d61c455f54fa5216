"""CPU time an exam's start, save, submit and result cost, in-process (no server, no network).

    .venv/bin/python scripts/measure_request_cpu.py [--quiz final-exam] [--students 20]

Works on a copy of the database (db.sqlite3, or DATABASE_URL's SQLite file), so the real one is
untouched: each of --students throwaway students starts the quiz (the POST and the attempt page
it leads to), saves one answer to each question (as the autosave script does, JSON), submits and
opens the result. Prints the mean and p95 CPU milliseconds per request of each kind, and the
queries each made.
"""

import argparse
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def copy_database(source: Path) -> Path:
    """A consistent copy (SQLite's backup, which includes what the WAL holds), even while the
    site is running on the original."""
    target = Path(tempfile.mkdtemp(prefix="measure-cpu-")) / "db.sqlite3"
    with sqlite3.connect(source) as original, sqlite3.connect(target) as copy:
        original.backup(copy)
    os.environ["DATABASE_URL"] = f"sqlite:///{target}"
    return target


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quiz", default="final-exam")
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--database", type=Path, default=ROOT / "db.sqlite3")
    args = parser.parse_args()
    copy = copy_database(args.database)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from courses.services import quiz_takers_enrol
    from quizzes.models import Attempt, Quiz

    quiz = Quiz.objects.get(slug=args.quiz)
    entries = list(
        quiz.quiz_questions.select_related("question").prefetch_related("question__choices")
    )
    cpu: dict[str, list[float]] = {
        "start (POST)": [],
        "attempt page": [],
        "save": [],
        "submit (POST)": [],
        "result page": [],
    }
    queries: dict[str, set[int]] = {name: set() for name in cpu}

    def timed(name, send, url, *data, **headers):
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            began = time.process_time()
            response = send(url, *data, **headers)
            cpu[name].append((time.process_time() - began) * 1000)
        queries[name].add(len(captured))
        assert response.status_code < 400, (name, response.status_code)
        return response

    # One client, so the middleware is built once, as in a server process (WhiteNoise indexes the
    # static files then), by a first request that is not timed.
    client = Client()
    client.get(reverse("login"))
    users = get_user_model()
    for number in range(args.students):
        user = users.objects.create_user(f"measure-cpu-{number}")
        # A quiz assigned to a course is only its students' (seed_demo assigns the fixtures').
        quiz_takers_enrol(quiz=quiz, users=users.objects.filter(pk=user.pk))
        client.force_login(user)
        timed("start (POST)", client.post, reverse("quiz_start", args=[quiz.slug]))
        attempt = Attempt.objects.get(user=user, quiz=quiz)
        timed("attempt page", client.get, reverse("attempt_take", args=[attempt.pk]))
        for entry in entries:
            choice = entry.question.choices.first()
            if entry.question.answer_mode == "choice":
                data = {f"q{entry.pk}-choice": choice.pk}
            elif entry.question.answer_mode == "true_false":
                data = {f"q{entry.pk}-answer_text": "true"}
            else:
                data = {f"q{entry.pk}-answer_text": "42"}
            url = reverse("attempt_answer", args=[attempt.pk, entry.pk])
            timed("save", client.post, url, data, HTTP_ACCEPT="application/json")
        submitted = timed(
            "submit (POST)", client.post, reverse("attempt_submit", args=[attempt.pk])
        )
        timed("result page", client.get, submitted["Location"])
    print(f"{args.students} students, quiz {quiz.slug} ({len(entries)} questions)")
    print(f"{'request':<14} {'n':>5} {'mean ms':>8} {'p95 ms':>8}  queries")
    for name, values in cpu.items():
        print(
            f"{name:<14} {len(values):>5} {statistics.mean(values):>8.1f} "
            f"{percentile(values, 0.95):>8.1f}  {sorted(queries[name])}"
        )
    shutil.rmtree(copy.parent)


if __name__ == "__main__":
    main()
