"""Grader throughput with 1 grader worker, then 2, side by side (issue 14, section 5).

    python -m scripts.grader_throughput [--jobs 300] [--rounds 3]

Starts a throwaway redis-server and grader workers (grader/worker.py, each with only the Redis
URL and its own settings in its environment), queues the same batch of lesson-sized snippets
for each set-up, and prints the jobs per second, how busy the machine's CPUs were, and the
ratios. The set-ups: 1 worker free to use every CPU (its best: its sandboxed runs' set-up and
exits go to another CPU); 2 workers free to use every CPU; 2 workers each bound to a CPU of its
own (GRADER_CPUS, as scripts/cluster.sh and deploy/ start them).

A benchmark that prints figures, not a test: the machine's other load shows in them, so it
measures in rounds, each set-up once in each, and prints every round and the medians of the
ratios (one round's ratio moved by 0.2 from run to run on a shared machine). The load generator
is this process, on the same machine: it queues each batch in one pipeline and then only counts
finished jobs a few times a second, so that its own CPU time is not what is measured. Whatever
happens, it leaves no worker running: each runs in a process group of its own, killed at the end.
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
from datetime import UTC, datetime
from pathlib import Path

from redis import Redis
from rq import Queue
from rq.job import Job

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader import jobs  # noqa: E402
from grader.constants import Status  # noqa: E402
from grader.worker import heartbeat_key  # noqa: E402
from tests.redis_fixtures import WORKER_BOOTSTRAP, free_port, wait_for  # noqa: E402

# A worker stops within a few seconds of SIGTERM, or once its current job is done.
STOP_SECONDS = 30
PERFORM = "grader.worker.perform_job"
BATCH_SECONDS = 600  # the longest a batch may take before the benchmark gives up

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
    url: str, queue: str, cpus: list[str | None], logs: Path, workers: list[subprocess.Popen]
) -> list[subprocess.Popen]:
    """Start one worker per entry of `cpus` (its GRADER_CPUS, or None: any CPU), each appended
    to `workers` at once (so that a failure meanwhile still stops those started), and wait until
    they serve."""
    names = [f"{queue}-{number}" for number in range(len(cpus))]
    for name, cpu in zip(names, cpus, strict=True):
        workers.append(
            subprocess.Popen(
                [sys.executable, "-I", "-c", WORKER_BOOTSTRAP, str(ROOT)],
                env={
                    "GRADER_REDIS_URL": url,
                    "GRADER_QUEUE": queue,
                    "GRADER_WORKER_NAME": name,
                    "GRADER_POOL_SIZE": "1",
                    **({"GRADER_CPUS": cpu} if cpu is not None else {}),
                },
                stdout=subprocess.DEVNULL,
                stderr=(logs / f"{name}.log").open("ab"),
                start_new_session=True,  # its group is killed at the end, whatever happens
            )
        )
    connection = Redis.from_url(url)
    wait_for(
        lambda: all(connection.exists(heartbeat_key(name)) for name in names),
        240,
        "the grader workers to start",
    )
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


def cpu_ticks() -> tuple[int, int]:
    """The machine's busy and total CPU time so far, in clock ticks (/proc/stat)."""
    with open("/proc/stat") as stat:
        ticks = [int(field) for field in stat.readline().split()[1:9]]
    idle = ticks[3] + ticks[4]  # idle and waiting for I/O
    return sum(ticks) - idle, sum(ticks)


def jobs_done(queue: Queue) -> int:
    """How many of the queue's jobs have finished or failed so far."""
    registries = (queue.finished_job_registry, queue.failed_job_registry)
    return sum(registry.get_job_count(cleanup=False) for registry in registries)


def outcome_status(rq_job: Job) -> str:
    result = rq_job.latest_result()
    if result is None or result.type != result.Type.SUCCESSFUL:
        sys.exit(f"grader job {rq_job.id} failed: {result and result.exc_string}")
    return json.loads(result.return_value)["outcome"]["status"]


