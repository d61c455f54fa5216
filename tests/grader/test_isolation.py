"""Isolation: where snippets run, what they can reach, and how the grader survives their deaths.

The OS-level confinement is checked twice: on the real children of the real server, through
/proc (what a running snippet's process is allowed), and by calling the child-side functions of
`grader.sandbox` in a fresh subprocess, with and without confinement, so the same probe is shown
to see fork, file writes and network when they are allowed (the tests bite) and not when the
sandbox is in force. Snippets cannot reach any of this: they cannot import os or grader.
"""

import json
import logging
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import grader
from grader import pool, wire

PROJECT_ROOT = str(Path(grader.__file__).resolve().parent.parent)
BUSY = "while True:\n    pass\n"


def server_pid() -> int:
    return pool.server_hello()["pid"]


def children_of(pid: int) -> list[int]:
    try:
        listed = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except FileNotFoundError:
        return []
    return [int(child) for child in listed.split()]


def stat_fields(pid: int) -> list[str]:
    """/proc/PID/stat's fields after the command name (state first); FileNotFoundError (or
    ProcessLookupError, when it goes between the open and the read) once the process is gone."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def state_of(pid: int) -> tuple[str, float]:
    """The process's state letter and the CPU seconds it has used."""
    try:
        fields = stat_fields(pid)
    except (FileNotFoundError, ProcessLookupError):
        return "gone", 0.0
    return fields[0], (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# The tests below look at a BUSY snippet's process while it runs: it ends on its CPU limit (1-2
# s of CPU), and its wall limit is long enough for a loaded machine, where 0.1 s of CPU (how a
# busy child is told from a warming-up idle one) can take seconds to accumulate; a short wall
# limit ended the run before the test had seen it (CI, load average ~20 on 2 cores).
PATIENT_WALL_SECONDS = 60


def running_children(count: int = 1, timeout: float = PATIENT_WALL_SECONDS) -> list[int]:
    """Children of the server busy with a snippet: idle ones sleep, waiting for their source,
    after a few milliseconds of warming up."""
    give_up = time.monotonic() + timeout
    while time.monotonic() < give_up:
        states = [(pid, *state_of(pid)) for pid in children_of(server_pid())]
        busy = [pid for pid, state, cpu in states if state == "R" and cpu >= 0.1]
        if len(busy) >= count:
            return busy
        time.sleep(0.01)
    raise AssertionError(f"fewer than {count} running children")


def fd_kind(proc: Path, fd: str) -> str:
    target = os.readlink(proc / "fd" / fd)
    flags = int((proc / "fdinfo" / fd).read_text().split("flags:")[1].split()[0], 8)
    library = os.path.join(os.path.realpath(sys.base_prefix), "")  # this very interpreter's
    if flags & os.O_PATH and target in sys.path and target.startswith(library):
        return "library directory"
    return target


def in_background(source: str, limits: grader.Limits):
    result = {}

    def target():
        result["outcome"] = grader.run(source, limits=limits)

    thread = threading.Thread(target=target)
    thread.start()
    return thread, result


def test_server_has_an_empty_environment_isolated_mode_and_no_django():
    pid = server_pid()
    assert Path(f"/proc/{pid}/environ").read_bytes() == b""
    assert b"-I" in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    assert os.listdir(f"/proc/{pid}/cwd") == []
    hello = pool.server_hello()
    assert hello["environment"] == []
    assert hello["django_modules"] == []


def test_a_running_snippets_process_is_confined():
    limits = grader.Limits(cpu_seconds=1.5, wall_seconds=PATIENT_WALL_SECONDS)
    thread, result = in_background(BUSY, limits)
    (child,) = running_children()[:1]
    proc = Path(f"/proc/{child}")
    environment = (proc / "environ").read_bytes()
    status = (proc / "status").read_text()
    table = (proc / "limits").read_text()
    open_fds = {int(fd): fd_kind(proc, fd) for fd in os.listdir(proc / "fd")}
    workdir = os.listdir(proc / "cwd") if os.geteuid() == 0 else []
    thread.join()
    assert environment == b""
    if os.geteuid() == 0:  # root-started graders run snippets as nobody
        assert status.split("Uid:")[1].split()[:2] == ["65534", "65534"]
    assert workdir == []
    # The request pipe, the result pipe, /dev/null for stderr, and the library's directories,
    # opened to read through only (O_PATH: see sandbox.open_library_dirs).
    assert {fd for fd, kind in open_fds.items() if kind != "library directory"} <= {0, 1, 2}
    rows = {line[:26].strip(): line[26:].split() for line in table.splitlines()[1:]}
    assert rows["Max processes"][:2] == ["0", "0"]
    assert rows["Max file size"][:2] == ["0", "0"]
    assert rows["Max open files"][:2] == ["16", "16"]
    assert rows["Max core file size"][:2] == ["0", "0"]
    assert rows["Max cpu time"][:2] == ["2", "3"]
    assert rows["Max address space"][:2] == [str(256 * 1024 * 1024)] * 2
    assert result["outcome"].status == "timeout"


PROBE = """\
import json, sys
sys.path.insert(0, sys.argv[1])
from grader import sandbox
network = sandbox.cut_network() if sys.argv[3] == "confined" else "not cut"
if sys.argv[3] == "confined":
    sandbox.confine(sys.argv[2])
    sandbox.apply_run_limits(2, 256)
print(json.dumps({"network": network, **sandbox.probe(256)}))
"""


def probe_in_subprocess(mode: str) -> dict:
    with tempfile.TemporaryDirectory() as workdir:
        os.chmod(workdir, 0o555)
        completed = subprocess.run(
            [sys.executable, "-I", "-c", PROBE, PROJECT_ROOT, workdir, mode],
            env={},
            cwd=workdir,
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
    return json.loads(completed.stdout)


def test_the_probe_sees_fork_and_file_writes_when_not_confined():
    report = probe_in_subprocess("free")
    assert report["fork"].startswith("allowed")
    assert report["allocate_memory_limit"].startswith("allowed")
    if os.geteuid() == 0:  # root may write into the read-only directory
        assert report["file_write"].startswith("allowed")


def test_a_confined_process_cannot_fork_write_connect_or_outgrow_its_memory():
    report = probe_in_subprocess("confined")
    assert report["environment"] == []
    for capability in ("fork", "file_write", "allocate_memory_limit"):
        assert report[capability].startswith("denied"), (capability, report[capability])
    if report["network"] == "empty network namespace":
        assert report["connect_out"].startswith("denied")


def test_the_server_checked_the_sandbox_at_start_up():
    in_force = pool.server_hello()["in_force"]
    for capability in ("fork", "file_write", "allocate_memory_limit"):
        assert in_force[capability].startswith("denied")
    assert in_force["environment"] == []
    if os.geteuid() == 0:
        assert in_force["network"] == "empty network namespace"
        assert in_force["connect_out"].startswith("denied")


MUTATIONS = {
    "gc_disabled": ("import gc\ngc.disable()\n", "import gc\nprint(gc.isenabled())\n"),
    "stand_in_member": (
        "import copy\ncopy.copy = None\n",
        "import copy\nprint(copy.copy is None)\n",
    ),
    "stand_in_attribute": (
        "import weakref\nweakref.marker = 'left behind'\n",
        "import weakref\nprint(weakref.marker)\n",
    ),
}


@pytest.mark.parametrize("first, second", MUTATIONS.values(), ids=MUTATIONS.keys())
def test_what_one_run_changes_is_not_seen_by_the_next(first, second, cpython):
    changed = grader.run(first)
    assert (changed.status, changed.exception) == ("ok", cpython(first).exception)
    outcome = grader.run(second)
    expected = cpython(second)  # the second snippet alone, in a fresh interpreter
    assert (outcome.stdout, outcome.exception) == (expected.stdout, expected.exception)


def test_a_killed_server_is_replaced(assert_grader_serves):
    old = server_pid()
    os.kill(old, signal.SIGKILL)
    while state_of(old)[0] not in ("Z", "gone"):  # the kill has taken effect
        time.sleep(0.01)
    assert_grader_serves()
    assert server_pid() != old


def niceness_of(pid: int) -> int:
    return int(stat_fields(pid)[16])


def test_a_run_has_the_callers_priority_and_the_servers_bookkeeping_yields_to_it():
    thread, result = in_background(
        BUSY, grader.Limits(cpu_seconds=1, wall_seconds=PATIENT_WALL_SECONDS)
    )
    (child,) = running_children()[:1]
    child_niceness, server_niceness = niceness_of(child), niceness_of(server_pid())
    thread.join()
    ours = os.getpriority(os.PRIO_PROCESS, 0)
    assert child_niceness == ours
    if os.geteuid() == 0:  # only a privileged server can give its children the priority back
        assert server_niceness == ours + 10
        assert pool.server_hello()["in_force"]["priorities"].startswith("runs at niceness")


REPLACED = re.compile(
    r"The grader server replaced sandboxed process (\d+), which died idle: killed by SIGKILL"
)


def test_killed_idle_children_are_replaced(assert_grader_serves, caplog):
    grader.configure(pool_size=1)  # every idle child is the one connection's: its run reads
    assert_grader_serves()  # the server's notices
    idle = children_of(server_pid())
    for child in idle:
        os.kill(child, signal.SIGKILL)
    give_up = time.monotonic() + 10
    while any(state_of(child)[0] != "gone" for child in idle):
        assert time.monotonic() < give_up, "the server did not reap its killed children"
        time.sleep(0.01)  # dead, not yet reaped by the server
    assert_grader_serves()
    # The connection's two children ahead (a child that ran the last snippet may be among the
    # killed too: it was not idle, so it is not replaced).
    replaced = {
        int(match[1])
        for record in caplog.records
        if record.name == "grader.pool"
        and record.levelname == "WARNING"
        and (match := REPLACED.fullmatch(record.getMessage()))
    }
    assert len(replaced) >= 2 and replaced <= set(idle)


def pool_warnings(caplog) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "grader.pool" and record.levelno >= logging.WARNING
    ]


def idle_children_of_the_one_connection(count: int) -> list:
    """`count` idle children the server has handed the pool's one connection, taken from it (the
    pool will not use them)."""
    grader.configure(pool_size=1)
    grader.run("print(1)")
    (connection,) = pool._current_server().connections
    give_up = time.monotonic() + 10
    while len(connection.ready) < count:
        assert time.monotonic() < give_up, "the server handed no idle child"
        connection._receive(block=True)
    return [connection.ready.popleft() for _ in range(count)]


def test_children_ending_normally_are_not_reported(caplog):
    """A child that ran its snippet exits with status 0, often before the server (at a lower
    priority) has read that its run started; that is no child "replaced" (it was reported as one,
    a WARNING per child, on every batch of runs)."""
    # The collector check runs a dozen short variants in a row: the race shows there (before
    # this was fixed: a few warnings in every check or two).
    grader.configure(pool_size=1)
    for n in range(4):
        assert grader.collector_dependent(f"import gc\nprint(gc.collect(), {n})") == []
    assert pool_warnings(caplog) == []


def test_an_idle_child_its_caller_closes_unused_ends_without_a_warning(
    assert_grader_serves, caplog
):
    for child in idle_children_of_the_one_connection(2):
        child.close()  # its request pipe's end: the child reads no request and exits
        give_up = time.monotonic() + 10
        while state_of(child.pid)[0] != "gone":
            assert time.monotonic() < give_up, "the idle child did not end"
            time.sleep(0.01)
    assert_grader_serves()
    assert pool_warnings(caplog) == []


def test_an_idle_child_that_fails_is_reported_with_its_exit_status(assert_grader_serves, caplog):
    (child,) = idle_children_of_the_one_connection(1)
    wire.write_frame(child.request_fd, b"{not json")  # a request the child cannot decode
    child.close()
    give_up = time.monotonic() + 10
    while state_of(child.pid)[0] != "gone":
        assert time.monotonic() < give_up, "the idle child did not end"
        time.sleep(0.01)
    assert_grader_serves()
    assert pool_warnings(caplog) == [
        f"The grader server replaced sandboxed process {child.pid}, which died idle: "
        "exited with status 70"
    ]


def test_a_child_dying_of_a_signal_is_reported_as_crashed(assert_grader_serves):
    thread, result = in_background(
        BUSY, grader.Limits(cpu_seconds=2, wall_seconds=PATIENT_WALL_SECONDS)
    )
    os.kill(running_children()[0], signal.SIGSEGV)
    thread.join()
    outcome = result["outcome"]
    assert outcome.status == "crashed"
    assert outcome.reasons == ("the snippet's process was killed by SIGSEGV",)
    assert_grader_serves()


def test_a_server_dying_during_a_run_gives_crashed_then_serves_again(assert_grader_serves, caplog):
    thread, result = in_background(
        BUSY, grader.Limits(cpu_seconds=2, wall_seconds=PATIENT_WALL_SECONDS)
    )
    running_children()
    os.kill(server_pid(), signal.SIGKILL)
    thread.join()
    assert result["outcome"].status == "crashed"
    assert_grader_serves()
    logged = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "grader.pool"]
    assert logged[0] == (
        "WARNING",
        "The grader server stopped during a run; a new one starts for the next",
    )
    assert logged[1][0] == "INFO" and logged[1][1].startswith("Grader server ")


