"""CPU of one playground run on a running site (issue 17 §4): the web workers' and the grader's.

    make run PORT=8765 &
    .venv/bin/python scripts/playground_cpu.py --host http://127.0.0.1:8765 \\
        --master "$(pgrep -f 'gunicorn config.wsgi --bind 127.0.0.1:8765' -o)"

Students (made as scripts/playground_latency.py makes them, in this checkout's database: run
the copy of the script in the checkout the server serves) run its typical 10-line program
--runs times, one run at a time, as the editor page sends it (--mode json, a POST to
/playground/run/) or as the page without JavaScript (--mode form). Printed: the CPU milliseconds
per run of the web (gunicorn's master and workers) and of the grader (the machine's grader
service, its grader server and the sandboxed children the server forked and reaped), read from
/proc before and after, and the load average (the machine may be shared). The grader service is
started by a web worker, so it is found among the master's descendants and counted apart.
Run it against two servers in turn (two ports) to compare them, after a few runs that warm up.
"""

import argparse
import importlib.util
import os
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("playground_latency", HERE / "playground_latency.py")
latency = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(latency)  # type: ignore[union-attr]

TICKS = os.sysconf("SC_CLK_TCK")


def processes() -> dict[int, tuple[int, str, list[int]]]:
    """pid -> (parent pid, command line, [utime, stime, cutime, cstime] in ticks)."""
    found = {}
    for name in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{name}/stat").read_text().rsplit(")", 1)[1].split()
            command = Path(f"/proc/{name}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        found[int(name)] = (int(stat[1]), command, [int(value) for value in stat[11:15]])
    return found


def cpu_seconds(master: int, root: str) -> tuple[float, float]:
    """(web, grader) CPU seconds so far: the master and its descendants, and the grader service
    of checkout `root` and its descendants (it may have been started by an earlier command of
    that checkout, then it is not the master's). Reaped children count in their parent's
    cutime/cstime (a sandboxed child is reaped by the grader server, the grader server by the
    service)."""
    table = processes()
    children: dict[int, list[int]] = {}
    for pid, (parent, _, _) in table.items():
        children.setdefault(parent, []).append(pid)
    totals = {"web": 0, "grader": 0}

    def walk(pid: int, side: str) -> None:
        parent, command, ticks = table[pid]
        if "grader.local_service" in command:
            side = "grader"
        totals[side] += sum(ticks) if side == "grader" else ticks[0] + ticks[1]
        for child in children.get(pid, []):
            walk(child, side)

    walk(master, "web")
    for pid, (_, command, _) in table.items():
        if "grader.local_service" in command and f" {root} " in command:
            if not _descends(pid, master, table):
                walk(pid, "grader")
    return totals["web"] / TICKS, totals["grader"] / TICKS


def _descends(pid: int, ancestor: int, table: dict) -> bool:
    while pid in table and pid != ancestor:
        pid = table[pid][0]
    return pid == ancestor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", required=True)
    parser.add_argument("--master", type=int, required=True, help="gunicorn master's pid")
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--warm-up", type=int, default=5)
    parser.add_argument("--mode", choices=("json", "form"), default="json")
    # A name of its own per invocation: runs of the one before, within a minute, count against
    # the playground's rate of the same students.
    parser.add_argument("--prefix", default=f"pgcpu{int(time.time()) % 100000}-")
    parser.add_argument(
        "--root", default=str(HERE.parent), help="the served checkout (its grader service)"
    )
    options = parser.parse_args()
    # The playground lets one user run 30 a minute: one student per 20 runs.
    users = -(-(options.runs + options.warm_up) // 20)
    cookie, keys = latency.logged_in_sessions(users, options.prefix)
    openers = []
    for key in keys:
        opener = latency.opener_for(options.host, cookie, key)
        page = opener.open(f"{options.host}/playground/", timeout=60).read().decode()
        openers.append((opener, latency.CSRF.search(page).group(1)))

    def one_run(number: int) -> str:
        opener, token = openers[number % len(openers)]
        request = latency.run_request(options.host, token, options.mode)
        with opener.open(request, timeout=60) as response:
            return latency.run_status(response.read().decode(), options.mode)

    for number in range(options.warm_up):
        one_run(number)
    time.sleep(1.0)  # the idle children forked after the warm-up settle
    load_before = os.getloadavg()[0]
    web_before, grader_before = cpu_seconds(options.master, options.root)
    statuses = [one_run(number) for number in range(options.runs)]
    time.sleep(1.0)  # the last children exit and are reaped
    web_after, grader_after = cpu_seconds(options.master, options.root)
    load_after = os.getloadavg()[0]
    web = (web_after - web_before) * 1000 / options.runs
    grader = (grader_after - grader_before) * 1000 / options.runs
    print(
        f"{options.runs} sequential runs, --mode {options.mode}, {options.host}: "
        f"web {web:.1f} ms + grader {grader:.1f} ms = {web + grader:.1f} ms of CPU per run; "
        f"statuses {sorted(set(statuses))}; load average {load_before:.2f} -> {load_after:.2f}"
    )


if __name__ == "__main__":
    main()
