"""GRADER_CPUS binds a grader worker, its grader server and every sandboxed run to the CPUs it
names (several workers on one machine each get CPUs of their own); a value that is not a CPU list
of this machine stops the worker at start, saying why, before it takes any job."""

import os

import pytest

from grader import jobs
from grader.worker import parse_cpu_list
from graderclient.backends import RedisBackend
from tests.grader.conftest import run_in_cpython
from tests.grader.test_isolation import children_of
from tests.helpers import ALIASING_SNIPPET
from tests.redis_fixtures import grader_server_pid, wait_for


@pytest.mark.parametrize(
    "spec, cpus",
    [("0", {0}), ("0-3", {0, 1, 2, 3}), ("0,2-3", {0, 2, 3}), (" 1 , 4 ", {1, 4}), ("2-2", {2})],
)
def test_allow_a_linux_cpu_list(spec, cpus):
    assert parse_cpu_list(spec) == cpus


@pytest.mark.parametrize("spec", ["", "x", "1-", "-1", "3-1", "0,,1", "1.5", "0-1-2"])
def test_deny_what_is_not_a_cpu_list(spec):
    with pytest.raises(ValueError):
        parse_cpu_list(spec)


def test_allow_a_bound_worker_runs_its_snippets_on_its_cpu_only(grader_workers):
    cpu = max(os.sched_getaffinity(0))
    worker = grader_workers.start("bound", env={"GRADER_CPUS": str(cpu)})
    server = grader_server_pid(worker.pid)
    # The idle children ahead of demand, forked by the server for the next runs.
    idle_children = wait_for(lambda: children_of(server), 60, "the server's idle children")
    for pid in [worker.pid, server, *idle_children]:
        assert os.sched_getaffinity(pid) == {cpu}, pid
    reply = RedisBackend({"redis_url": grader_workers.url, "queue": "grader-test"}).perform(
        jobs.make_job("run", ALIASING_SNIPPET), timeout=60
    )
    assert reply["worker"] == "bound"
    assert reply["outcome"]["stdout"] == run_in_cpython(ALIASING_SNIPPET).stdout
    assert f"on CPUs [{cpu}]" in grader_workers.log("bound")


def test_allow_an_unbound_worker_keeps_every_cpu_it_was_given(grader_workers):
    worker = grader_workers.start("free")
    server = grader_server_pid(worker.pid)
    assert os.sched_getaffinity(server) == os.sched_getaffinity(0)
    assert "on any CPU" in grader_workers.log("free")


@pytest.mark.parametrize(
    "spec, reason",
    [
        ("first", "is not a CPU list"),
        ("1-0", "is not a CPU list"),
        (str(os.cpu_count() or 1), "names CPUs"),  # one past the last: not this machine's
    ],
)
def test_deny_a_worker_whose_grader_cpus_it_cannot_use(grader_workers, spec, reason):
    worker = grader_workers.start("misbound", wait=False, env={"GRADER_CPUS": spec})
    assert worker.wait(timeout=60) != 0
    log = grader_workers.log("misbound")
    assert f"GRADER_CPUS={spec!r}" in log and reason in log
    assert "serves" not in log  # it stopped before starting a grader server or taking a job
