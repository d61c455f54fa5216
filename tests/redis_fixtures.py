"""A throwaway Redis server and grader workers, started the way they run in production: each
worker with only its Redis URL in its environment. Test folders that need them import the
fixtures in their conftest.py."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WORKER_BOOTSTRAP = (
    "import sys; sys.path.insert(0, sys.argv[1]); from grader.worker import main; main()"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def grader_server_pid(worker_pid: int) -> int:
    """The worker's grader server: its child in a session of its own (grader.pool)."""
    children = Path(f"/proc/{worker_pid}/task/{worker_pid}/children").read_text().split()
    [server] = [int(pid) for pid in children if os.getsid(int(pid)) == int(pid)]
    return server


def session_processes(session: int) -> list[int]:
    """The processes left in a session (a grader server's and its children's)."""
    left = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.getsid(int(entry)) == session:
                    left.append(int(entry))
            except ProcessLookupError:
                pass
    return left


@pytest.fixture
def redis_url(tmp_path):
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    from redis import Redis

    port = free_port()
    server = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    connection = Redis.from_url(url)

    def answers():
        try:
            return connection.ping()
        except Exception:
            return False

    try:
        wait_for(answers, 20, "redis-server to answer")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)


class Workers:
    def __init__(self, url: str, queue: str, log_dir: Path):
        self.url, self.queue, self.log_dir = url, queue, log_dir
        self.processes: dict[str, subprocess.Popen] = {}

    def start(
        self, name: str, python: str | None = None, wait: bool = True, env: dict | None = None
    ) -> subprocess.Popen:
        """A worker of the default interpreter, or (`python`) of that interpreter's line only,
        with `env` added to its environment; once it serves, unless not `wait`."""
        from redis import Redis

        from grader.worker import heartbeat_key

        process = subprocess.Popen(
            [sys.executable, "-I", "-c", WORKER_BOOTSTRAP, str(ROOT)],
            env={
                "GRADER_REDIS_URL": self.url,
                "GRADER_QUEUE": self.queue,
                "GRADER_WORKER_NAME": name,
                "GRADER_POOL_SIZE": "1",
                **({"GRADER_PYTHON": python} if python else {}),
                **(env or {}),
            },
            stdout=subprocess.DEVNULL,
            stderr=(self.log_dir / f"worker-{name}.log").open("ab"),
        )
        self.processes[name] = process
        if not wait:
            return process
        connection = Redis.from_url(self.url)
        # A worker starts its grader server first, which takes long on a busy machine.
        try:
            key = heartbeat_key(name, line_only=bool(python))
            wait_for(lambda: connection.exists(key), 240, f"worker {name}")
        except AssertionError:
            log = self.log(name)[-2000:]
            raise AssertionError(f"worker {name} did not start; its log:\n{log}") from None
        return process

    def log(self, name: str) -> str:
        return (self.log_dir / f"worker-{name}.log").read_text()

    def kill(self, name: str) -> None:
        process = self.processes[name]
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=20)

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def grader_workers(redis_url, tmp_path):
    workers = Workers(redis_url, "grader-test", tmp_path)
    try:
        yield workers
    finally:
        workers.stop_all()
