"""End to end through the running cluster (scripts/cluster.sh; `make test-cluster` starts it, runs
this, and stops it): two gunicorn web processes on PostgreSQL, grader workers behind Redis.

Skipped unless the cluster is up (CLUSTER_WEB_URLS names its two web processes), so a plain
`make test` passes without it.
"""

import os
import re
import signal
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from grader import Limits, jobs
from tests.grader.conftest import run_in_cpython

ROOT = Path(__file__).resolve().parents[2]
STATE = ROOT / "var" / "cluster"
WEB = os.environ.get("CLUSTER_WEB_URLS", "").split()

pytestmark = [
    pytest.mark.cluster,
    pytest.mark.skipif(
        len(WEB) != 2, reason="the cluster is not running (make test-cluster starts it)"
    ),
]

PASSWORD = "memory-model"  # seed_demo's demo accounts  # noqa: S105
QUIZ = "identity-practice"  # fixtures/quizzes.toml
SNIPPET = "a = [1, 2]\nb = a[:]\nb.append(3)\nprint(a, b, a is b)\n"


def cluster_env() -> dict:
    pairs = (line.split("=", 1) for line in (STATE / "env").read_text().splitlines() if line)
    return dict(pairs)


class Browser:
    """A user's browser: cookies, CSRF tokens from forms, redirects followed."""

    def __init__(self):
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(self, url: str) -> tuple[str, str]:
        with self.opener.open(url, timeout=120) as response:
            return response.geturl(), response.read().decode()

    def post_form(self, page_url: str, action: str, fields: dict) -> tuple[str, str]:
        """Load `page_url`, then post `fields` with its CSRF token to `action`."""
        _, page = self.get(page_url)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}, doseq=True)
        request = urllib.request.Request(action, data=data.encode(), headers={"Referer": page_url})
        with self.opener.open(request, timeout=180) as response:
            return response.geturl(), response.read().decode()

    def log_in(self, web: str, username: str) -> None:
        url, _ = self.post_form(
            f"{web}/accounts/login/",
            f"{web}/accounts/login/",
            {"username": username, "password": PASSWORD},
        )
        assert "/accounts/login/" not in url, f"{username} could not log in"


def database():
    import psycopg

    url = urllib.parse.urlsplit(cluster_env()["DATABASE_URL"])
    host = urllib.parse.unquote(url.hostname or "")
    return psycopg.connect(host=host, port=url.port, user="postgres", dbname="postgres")


def grader_queue():
    from graderclient.backends import RedisBackend

    return RedisBackend({"redis_url": cluster_env()["REDIS_URL"], "queue": "grader"})


def test_a_quiz_started_and_submitted_on_one_web_process_shows_its_result_on_the_other():
    web1, web2 = WEB
    student = Browser()
    student.log_in(web1, "student")
    url, _ = student.post_form(f"{web1}/quizzes/{QUIZ}/", f"{web1}/quizzes/{QUIZ}/start/", {})
    attempt = re.search(r"/attempts/(\d+)/", url).group(1)
    url, _ = student.post_form(
        f"{web1}/attempts/{attempt}/submit/", f"{web1}/attempts/{attempt}/submit/", {}
    )
    assert url.endswith(f"/attempts/{attempt}/result/")
    other_url, page = student.get(f"{web2}/attempts/{attempt}/result/")
    assert other_url == f"{web2}/attempts/{attempt}/result/"  # the session holds on web 2 too
    assert "Score" in page or "score" in page


def test_a_question_saved_in_the_admin_gets_its_key_from_a_grader_worker():
    from rq import Worker

    web1, _ = WEB
    queue = grader_queue()
    done_before = sum(w.successful_job_count for w in Worker.all(connection=queue.connection))
    with database() as db:
        topic = db.execute("SELECT id FROM quizzes_topic ORDER BY id LIMIT 1").fetchone()[0]
        db.execute("DELETE FROM quizzes_question WHERE slug = 'cluster-check'")
    instructor = Browser()
    instructor.log_in(web1, "instructor")
    add = f"{web1}/admin/quizzes/question/add/"
    url, page = instructor.post_form(
        add,
        add,
        {
            "topic": topic,
            "title": "Cluster check",
            "slug": "cluster-check",
            "answer_mode": "typed",
            "difficulty": 1,
            "prompt": "What does this print?",
            "snippet": SNIPPET,
            "explanation": "A slice is a new list.",
            "choices-TOTAL_FORMS": 0,
            "choices-INITIAL_FORMS": 0,
            "choices-MIN_NUM_FORMS": 0,
            "choices-MAX_NUM_FORMS": 1000,
            "_save": "Save",
        },
    )
    assert url.endswith("/admin/quizzes/question/"), re.findall(r"errornote.*|errorlist.*", page)
    with database() as db:
        key, version = db.execute(
            "SELECT answer_key, key_python_version FROM quizzes_question "
            "WHERE slug = 'cluster-check'"
        ).fetchone()
    assert key["stdout"] == run_in_cpython(SNIPPET).stdout
    assert version == queue.python_version() == key["python_version"]
    done_after = sum(w.successful_job_count for w in Worker.all(connection=queue.connection))
    assert done_after >= done_before + 4  # the run, the witnesses' check, the collector, the trace