def test_runs_proceed_concurrently_up_to_the_pool_size():
    grader.configure(pool_size=2)
    limits = grader.Limits(cpu_seconds=1, wall_seconds=PATIENT_WALL_SECONDS)
    threads = [in_background(BUSY, limits) for _ in range(2)]
    assert len(running_children(count=2)) == 2
    for thread, result in threads:
        thread.join()
        assert result["outcome"].status == "timeout"


CONCURRENT = [
    f"items = list(range({n}))\nalias = items\nalias.append({n})\n"
    f"print(len(items), items is alias, sum(items))\n"
    for n in range(12)
] + ["print(1 / 0)\n", "print({[]: 1})\n"]


def test_concurrent_callers_each_get_their_own_correct_outcome(cpython):
    with ThreadPoolExecutor(max_workers=len(CONCURRENT)) as executor:
        outcomes = list(executor.map(grader.run, CONCURRENT))
        expected = list(executor.map(cpython, CONCURRENT))
    assert [(o.stdout, o.exception) for o in outcomes] == [
        (e.stdout, e.exception) for e in expected
    ]


def test_pool_size_must_be_positive():
    with pytest.raises(ValueError, match="pool_size must be a positive integer"):
        grader.configure(pool_size=0)


LAZY_IMPORTS = {
    "utf-16 codec": 'print("é".encode("utf-16"), "abc".encode("utf-32-le"))\n',
    "named escape": 'print("\\N{GREEK SMALL LETTER ALPHA}", len("\\N{SNOWMAN}"))\n',
    "charmap codecs": 'print(b"\\x80\\xe9".decode("cp437"), b"\\x80".decode("cp1252"))\n',
    "multibyte codecs": 'print("日本".encode("shift_jis"), "日本".encode("gb18030"))\n',
    "idna and punycode": 'print("bücher.example".encode("idna"), "ü".encode("punycode"))\n',
    "unknown codec": 'print("x".encode("no-such-codec"))\n',
}