def measure(url: str, name: str, cpus: list[str | None], job_count: int, logs: Path):
    """Jobs per second, and the fraction of the machine's CPU time that was busy meanwhile."""
    workers: list[subprocess.Popen] = []
    try:
        workers = start_workers(url, name, cpus, logs, workers)
        queue = Queue(name, connection=Redis.from_url(url))
        job = jobs.make_job("run", SNIPPET)
        # Warm-up: one job per worker, not counted.
        queue.enqueue_many([Queue.prepare_data(PERFORM, (job,)) for _ in cpus])
        wait_for(lambda: jobs_done(queue) >= len(cpus), BATCH_SECONDS, "the warm-up jobs")
        busy_before, total_before = cpu_ticks()
        started = datetime.now(UTC)
        queued = queue.enqueue_many([Queue.prepare_data(PERFORM, (job,)) for _ in range(job_count)])
        # Counted a few times a second (wait_for's polls), so the workers have the CPUs.
        done = len(cpus) + job_count
        wait_for(lambda: jobs_done(queue) >= done, BATCH_SECONDS, f"a batch of {job_count} jobs")
        busy, total = cpu_ticks()
        batch = [
            rq_job
            for rq_job in Job.fetch_many([rq_job.id for rq_job in queued], queue.connection)
            if rq_job is not None
        ]
        statuses = {outcome_status(rq_job) for rq_job in batch}
        if len(batch) != job_count or statuses != {Status.OK}:
            sys.exit(f"some runs did not finish: {sorted(statuses)}")
        # Until the last job ended, as its worker recorded it: not rounded up to the next count.
        ended = max(rq_job.ended_at for rq_job in batch if rq_job.ended_at)
        elapsed = (ended.replace(tzinfo=UTC) - started).total_seconds()
        return job_count / elapsed, (busy - busy_before) / max(1, total - total_before)
    finally:
        stop_workers(workers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=300, help="jobs per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every set-up")
    arguments = parser.parse_args()
    binary = shutil.which("redis-server")
    if binary is None:
        sys.exit("redis-server is not installed (apt-get install redis-server)")
    usable = sorted(os.sched_getaffinity(0))
    if len(usable) < 2:
        sys.exit(f"two CPUs are needed to bind two workers to one each; this process has {usable}")
    setups = {
        "1 worker": [None],
        "2 workers": [None, None],
        "2 bound": [str(usable[0]), str(usable[1])],
    }
    with tempfile.TemporaryDirectory() as state:
        port = free_port()
        server = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", state],
            stdout=subprocess.DEVNULL,
        )
        try:
            url = f"redis://127.0.0.1:{port}/0"
            time.sleep(0.5)
            # A queue of its own per measurement: its registries count only its own jobs.
            rounds = [
                {
                    setup: measure(url, f"bench-{repeat}-{n}", cpus, arguments.jobs, Path(state))
                    for n, (setup, cpus) in enumerate(setups.items())
                }
                for repeat in range(arguments.rounds)
            ]
        finally:
            server.terminate()
            server.wait()
    print(f"CPUs: {len(usable)}, load average: {os.getloadavg()[0]:.1f}, jobs: {arguments.jobs}")
    print("jobs/s (CPUs busy) per set-up; the ratios to 1 worker")
    print(f"{'round':>5}" + "".join(f"{setup:>17}" for setup in setups) + "   ratios")
    for number, figures in enumerate(rounds, start=1):
        row = "".join(f"{rate:>10.1f} ({busy:>3.0%})" for rate, busy in figures.values())
        one = figures["1 worker"][0]
        ratios = ", ".join(f"{figures[setup][0] / one:.2f}x" for setup in ("2 workers", "2 bound"))
        print(f"{number:>5}{row}   {ratios}")
    for setup in ("2 workers", "2 bound"):
        median = statistics.median(figures[setup][0] / figures["1 worker"][0] for figures in rounds)
        print(f"{setup} / 1 worker: {median:.2f}x (the median of {len(rounds)} rounds)")


if __name__ == "__main__":
    main()
