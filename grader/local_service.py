"""The machine's one grader service, shared by every web process over a Unix socket.

Each gunicorn worker that ran `grader.run` itself would start a grader server of its own (and
three witness servers for output_varies): four web workers, sixteen warm interpreters. With the
site's "local" grader backend (graderclient/backends.py) the first process that needs the grader
starts this service, under a file lock so that only one does, and every process on the machine
sends its jobs here: one grader server per machine, however many web workers.

    python -I -c "...; from grader.local_service import main; main(sys.argv[2:])" ROOT SOCKET

The protocol is one JSON job per connection (grader/jobs.py, checked there) and one JSON reply
line. The socket's directory is private to the user (0700). The service stops by itself after
IDLE_SECONDS without a job, so that no stale copy of the code outlives a deployment for long; the
next job starts a fresh one.
"""

import json
import logging
import os
import socketserver
import threading
import time

from grader import jobs

log = logging.getLogger("grader.local_service")

IDLE_SECONDS = float(os.environ.get("GRADER_LOCAL_IDLE_SECONDS", "600"))
MAX_JOB_BYTES = 4 * jobs.MAX_SOURCE_BYTES + 4096  # the source JSON-escaped, and the rest


class _Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        self.server.last_job = time.monotonic()  # type: ignore[attr-defined]
        line = self.rfile.readline(MAX_JOB_BYTES + 1)
        try:
            if len(line) > MAX_JOB_BYTES:
                raise jobs.InvalidJob("the job is too large")
            reply = jobs.perform(json.loads(line))
        except jobs.NoInterpreter as error:  # a line this machine's grader does not run
            reply = {"unavailable": str(error)}
        except (ValueError, jobs.InvalidJob) as error:  # InvalidJob and bad JSON alike
            reply = {"error": f"invalid job: {error}", "python_version": jobs.PYTHON_VERSION}
        except Exception as error:  # the grader itself failed: say so, keep serving
            log.exception("A grader job failed")
            reply = {"unavailable": f"{type(error).__name__}: {error}"}
        self.wfile.write(json.dumps(reply).encode() + b"\n")
        self.server.last_job = time.monotonic()  # type: ignore[attr-defined]


class _Server(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True
    last_job = 0.0


def serve(socket_path: str) -> None:
    if os.path.exists(socket_path):
        os.unlink(socket_path)  # a dead service's; the caller holds the start lock
    server = _Server(socket_path, _Handler)
    os.chmod(socket_path, 0o600)
    ours = os.stat(socket_path).st_ino
    server.last_job = time.monotonic()

    def stop_when_idle() -> None:
        while time.monotonic() - server.last_job < IDLE_SECONDS:
            time.sleep(min(IDLE_SECONDS, 5.0))
        log.info("No grader job for %s s: the local grader service stops", IDLE_SECONDS)
        server.shutdown()

    threading.Thread(target=stop_when_idle, daemon=True).start()
    try:
        server.serve_forever(poll_interval=0.5)
    finally:
        server.server_close()
        try:  # unless a new service has taken the path meanwhile
            if os.stat(socket_path).st_ino == ours:
                os.unlink(socket_path)
        except FileNotFoundError:
            pass


def main(argv: list[str]) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    [socket_path] = argv
    serve(socket_path)
