"""A grader worker: takes grader jobs from a Redis queue (RQ) and runs them in the sandbox.

    GRADER_REDIS_URL=redis://host:6379/0 python -m grader.worker

It holds no database credentials and imports no Django (openedx codejail-service's ADR 0002 keeps
its runner the same way): its environment needs only the Redis URL and its own settings.

- GRADER_REDIS_URL (required): the queue's Redis server.
- GRADER_QUEUE: the queue's name (default "grader"; the site's settings.GRADER["queue"]).
- GRADER_WORKER_NAME: how it is called in Redis (default host.pid).
- GRADER_POOL_SIZE: runs at once in its grader server (grader/pool.py; one job runs at a time
  here, but output_varies and collector_dependent make several runs).
- GRADER_PYTHON: the interpreter it runs snippets with (any CPython path; default its own). A
  worker of the default interpreter serves the queue GRADER_QUEUE and `GRADER_QUEUE-py3.12`
  (its line); one given GRADER_PYTHON serves only its line's queue (`grader-py3.13`): one worker
  queue per interpreter line, and a new line (3.14) is a worker started with its path.
- GRADER_CPUS: the CPUs it, its grader server and every sandboxed run may use, as a Linux CPU
  list ("1", "0-3", "0,2"); default all this process may use. Several workers on one machine
  each get CPUs of their own (as DOMjudge binds each judgehost to a core): otherwise the
  kernel moves their short-lived runs between CPUs and leaves one idle now and then (make
  grader-throughput: 2 workers on 2 CPUs, 1.77x one worker's jobs bound, 1.70x free).

Each job is checked against the schema (grader/jobs.py) before it runs; the reply is a JSON
string with the worker's Python version, so a key records the interpreter that computed it. The
worker is an RQ SimpleWorker, so its grader server stays warm from one job to the next (a forking
worker would start one per job). While alive it refreshes a heartbeat key carrying its Python
version every second; a client waiting on a job whose worker's heartbeat has lapsed (the worker
was killed mid-run) queues the job again for another worker.

SIGTERM or SIGINT stops it within about a second when idle, or once its current job is done
(runs are bounded by the grader's limits): it never drops a job it has taken from the queue, and
its grader server stops with it.
"""

import json
import logging
import os
import signal
import socket
import sys
import threading
import time

from grader import jobs

log = logging.getLogger("grader.worker")

DEFAULT_QUEUE = "grader"
HEARTBEAT_PREFIX = "grader:worker:"  # a worker of the default queue (and its line's)
LINE_HEARTBEAT_PREFIX = "grader:lineworker:"  # a worker of one line's queue only
HEARTBEAT_SECONDS = 1.0
HEARTBEAT_TTL_SECONDS = 3  # a worker silent this long is taken for dead
# The longest wait for a job in one Redis BLPOP: how long a stop request may go unnoticed.
DEQUEUE_POLL_SECONDS = 1
MAX_REDIS_RETRY_SECONDS = 30  # between attempts to reach Redis when it is away
_name = ""  # this worker's, set by main(); each reply says which worker ran the job
_version = jobs.PYTHON_VERSION  # its interpreter's, set by main()


def line_queue(queue: str, line: str) -> str:
    """The queue of one interpreter line's jobs ("grader-py3.13")."""
    return f"{queue}-py{line}"


def perform_job(job: dict) -> str:
    """The RQ job function: run one grader job; its reply as JSON. A job of the wrong shape gets
    a reply with "error" (the caller's bug, reported, not retried); a grader that cannot start
    here, one with "unavailable" (the client raises GraderUnavailable with its reason)."""
    from grader import GraderUnavailable

    try:
        reply = jobs.perform(job)
    except jobs.NoInterpreter as error:  # a job queued for a line this worker does not run
        reply = {"unavailable": str(error), "python_version": _version}
    except jobs.InvalidJob as error:
        log.warning("Refused an invalid grader job: %s", error)
        reply = {"error": f"invalid job: {error}", "python_version": _version}
    except GraderUnavailable as error:  # this worker's sandbox cannot serve: say so plainly
        log.error("The grader is unavailable on this worker: %s", error)
        reply = {"unavailable": str(error), "python_version": _version}
    return json.dumps({**reply, "worker": _name})


