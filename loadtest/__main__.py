"""python -m loadtest --host URL --users N: run the exam-day scenario headless, print the figures.

The students must exist first (manage.py create_load_students, which `make loadtest` runs). Exits
with status 1 when any request failed (a 503 included) or any student did not finish.
"""

import locust  # noqa: F401, I001 - first: Locust patches the standard library for gevent

import argparse
import os
import sys
import time

import gevent
from locust.env import Environment

from loadtest.scenario import EXAM, QUIZ, SAVE_WAIT, SAVES, SPIKE_SECONDS, Student

REPORTED = ["login", "start", "attempt page", "save", "submit", "result"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else 0.0


def wait_until_done(environment: Environment, students: int, limit: float) -> None:
    began = time.monotonic()
    while EXAM.finished < students and time.monotonic() - began < limit:
        gevent.sleep(0.5)
    environment.runner.quit()


def report(environment: Environment, students: int, seconds: float, load: tuple) -> int:
    stats = environment.stats
    print()
    print(
        f"exam day: {students} students, quiz {QUIZ}, spike {SPIKE_SECONDS:g} s, {SAVES} saves "
        f"per typed answer {SAVE_WAIT[0]:g}-{SAVE_WAIT[1]:g} s apart, {seconds:.0f} s in all"
    )
    print(f"web processes: {', '.join(environment.host.split())}")
    print(f"host load average before {load[0]:.2f}, after {os.getloadavg()[0]:.2f}")
    print(
        f"{'request':<13}{'count':>7}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'max ms':>9}{'req/s':>8}"
    )
    errors = 0
    for name in REPORTED:
        entry = next((e for e in stats.entries.values() if e.name == name), None)
        if entry is None:
            continue
        errors += entry.num_failures
        print(
            f"{name:<13}{entry.num_requests:>7}{entry.num_failures:>8}"
            f"{entry.get_response_time_percentile(0.5):>9.0f}"
            f"{entry.get_response_time_percentile(0.95):>9.0f}"
            f"{entry.get_response_time_percentile(0.99):>9.0f}"
            f"{entry.max_response_time:>9.0f}{entry.total_rps:>8.1f}"
        )
    total = stats.total
    print(
        f"all requests: {total.num_requests}, {total.total_rps:.1f}/s, {total.num_failures} errors"
    )
    for error in stats.errors.values():
        print(f"  error: {error.method} {error.name}: {error.error} x{error.occurrences}")
    for exception in environment.runner.exceptions.values():
        print(f"  exception x{exception['count']}: {exception['msg']}")
    delays = EXAM.start_delays
    if delays:
        print(
            f"exam opened -> attempt page: {len(delays)} of {students} students, "
            f"p50 {percentile(delays, 0.5):.1f} s, p95 {percentile(delays, 0.95):.1f} s, "
            f"last {max(delays):.1f} s"
        )
    if delays and EXAM.saves:
        report_save_phases(max(delays), EXAM.first_submit)
    complete = len(delays) == students and EXAM.finished == students
    failed = errors or environment.runner.exceptions or not complete
    return 1 if failed else 0


def report_save_phases(last_page: float, first_submit: float | None) -> None:
    """The saves' times in the exam's three phases, to tell which one a slow p95 comes from:
    while some students still wait for their attempt page (the spike), then until the first
    student submits, then while the class submits and opens results."""
    ends = [("spike", last_page), ("answering", first_submit or float("inf"))]
    ends.append(("submitting", float("inf")))
    began = 0.0
    for phase, end in ends:
        taken = [ms for came, ms in EXAM.saves if began <= came < end]
        if taken:
            until = f"{end:.0f} s" if end != float("inf") else "the end"
            print(
                f"saves {phase} ({began:.0f} s to {until}): {len(taken)}, "
                f"p50 {percentile(taken, 0.5):.0f} ms, p95 {percentile(taken, 0.95):.0f} ms"
            )
        began = max(began, end)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--host",
        required=True,
        help="the site, e.g. http://127.0.0.1:8000; a cluster's web processes as several URLs "
        "separated by spaces (the students are spread over them in turn)",
    )
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument(
        "--spawn-rate", type=float, default=50.0, help="students arriving per second"
    )
    parser.add_argument("--time-limit", type=float, default=1800.0, help="seconds")
    args = parser.parse_args()
    EXAM.students = args.users
    load = os.getloadavg()
    hosts = " ".join(url.rstrip("/") for url in args.host.split())
    environment = Environment(user_classes=[Student], host=hosts)
    runner = environment.create_local_runner()
    began = time.monotonic()
    runner.start(args.users, spawn_rate=args.spawn_rate)
    gevent.spawn(wait_until_done, environment, args.users, args.time_limit)
    runner.greenlet.join()
    return report(environment, args.users, time.monotonic() - began, load)


if __name__ == "__main__":
    sys.exit(main())