def test_each_grader_worker_and_its_runs_have_a_cpu_of_their_own():
    """scripts/cluster.sh binds grader worker N to the Nth CPU (GRADER_CPUS) when there are as
    many CPUs as workers: its grader server and sandboxed runs inherit it. (Before the test that
    kills a worker.)"""
    usable = sorted(os.sched_getaffinity(0))
    pidfiles = sorted(STATE.glob("grader-*.pid"), key=lambda path: int(path.stem.split("-")[1]))
    assert len(pidfiles) >= 2
    if len(usable) < len(pidfiles):
        pytest.skip(f"{len(pidfiles)} grader workers, {len(usable)} CPUs: cluster.sh binds none")
    for number, pidfile in enumerate(pidfiles):
        worker = int(pidfile.read_text())
        # Its grader servers (one per interpreter it has run jobs for) and their children.
        cpus = affinities(descendants(worker))
        assert len(cpus) > 1 + 2  # a server and its idle children at least
        assert cpus == dict.fromkeys(cpus, {usable[number]})


def affinities(pids: set[int]) -> dict[int, set[int]]:
    """Each process's CPUs, but those that ended meanwhile."""
    found = {}
    for pid in pids:
        try:
            found[pid] = os.sched_getaffinity(pid)
        except ProcessLookupError:
            pass
    return found


def test_a_grader_worker_killed_mid_run_leaves_the_job_to_the_other():
    from rq.registry import StartedJobRegistry

    queue = grader_queue()
    assert len(queue.worker_versions()) == 2
    slow = "print(sum(range(3 * 10**7)))\n"
    replies = []
    waiting = threading.Thread(
        target=lambda: replies.append(
            queue.perform(
                jobs.make_job("run", slow, limits=Limits(cpu_seconds=10, wall_seconds=30)),
                timeout=180,
            )
        )
    )
    waiting.start()
    registry = StartedJobRegistry(queue=queue.queue)
    deadline = time.monotonic() + 60
    while not registry.get_job_ids():
        assert time.monotonic() < deadline, "no worker started the job"
        time.sleep(0.02)
    [job_id] = registry.get_job_ids()
    victim = queue.queue.fetch_job(job_id.split(":")[0]).worker_name
    os.kill(int((STATE / f"{victim}.pid").read_text()), signal.SIGKILL)
    waiting.join(timeout=200)
    [reply] = replies
    assert reply["worker"] != victim
    assert reply["outcome"]["stdout"] == run_in_cpython(slow).stdout


def gunicorn_workers(port: int) -> int:
    master = (STATE / f"web-{port}.pid").read_text().strip()
    return len(Path(f"/proc/{master}/task/{master}/children").read_text().split())


def test_the_web_processes_share_the_machine_s_cpus():
    """Two sync workers per CPU in all (scripts/cluster.sh): the web processes, started as on
    machines of their own, are on this one together, and twice as many processes taking turns
    on the CPUs served an exam's start more slowly (loadtest/README.md)."""
    ports = [urllib.parse.urlsplit(url).port for url in WEB]
    expected = int(
        os.environ.get("CLUSTER_WEB_WORKERS") or -(-2 * len(os.sched_getaffinity(0)) // len(WEB))
    )
    assert [gunicorn_workers(port) for port in ports] == [expected] * len(ports)


def test_each_recorded_pid_is_its_process_own():
    """`cluster.sh stop` signals the pids it recorded: each must be the process itself, not the
    shell that started it in the background (stopping that shell left the rqworker running).
    A grader worker the tests above killed has no process left to look at."""
    checked = []
    for pidfile in sorted(STATE.glob("*.pid")):
        if pidfile.stem.startswith(("redis", "web-")):
            continue  # written by redis-server and gunicorn themselves
        cmdline = Path(f"/proc/{pidfile.read_text().strip()}/cmdline")
        if not cmdline.exists():
            assert pidfile.stem.startswith("grader-"), f"{pidfile.name}: no such process"
            continue
        command = cmdline.read_bytes().split(b"\0")
        assert b"python" in os.path.basename(command[0]), (pidfile.name, command)
        checked.append(pidfile.stem)
    assert "tasks" in checked


def descendants(pid: int) -> set[int]:
    """`pid` and every process under it (a grader worker's grader server and its sandboxed
    children, gunicorn's workers, PostgreSQL's backends)."""
    found, todo = set(), [pid]
    while todo:
        current = todo.pop()
        if current in found or not Path(f"/proc/{current}").exists():
            continue
        found.add(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                todo.extend(int(child) for child in (task / "children").read_text().split())
            except FileNotFoundError:
                pass  # the task ended meanwhile
    return found


def running(pids: set[int]) -> dict[int, str]:
    """Those of `pids` still running (a zombie has exited), with their command lines."""
    left = {}
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
        except FileNotFoundError:
            continue
        if "\nState:\tZ" not in status:
            left[pid] = command.decode(errors="replace")
    return left


def test_stop_leaves_no_process_of_the_cluster_behind():
    """Last in this file, as it stops the cluster: after `cluster.sh stop` returns, nothing it
    started runs any more: not the web processes and their workers, the task worker, the grader
    workers and their grader servers (in sessions of their own), Redis or PostgreSQL."""
    roots = [int(pidfile.read_text().split()[0]) for pidfile in STATE.glob("*.pid")]
    postmaster = Path((STATE / "pg-dir").read_text().strip()) / "postmaster.pid"
    roots.append(int(postmaster.read_text().split()[0]))
    processes = set().union(*(descendants(pid) for pid in roots))
    servers = [pid for pid in processes if os.getsid(pid) == pid and pid not in roots]
    assert servers, "the grader workers' grader servers are among the processes looked at"
    started = time.monotonic()
    stopping = subprocess.run(
        [ROOT / "scripts" / "cluster.sh", "stop"], capture_output=True, text=True, timeout=180
    )
    assert stopping.returncode == 0, stopping.stderr
    assert "did not stop" not in stopping.stderr, stopping.stderr
    assert running(processes) == {}, f"left after {time.monotonic() - started:.1f} s"
