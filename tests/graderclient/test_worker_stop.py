"""A grader worker (grader/worker.py) stops promptly on SIGTERM, idle or mid-job, loses no job and
leaves no process behind (its grader server and the server's sandboxed children go with it)."""

import ctypes
import os
import signal
import time

from graderclient.backends import RedisBackend
from tests.grader.conftest import run_in_cpython
from tests.graderclient.test_redis_backend import PATIENT, SLOW_SNIPPET, slow_job_under_way
from tests.redis_fixtures import grader_server_pid, session_processes, wait_for

# Idle, a worker waits for a job in Redis BLPOPs of a second; with the start of the interpreter's
# exit and the grader server's stop, a stop takes a second or two on an idle machine.
PROMPTLY_SECONDS = 10


def stopped_within(process, seconds: float) -> float:
    started = time.monotonic()
    wait_for(lambda: process.poll() is not None, seconds, "the worker to exit after SIGTERM")
    return time.monotonic() - started


def assert_nothing_left(server: int) -> None:
    wait_for(lambda: not session_processes(server), 10, "the grader server's processes to go")


def test_an_idle_worker_stops_promptly_and_takes_its_grader_server_along(grader_workers):
    worker = grader_workers.start("idle")
    server = grader_server_pid(worker.pid)
    assert session_processes(server)
    worker.send_signal(signal.SIGTERM)
    stopped_within(worker, PROMPTLY_SECONDS)
    assert worker.returncode == 0
    assert_nothing_left(server)


def test_a_sigterm_caught_by_another_thread_stops_an_idle_worker(grader_workers):
    """POSIX lets the kernel give a process's signal to any of its threads; one that lands on the
    heartbeat thread, or just before the main thread blocks in its read from Redis, is only seen
    once that read returns. RQ's read waits 405 s: the worker outlived make grader-throughput's
    60 s wait and was left running, orphaned."""
    worker = grader_workers.start("threads")
    threads = [int(tid) for tid in os.listdir(f"/proc/{worker.pid}/task") if int(tid) != worker.pid]
    assert threads, "the worker has a heartbeat thread"
    libc = ctypes.CDLL(None, use_errno=True)
    assert libc.tgkill(worker.pid, threads[0], signal.SIGTERM) == 0, ctypes.get_errno()
    stopped_within(worker, PROMPTLY_SECONDS)
    assert worker.returncode == 0


def test_a_worker_stopped_mid_job_finishes_the_job_first(grader_workers):
    worker = grader_workers.start("busy")
    server = grader_server_pid(worker.pid)
    client = RedisBackend({"redis_url": grader_workers.url, "queue": "grader-test"})
    waiting, replies = slow_job_under_way(client)
    worker.send_signal(signal.SIGTERM)
    # It stops once its run is done: the run's own time limit bounds the wait.
    stopped_within(worker, PATIENT.wall_seconds + PROMPTLY_SECONDS)
    assert worker.returncode == 0
    waiting.join(timeout=60)
    assert not waiting.is_alive()
    [reply] = replies
    assert reply["worker"] == "busy", "the job was run by the worker asked to stop, not dropped"
    assert reply["outcome"]["status"] == "ok", reply
    assert reply["outcome"]["stdout"] == run_in_cpython(SLOW_SNIPPET).stdout
    assert_nothing_left(server)


def test_a_worker_stopped_while_it_starts_stops_its_grader_server(grader_workers):
    """A SIGTERM before the worker takes jobs (its grader server is starting) stops it too, and
    the grader server, in a session of its own, is not left behind."""
    worker = grader_workers.start("starting", wait=False)
    server = wait_for(lambda: _grader_server_or_none(worker.pid), 240, "the grader server")
    worker.send_signal(signal.SIGTERM)
    stopped_within(worker, 240)
    assert worker.returncode == 0
    assert_nothing_left(server)


def _grader_server_or_none(worker_pid: int) -> int | None:
    try:
        return grader_server_pid(worker_pid)
    except (ValueError, FileNotFoundError, ProcessLookupError):
        return None


def test_a_worker_stops_while_redis_is_away(grader_workers):
    """RQ retries a Redis it cannot reach for ever, at growing intervals, and never looked at a
    stop asked for meanwhile: a worker outlived `cluster.sh stop`, which stopped Redis first."""
    from redis import Redis

    worker = grader_workers.start("stranded")
    server = grader_server_pid(worker.pid)
    redis_pid = Redis.from_url(grader_workers.url).info()["process_id"]
    os.kill(redis_pid, signal.SIGKILL)
    log = grader_workers.log_dir / "worker-stranded.log"
    missed = ("Redis unreachable", "could not connect to Redis")  # ours, RQ's

    def misses_redis():
        return any(words in log.read_text() for words in missed)

    wait_for(misses_redis, 60, "the worker to miss Redis")
    time.sleep(3)  # a few failed attempts in: RQ's waits between them have grown by now
    worker.send_signal(signal.SIGTERM)
    stopped_within(worker, PROMPTLY_SECONDS)  # its last words to Redis fail: no exit status
    assert_nothing_left(server)
