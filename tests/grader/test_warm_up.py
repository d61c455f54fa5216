"""An idle child warms up only on a free CPU (grader.server._cpu_free): where every CPU is busy
with runs, its warm-up's CPU time would only slow them down (make grader-throughput: two workers
each bound to a CPU served more jobs once their children stopped warming up there).

Each check runs in a fresh process as the grader server's children do: forked, then asking at
once, at the server's lower priority (it runs at niceness 10 when it may take it back for runs).
"""

import os
import subprocess
import sys

from tests.grader.test_isolation import PROJECT_ROOT, state_of
from tests.redis_fixtures import wait_for

TRIALS = 10
# Forks TRIALS children bound to one CPU, at niceness 10, each of which prints whether it found
# a CPU free; the parent waits for each, so nothing of its own competes for that CPU.
ASK = """\
import os, sys
sys.path.insert(0, sys.argv[1])
from grader import server
os.sched_setaffinity(0, {int(sys.argv[2])})
os.nice(10)
for _ in range(int(sys.argv[3])):
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.write(write, b"1" if server._cpu_free() else b"0")
        os._exit(0)
    os.waitpid(pid, 0)
    os.close(write)
    print(os.read(read, 1).decode(), end="")
"""
BUSY_LOOP = "import os, sys\nos.sched_setaffinity(0, {int(sys.argv[1])})\nwhile True:\n    pass\n"


def answers(cpu: int) -> str:
    asked = subprocess.run(
        [sys.executable, "-I", "-c", ASK, PROJECT_ROOT, str(cpu), str(TRIALS)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return asked.stdout


def test_allow_a_child_finds_its_cpu_free_when_nothing_else_wants_it():
    cpu = max(os.sched_getaffinity(0))
    found = answers(cpu)
    assert len(found) == TRIALS
    # A free CPU answers "free" but for another process's rare wake-up on it meanwhile.
    assert found.count("1") >= TRIALS - 2, found


def test_deny_a_child_finds_no_cpu_free_when_a_run_keeps_its_cpu_busy():
    cpu = max(os.sched_getaffinity(0))
    busy = subprocess.Popen([sys.executable, "-I", "-c", BUSY_LOOP, str(cpu)])
    try:
        wait_for(lambda: state_of(busy.pid)[1] >= 0.1, 30, "the busy loop to spin")
        found = answers(cpu)
    finally:
        busy.kill()
        busy.wait()
    assert found == "0" * TRIALS