def parse_cpu_list(spec: str) -> set[int]:
    """The CPUs of a Linux CPU list ("0", "0-3", "0,2-3"); ValueError if it is not one."""
    cpus: set[int] = set()
    for part in spec.split(","):
        first, dash, last = part.strip().partition("-")
        if not first.isdigit() or (dash and not last.isdigit()):
            raise ValueError(f"{part.strip()!r} is not a CPU number or range")
        low, high = int(first), int(last) if dash else int(first)
        if high < low:
            raise ValueError(f"{part.strip()!r} ends before it starts")
        cpus.update(range(low, high + 1))
    return cpus


def bind_to_cpus(spec: str) -> set[int]:
    """Bind this process, and so the grader server and runs it starts later, to the CPUs of
    `spec`; they must be among those it may use now. SystemExit saying why otherwise."""
    usable = os.sched_getaffinity(0)
    try:
        cpus = parse_cpu_list(spec)
    except ValueError as error:
        sys.exit(
            f"grader.worker: GRADER_CPUS={spec!r} is not a CPU list such as 0-1 or 0,2: {error}"
        )
    unusable = sorted(cpus - usable)
    if unusable:
        sys.exit(
            f"grader.worker: GRADER_CPUS={spec!r} names CPUs {unusable} that this process may not"
            f" use (it may use {sorted(usable)})"
        )
    os.sched_setaffinity(0, cpus)
    return cpus


def heartbeat_key(worker_name: str, line_only: bool = False) -> str:
    return (LINE_HEARTBEAT_PREFIX if line_only else HEARTBEAT_PREFIX) + worker_name


def _beat(connection, key: str, stopped: threading.Event) -> None:
    while not stopped.is_set():
        try:
            connection.set(key, _version, ex=HEARTBEAT_TTL_SECONDS)
        except Exception as error:  # Redis briefly away: keep trying, the worker itself copes
            log.warning("Heartbeat to Redis failed: %s", error)
        stopped.wait(HEARTBEAT_SECONDS)
    connection.delete(key)


def grader_worker_class():
    """RQ's SimpleWorker, stopping on SIGTERM/SIGINT by a flag checked between jobs.

    RQ's own handler raises StopRequested in whatever the main thread is doing, and otherwise
    relies on the signal interrupting its BLPOP, which waits up to 405 s. When the signal lands
    on another thread (the heartbeat's or RQ's pubsub thread; POSIX lets the kernel pick any), or
    just before the main thread enters the blocking read, Python only runs the handler once the
    read returns: the worker went on waiting for minutes after SIGTERM (make grader-throughput's
    60 s timeout, an orphan left behind). And had the handler run just after BLPOP took a job,
    the exception would have dropped that job, in no queue and in no registry. Here the handler
    only sets the flag, the wait for a job is cut into DEQUEUE_POLL_SECONDS waits with the flag
    checked between them (and between retries while Redis is away), and a job taken is always
    run to its end."""
    from rq import SimpleWorker

    class GraderWorker(SimpleWorker):
        def _install_signal_handlers(self) -> None:
            signal.signal(signal.SIGTERM, self._ask_to_stop)
            signal.signal(signal.SIGINT, self._ask_to_stop)

        def _ask_to_stop(self, signum, frame) -> None:
            self._stop_requested = True  # all a handler does: it may run anywhere in the loop

        def dequeue_job_and_maintain_ttl(self, timeout, max_idle_time=None):
            """RQ's, with the stop flag checked between short waits for a job, and between
            retries while Redis is unreachable (RQ's own retries those for ever, and its waits
            grow to a minute): None, which ends RQ's work loop, once a stop is asked for."""
            from redis.exceptions import ConnectionError as RedisConnectionError
            from rq.exceptions import DequeueTimeout
            from rq.worker import WorkerStatus

            self.set_state(WorkerStatus.IDLE)
            retry_seconds = 1
            while not self._stop_requested:
                try:
                    self.heartbeat()
                    if self.should_run_maintenance_tasks:
                        self.run_maintenance_tasks()
                    result = self.queue_class.dequeue_any(
                        self._ordered_queues,
                        DEQUEUE_POLL_SECONDS,
                        connection=self.connection,
                        job_class=self.job_class,
                        serializer=self.serializer,
                        death_penalty_class=self.death_penalty_class,
                    )
                except DequeueTimeout:
                    continue
                except RedisConnectionError as error:
                    log.error("Grader worker %s: Redis unreachable (%s)", self.name, error)
                    self._pause(retry_seconds)
                    retry_seconds = min(2 * retry_seconds, MAX_REDIS_RETRY_SECONDS)
                    continue
                if result is None:  # no job within the wait (RQ raises DequeueTimeout)
                    continue
                job, queue = result
                job.redis_server_version = self.get_redis_server_version()
                self.reorder_queues(reference_queue=queue)
                log.info("Grader worker %s: %s: %s", self.name, queue.name, job.id)
                self.heartbeat()
                return job, queue
            log.info("Grader worker %s: stopping on request", self.name)
            return None

        def _pause(self, seconds: float) -> None:
            """Sleep, a second at a time, so that a stop asked for meanwhile is not kept waiting
            (a handler that does not raise does not cut a sleep short)."""
            deadline = time.monotonic() + seconds
            while not self._stop_requested and time.monotonic() < deadline:
                time.sleep(min(1.0, deadline - time.monotonic()))

    return GraderWorker


