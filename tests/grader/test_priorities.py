"""The grader server runs its forks and idle children at a lower priority than the runs, which
take the caller's priority back, only where it may: as root, or unprivileged with an RLIMIT_NICE
that lets a run return to niceness 0 (the systemd unit's LimitNICE=20). Otherwise all stay equal.

Each case drops privileges for real in a fresh process (root needed to do so) and asks
grader.server.Server.yield_to_runs, then checks that a forked child can take niceness 0 back, as
a child about to run a snippet does."""

import os
import subprocess
import sys

import pytest

from grader.sandbox import UNPRIVILEGED_ID
from tests.grader.test_isolation import PROJECT_ROOT

AS_NOBODY = """\
import os, resource, sys, types
sys.path.insert(0, sys.argv[1])
from grader.server import Server
nice_limit = int(sys.argv[2])
try:
    resource.setrlimit(resource.RLIMIT_NICE, (nice_limit, nice_limit))
except ValueError:  # a root without CAP_SYS_RESOURCE (a container) cannot raise it
    sys.exit(3)
os.setgroups([])
os.setgid(int(sys.argv[3]))
os.setuid(int(sys.argv[3]))
server = types.SimpleNamespace(run_niceness=None)
print(Server.yield_to_runs(server))
pid = os.fork()
if pid == 0:
    try:
        os.setpriority(os.PRIO_PROCESS, 0, 0)
    except PermissionError:
        os._exit(1)
    os._exit(0)
print("child back at 0" if os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0 else "child stuck")
"""

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="dropping privileges needs root")


def as_nobody(nice_limit: int) -> list[str]:
    ran = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            AS_NOBODY,
            PROJECT_ROOT,
            str(nice_limit),
            str(UNPRIVILEGED_ID),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if ran.returncode == 3:
        pytest.skip(f"this root may not raise RLIMIT_NICE to {nice_limit} (no CAP_SYS_RESOURCE)")
    assert ran.returncode == 0, ran.stderr
    return ran.stdout.splitlines()


def test_allow_an_unprivileged_server_with_limit_nice_20_splits_the_priorities():
    said, child = as_nobody(20)
    assert said == "runs at niceness 0, server and idle children at 10"
    assert child == "child back at 0"


def test_deny_an_unprivileged_server_without_limit_nice_keeps_all_equal():
    said, _child = as_nobody(0)
    assert said == "all at niceness 0 (unprivileged)"
