"""Where the site's grader jobs run: in this process, in the machine's shared grader service, or
on grader workers behind a Redis queue. Picked by settings.GRADER["backend"] (a dotted
path, as Django picks its cache and task backends); see graderclient/options.py.

A backend takes a job (grader/jobs.py: plain JSON, checked on both sides) and returns the reply
of whatever ran it, or raises grader.GraderUnavailable saying plainly why nothing answered.
"""

import fcntl
import hashlib
import json
import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured

from grader import GraderUnavailable, jobs

log = logging.getLogger(__name__)

_PROJECT_ROOT = str(Path(__file__).resolve().parent.parent)


class Backend:
    def __init__(self, options: dict):
        self.options = options

    def perform(self, job: dict, *, timeout: float) -> dict:
        raise NotImplementedError

    def python_version(self) -> str:
        """The Python version snippets run with ("" when no grader answers to say)."""
        raise NotImplementedError

    def python_lines(self) -> list[str]:
        """The interpreter lines ("3.12", "3.13") jobs may name, the default's first."""
        import grader  # noqa: PLC0415 - the local and in-process graders are this configuration's

        default = grader.version_line(self.python_version())
        return list(dict.fromkeys([default, *sorted(grader.interpreter_lines())]))

    def describe(self) -> str:
        """What the operator sees in /healthz and in errors: no secrets."""
        return type(self).__name__


class InProcessBackend(Backend):
    """This process's own grader server (grader/pool.py). For tests and `manage.py` one-offs: a
    server with several web workers would start one grader server per worker."""

    def perform(self, job: dict, *, timeout: float) -> dict:
        return jobs.perform(job)

    def python_version(self) -> str:
        return jobs.PYTHON_VERSION


class LocalBackend(Backend):
    """The machine's one grader service (grader/local_service.py), over a Unix socket. The first
    process to need it starts it, holding a lock file so that no two processes do."""

    START_SECONDS = 30.0

    def __init__(self, options: dict):
        super().__init__(options)
        self.socket_path = options.get("local_socket") or _default_socket_path()

    def perform(self, job: dict, *, timeout: float) -> dict:
        try:
            connection = self._connect()
        except OSError as error:
            raise GraderUnavailable(f"the local grader service could not start: {error}") from None
        with connection:
            connection.settimeout(timeout)
            try:
                connection.sendall(json.dumps(job).encode() + b"\n")
                line = connection.makefile("rb").readline()
            except TimeoutError:
                raise GraderUnavailable(
                    f"the local grader service did not answer within {timeout:g} seconds"
                ) from None
        if not line:
            raise GraderUnavailable("the local grader service closed the connection mid-job")
        return json.loads(line)

    def python_version(self) -> str:
        # The service is started with this very interpreter (sys.executable).
        return jobs.PYTHON_VERSION

    def _connect(self) -> socket.socket:
        try:
            return _connected(self.socket_path)
        except (FileNotFoundError, ConnectionRefusedError):
            pass
        directory = os.path.dirname(self.socket_path)
        os.makedirs(directory, mode=0o700, exist_ok=True)
        with open(self.socket_path + ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # one process starts it; the others wait, then use it
            try:
                return _connected(self.socket_path)
            except (FileNotFoundError, ConnectionRefusedError):
                self._start_service()
            deadline = time.monotonic() + self.START_SECONDS
            while True:
                try:
                    return _connected(self.socket_path)
                except (FileNotFoundError, ConnectionRefusedError):
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)

    def _start_service(self) -> None:
        log.info("Starting the local grader service on %s", self.socket_path)
        bootstrap = (
            "import sys; sys.path.insert(0, sys.argv[1]); "
            "from grader.local_service import main; main(sys.argv[2:])"
        )
        environment = {
            name: os.environ[name]
            for name in ("GRADER_POOL_SIZE", "GRADER_LOCAL_IDLE_SECONDS")
            if name in os.environ
        }
        # The site's interpreters (settings.GRADER), one grader server each in the service.
        import grader  # noqa: PLC0415

        interpreters = grader.configuration().interpreters
        if interpreters:
            environment["GRADER_INTERPRETERS"] = os.pathsep.join(interpreters)
        # Its log goes next to its socket: it outlives the web worker that happened to start
        # it, so it must not hold that worker's output streams open.
        with open(self.socket_path + ".log", "ab") as log_file:
            subprocess.Popen(
                [sys.executable, "-I", "-c", bootstrap, _PROJECT_ROOT, self.socket_path],
                env=environment,
                cwd="/",
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=log_file,
                close_fds=True,
                start_new_session=True,
            )

    def describe(self) -> str:
        return f"local grader service at {self.socket_path}"


def _connected(path: str) -> socket.socket:
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(path)
    except OSError:
        connection.close()
        raise
    return connection


def _default_socket_path() -> str:
    # Per user and per checkout: two projects on one machine do not share a service.
    tag = f"{os.getuid()}-{hashlib.sha256(_PROJECT_ROOT.encode()).hexdigest()[:12]}"
    return os.path.join("/tmp", f"memory-model-grader-{tag}", "grader.sock")