def main() -> None:
    global _name, _version
    from redis import Redis
    from rq import Queue

    import grader

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    url = os.environ.get("GRADER_REDIS_URL")
    if not url:
        sys.exit("grader.worker: set GRADER_REDIS_URL (e.g. redis://127.0.0.1:6379/0)")
    name = _name = os.environ.get("GRADER_WORKER_NAME") or f"{socket.gethostname()}.{os.getpid()}"
    # Before the grader server starts: it and every run it forks inherit the CPUs.
    cpus = bind_to_cpus(os.environ["GRADER_CPUS"]) if os.environ.get("GRADER_CPUS") else None
    if os.environ.get("GRADER_POOL_SIZE"):
        grader.configure(pool_size=int(os.environ["GRADER_POOL_SIZE"]))
    line_only = bool(os.environ.get("GRADER_PYTHON"))
    if line_only:
        grader.configure(python=os.environ["GRADER_PYTHON"])
    _version = grader.python_version()
    base = os.environ.get("GRADER_QUEUE") or DEFAULT_QUEUE
    names = [line_queue(base, grader.version_line(_version))]
    if not line_only:
        names.insert(0, base)
    # RQ sets its own connection's socket timeout above its blocking reads' length; the heartbeat
    # has a connection of its own, so that neither shares a socket with the other's timeout.
    connection = Redis.from_url(url)
    queues = [Queue(queue_name, connection=connection) for queue_name in names]
    worker = grader_worker_class()(
        queues, connection=connection, name=name, log_job_description=False
    )
    # Stopped during the start, it still stops its grader server (at exit) rather than die at once.
    worker._install_signal_handlers()
    # The grader server starts now, not during the first job: a broken sandbox stops the worker.
    reply = jobs.perform(jobs.make_job("run", "print(6 * 7)"))
    if reply["outcome"]["stdout"] != "42\n":
        sys.exit(f"grader.worker: the grader's self-check failed: {reply['outcome']}")
    if worker._stop_requested:
        log.info("Grader worker %s stopped before it started", name)
        return
    stopped = threading.Event()
    beat_connection = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    key = heartbeat_key(name, line_only)
    beating = threading.Thread(target=_beat, args=(beat_connection, key, stopped), daemon=True)
    beating.start()
    where = f"CPUs {sorted(cpus)}" if cpus else "any CPU"
    log.info(
        "Grader worker %s (Python %s) serves %s on %s", name, _version, ", ".join(names), where
    )
    try:
        worker.work(with_scheduler=False)
    finally:
        stopped.set()
        beating.join(timeout=2 * HEARTBEAT_SECONDS)


if __name__ == "__main__":
    # Run as grader.worker, the module RQ imports perform_job from, not as a second copy.
    from grader.worker import main as worker_main

    worker_main()