@pytest.mark.parametrize("source", LAZY_IMPORTS.values(), ids=LAZY_IMPORTS.keys())
def test_the_unprivileged_child_imports_the_standard_library_as_a_script_does(source, cpython):
    """Codec modules and unicodedata load lazily in the child, which may not read the library's
    directory (a pyenv under /root), through the directory fds the server opened for it."""
    outcome, expected = grader.run(source), cpython(source)
    assert (outcome.stdout, outcome.exception) == (expected.stdout, expected.exception)


def test_the_server_checks_itself_with_the_default_limits_and_never_imports_dataclasses():
    """The server keeps its own copy of the default limits so as not to import grader.outcome
    (dataclasses pull in inspect: a megabyte of heap that every fork would copy)."""
    from dataclasses import asdict

    from grader.constants import DEFAULT_LIMITS

    assert DEFAULT_LIMITS == asdict(grader.Limits())
    completed = subprocess.run(
        [sys.executable, "-I", "-c", CHECK_IMPORTS, PROJECT_ROOT],
        env={},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(completed.stdout) == []


CHECK_IMPORTS = """\
import json, sys
sys.path.insert(0, sys.argv[1])
import grader.server, grader.execute, grader.policy
print(json.dumps([m for m in ("dataclasses", "inspect", "grader.outcome") if m in sys.modules]))
"""