class RedisBackend(Backend):
    """Grader workers (grader/worker.py) behind an RQ queue, on this machine or others.

    The client waits for a job's result for at most the timeout it is given. A job whose worker
    stops beating while it holds the job (killed mid-run) is queued again, up to REQUEUES times,
    for another worker: grader jobs have no side effects, so running one twice is harmless.
    """

    REQUEUES = 2
    POLL_SECONDS = 1  # RQ's blocking read of a result takes whole seconds

    def __init__(self, options: dict):
        super().__init__(options)
        from redis import Redis
        from rq import Queue

        url = options.get("redis_url")
        if not url:
            raise ImproperlyConfigured(
                "The redis grader backend needs settings.GRADER['redis_url'] (GRADER_REDIS_URL)."
            )
        self.url = url
        self.connection = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=10)
        self.queue = Queue(options.get("queue") or "grader", connection=self.connection)
        self._line_queues: dict[str, object] = {}
        self._version: tuple[float, str] | None = None

    def perform(self, job: dict, *, timeout: float) -> dict:
        from redis.exceptions import RedisError

        try:
            return self._perform(job, timeout)
        except RedisError as error:
            raise GraderUnavailable(
                f"the grader queue ({self.describe()}) failed: {error}"
            ) from None

    def _perform(self, job: dict, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        rq_job = self._enqueue(job, timeout)
        requeued = 0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self._give_up(rq_job)
                raise GraderUnavailable(self._no_answer(timeout))
            result = rq_job.latest_result(timeout=max(1, min(self.POLL_SECONDS, int(remaining))))
            if result is not None:
                if result.type != result.Type.SUCCESSFUL:
                    raise GraderUnavailable(f"the grader worker failed: {result.exc_string}")
                return json.loads(result.return_value)
            if requeued < self.REQUEUES and self._abandoned(rq_job):
                requeued += 1
                log.warning(
                    "Grader worker %s stopped during job %s; queued again",
                    rq_job.worker_name,
                    rq_job.id,
                )
                rq_job = self._enqueue(job, deadline - time.monotonic())

    def _give_up(self, rq_job) -> None:
        """Take a job nobody waits for any more off the queue (a started one just finishes)."""
        from rq.exceptions import InvalidJobOperation

        try:
            rq_job.cancel()
        except InvalidJobOperation:
            pass

    def _queue_for(self, job: dict):
        """The default queue, or the queue of the interpreter line the job names."""
        from rq import Queue

        from grader.worker import line_queue

        line = job.get("python")
        if line is None:
            return self.queue
        if line not in self._line_queues:
            name = line_queue(self.queue.name, line)
            self._line_queues[line] = Queue(name, connection=self.connection)
        return self._line_queues[line]

    def _enqueue(self, job: dict, timeout: float):
        return self._queue_for(job).enqueue(
            "grader.worker.perform_job",
            job,
            job_timeout=int(jobs.MAX_WALL_SECONDS * 4),
            ttl=max(1, int(timeout) + 1),  # nobody waits for it after that: never start it
            result_ttl=60,
            failure_ttl=300,
        )

    def _abandoned(self, rq_job) -> bool:
        """Started by a worker that has stopped beating since."""
        from rq.job import JobStatus

        from grader.worker import heartbeat_key

        if rq_job.get_status(refresh=True) != JobStatus.STARTED:
            return False
        rq_job.refresh()
        name = rq_job.worker_name
        return bool(name) and not self.connection.exists(
            heartbeat_key(name), heartbeat_key(name, line_only=True)
        )

    def _no_answer(self, timeout: float) -> str:
        alive = len(self.worker_versions())
        if not alive:
            return (
                f"no grader worker is running (queue {self.queue.name!r} at {self.describe()}); "
                "start one with `python -m grader.worker`"
            )
        return (
            f"no grader worker answered within {timeout:g} seconds ({alive} running, all busy "
            "or stuck); try again in a minute"
        )

    def worker_versions(self, line_only: bool = False) -> dict[str, str]:
        """The living workers' names and Python versions (from their heartbeats): those of the
        default queue, or (`line_only`) those serving one interpreter line's queue only."""
        from grader.worker import HEARTBEAT_PREFIX, LINE_HEARTBEAT_PREFIX

        prefix = LINE_HEARTBEAT_PREFIX if line_only else HEARTBEAT_PREFIX
        keys = list(self.connection.scan_iter(match=prefix + "*", count=100))
        values = self.connection.mget(keys) if keys else []
        return {
            key.decode()[len(prefix) :]: value.decode()
            for key, value in zip(keys, values, strict=True)
            if value is not None
        }

    def python_lines(self) -> list[str]:
        """The default workers' line, then the lines the other living workers serve."""
        from grader.pool import version_line

        default = self.python_version()
        others = {version_line(v) for v in self.worker_versions(line_only=True).values()}
        lines = [version_line(default)] if default else []
        return list(dict.fromkeys([*lines, *sorted(others)]))

    def python_version(self) -> str:
        """The living workers' Python version, asked at most every 30 seconds. Workers of two
        versions at once is a deployment mistake: it is logged, and the newest one counts."""
        from redis.exceptions import RedisError

        now = time.monotonic()
        if self._version is not None and now < self._version[0]:
            return self._version[1]
        try:
            versions = set(self.worker_versions().values())
        except RedisError as error:
            log.warning("Could not ask Redis for the grader workers' Python version: %s", error)
            return ""
        if len(versions) > 1:
            log.error("Grader workers run different Pythons: %s", ", ".join(sorted(versions)))
        version = max(versions, key=_version_key) if versions else ""
        # Kept until a moment given as a monotonic time: "no worker" only briefly, so that a
        # worker starting is seen soon.
        self._version = (now + (30 if version else 5), version)
        return version

    def describe(self) -> str:
        return f"redis queue {self.queue.name!r} at {_without_password(self.url)}"


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    user = f"{parts.username}:***@" if parts.username else "***@"
    return urlunsplit((parts.scheme, user + host, parts.path, parts.query, parts.fragment))
