"""Grader throughput with 1 grader worker, then 2, side by side (issue 14, section 5).

    python -m scripts.grader_throughput [--jobs 120] [--rounds 3]

Starts a throwaway redis-server and grader workers (grader/worker.py, each with only the Redis
URL in its environment), queues the same batch of lesson-sized snippets for each worker count,
and prints the jobs per second and the ratio. A benchmark that prints figures, not a test: the
machine's other load shows in them, so it measures in rounds, 1 worker then 2 in each, and
prints every round's ratio and their median (one round's ratio moved by 0.2 from run to run on
a shared machine). Whatever happens, it leaves no worker running: each runs in a process group
of its own, killed at the end.
"""

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from redis import Redis
from rq import Queue

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader import jobs  # noqa: E402
from grader.constants import Status  # noqa: E402
from grader.worker import heartbeat_key  # noqa: E402
from tests.redis_fixtures import WORKER_BOOTSTRAP, free_port  # noqa: E402

# A worker stops within a few seconds of SIGTERM, or once its current job is done.
STOP_SECONDS = 30

# A lesson-sized snippet with some work in it (about 20-40 ms in the sandbox), so that the runs,
# not the queue's bookkeeping, are what is measured.
SNIPPET = """\
def build(n):
    rows = [[i] * 3 for i in range(n)]
    alias = rows[0]
    alias.append(-1)
    return rows
total = 0
for _ in range(40):
    total += sum(len(row) for row in build(2000))
print(total, build(2)[0])
"""


def start_workers(
    url: str, queue: str, count: int, logs: Path, workers: list[subprocess.Popen]
) -> list[subprocess.Popen]:
    """Start `count` workers, each appended to `workers` at once (so that a failure meanwhile
    still stops those started), and wait until they serve."""
    for number in range(count):
        name = f"bench-{count}-{number}"
        workers.append(
            subprocess.Popen(
                [sys.executable, "-I", "-c", WORKER_BOOTSTRAP, str(ROOT)],
                env={
                    "GRADER_REDIS_URL": url,
                    "GRADER_QUEUE": queue,
                    "GRADER_WORKER_NAME": name,
                    "GRADER_POOL_SIZE": "1",
                },
                stdout=subprocess.DEVNULL,
                stderr=(logs / f"{name}.log").open("ab"),
                start_new_session=True,  # its group is killed at the end, whatever happens
            )
        )
    connection = Redis.from_url(url)
    deadline = time.monotonic() + 240
    names = [f"bench-{count}-{number}" for number in range(count)]
    while not all(connection.exists(heartbeat_key(name)) for name in names):
        if time.monotonic() > deadline:
            sys.exit("the grader workers did not start within 240 s")
        time.sleep(0.1)
    return workers


def stop_workers(workers: list[subprocess.Popen]) -> None:
    """SIGTERM, then whatever is left of each worker's process group is killed. A worker's grader
    server (in a session of its own) exits when its worker has gone."""
    for worker in workers:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    stuck = []
    for worker in workers:
        try:
            worker.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            stuck.append(worker.pid)
        try:
            os.killpg(worker.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass  # the group is gone with its leader: nothing left
        worker.wait()
    if stuck:
        sys.exit(f"grader workers {stuck} did not stop within {STOP_SECONDS} s of SIGTERM (killed)")


def measure(url: str, count: int, job_count: int, logs: Path) -> float:
    queue_name = f"bench-{count}"
    workers: list[subprocess.Popen] = []
    try:
        workers = start_workers(url, queue_name, count, logs, workers)
        queue = Queue(queue_name, connection=Redis.from_url(url))
        job = jobs.make_job("run", SNIPPET)
        # Warm-up: one job per worker, not counted.
        for warm in [queue.enqueue("grader.worker.perform_job", job) for _ in range(count)]:
            while warm.latest_result(timeout=1) is None:
                pass
        started = time.monotonic()
        queued = [queue.enqueue("grader.worker.perform_job", job) for _ in range(job_count)]
        statuses = []
        for rq_job in queued:
            result = None
            while result is None:
                result = rq_job.latest_result(timeout=1)
            statuses.append(json.loads(result.return_value)["outcome"]["status"])
        elapsed = time.monotonic() - started
        if set(statuses) != {Status.OK}:
            sys.exit(f"some runs did not finish: {sorted(set(statuses))}")
        return job_count / elapsed
    finally:
        stop_workers(workers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=120, help="jobs per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of 1 worker, then 2")
    arguments = parser.parse_args()
    binary = shutil.which("redis-server")
    if binary is None:
        sys.exit("redis-server is not installed (apt-get install redis-server)")
    with tempfile.TemporaryDirectory() as state:
        port = free_port()
        server = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", state],
            stdout=subprocess.DEVNULL,
        )
        try:
            url = f"redis://127.0.0.1:{port}/0"
            time.sleep(0.5)
            rounds = [
                (
                    measure(url, 1, arguments.jobs, Path(state)),
                    measure(url, 2, arguments.jobs, Path(state)),
                )
                for _ in range(arguments.rounds)
            ]
        finally:
            server.terminate()
            server.wait()
    print(f"CPUs: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}, jobs: {arguments.jobs}")
    print(f"{'round':>6} {'1 worker':>9} {'2 workers':>10} {'ratio':>6}   (jobs/s)")
    for number, (one, two) in enumerate(rounds, start=1):
        print(f"{number:>6} {one:>9.1f} {two:>10.1f} {two / one:>5.2f}x")
    median = statistics.median(two / one for one, two in rounds)
    print(f"2 workers / 1 worker: {median:.2f}x (the median of {len(rounds)} rounds)")


if __name__ == "__main__":
    main()
