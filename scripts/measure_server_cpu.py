"""Server CPU of one exam start (the POST and its attempt page) and one autosave, over HTTP.

    make loadtest ... (once, for the students and var/loadtest-password), then, with the site
    running (`make run`; its gunicorn master's pid is the process group of its workers):
    .venv/bin/python scripts/measure_server_cpu.py --host http://127.0.0.1:8000 \\
        --group "$(pgrep -f 'gunicorn config.wsgi' -o)" --first 1 --students 20

Logs in --students students of the load benchmark (loadtest-NNN from --first; their attempts
at the quiz must have been discarded, as create_load_students does), then, one request at a
time, starts the quiz for each and loads the attempt page, and saves every question once (as
attempt.js does). Prints the CPU seconds the site's processes (the process group --group, read
from /proc) spent per student start and per save: what the sequential requests cost the server,
with no queueing in it, unlike measure_request_cpu.py (in-process, DEBUG on, no gunicorn).
Run it against two servers in turn (two ports) to compare them under the same load, and not
first after a restart: a fresh worker's first pages compile their templates. With
--database-pid (PostgreSQL's postmaster, the first line of its postmaster.pid) it prints the
database server's CPU per start and per save too.
"""

import argparse
import os
import re
import time
from pathlib import Path

import requests

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ANSWER_FORM = re.compile(
    r'<form method="post" action="(/attempts/\d+/answers/\d+/)".*?</form>', re.S
)
TEXT_BOX = re.compile(r'<textarea name="(q\d+-answer_text)"')
CHOICE = re.compile(r'name="(q\d+-(?:choice|answer_text))" value="([^"]+)"')


def process_stats():
    """(pid, the fields of /proc/PID/stat after the command's name) of every live process."""
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            yield int(pid), Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue


def cpu_ticks(fields: list[str], *, reaped: bool) -> int:
    """utime + stime, and with `reaped` those of the children the process waited for."""
    return sum(int(f) for f in fields[11 : 15 if reaped else 13])


def group_cpu_seconds(group: int) -> float:
    """CPU of every live process in the process group (gunicorn's master and workers), with
    that of the children they reaped (a worker restarted meanwhile)."""
    ticks = sum(cpu_ticks(f, reaped=True) for _, f in process_stats() if int(f[2]) == group)
    return ticks / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds(parent: int) -> float:
    """CPU of `parent` and its live children, with that of the children it reaped (PostgreSQL's
    postmaster and its backends, a closed connection's included: pass the postmaster's pid, the
    first line of postmaster.pid)."""
    ticks = sum(
        cpu_ticks(fields, reaped=pid == parent)
        for pid, fields in process_stats()
        if pid == parent or int(fields[1]) == parent
    )
    return ticks / os.sysconf("SC_CLK_TCK")


def logged_in(host: str, username: str, password: str) -> requests.Session:
    session = requests.Session()
    token = CSRF.search(session.get(f"{host}/accounts/login/", timeout=60).text).group(1)
    data = {"username": username, "password": password, "csrfmiddlewaretoken": token}
    reply = session.post(
        f"{host}/accounts/login/", data=data, headers={"Referer": host}, allow_redirects=False
    )
    if reply.status_code != 302:
        raise SystemExit(f"{username} could not log in ({reply.status_code})")
    return session


def answers(page: str):
    """(url, form data) of each question's save, as attempt.js sends it."""
    for form in ANSWER_FORM.finditer(page):
        box = TEXT_BOX.search(form.group(0))
        if box is not None:
            yield form.group(1), {box.group(1): "x = 1", "draft": "1"}
        else:
            name, value = CHOICE.search(form.group(0)).groups()
            yield form.group(1), {name: value}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", required=True)
    parser.add_argument("--group", type=int, required=True, help="gunicorn master's pid")
    parser.add_argument("--quiz", default="final-exam")
    parser.add_argument("--prefix", default="loadtest-")
    parser.add_argument("--first", type=int, default=1)
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--password-file", type=Path, default=Path("var/loadtest-password"))
    parser.add_argument(
        "--database-pid", type=int, help="PostgreSQL's postmaster: its CPU is reported too"
    )
    args = parser.parse_args()

    def database_cpu() -> float:
        return children_cpu_seconds(args.database_pid) if args.database_pid else 0.0

    password = args.password_file.read_text().strip()
    numbers = range(args.first, args.first + args.students)
    sessions = [logged_in(args.host, f"{args.prefix}{n:03d}", password) for n in numbers]
    load_before = os.getloadavg()[0]
    began, database_began = group_cpu_seconds(args.group), database_cpu()
    pages = []
    for session in sessions:
        headers = {"X-CSRFToken": session.cookies["csrftoken"], "Referer": args.host}
        started = session.post(
            f"{args.host}/quizzes/{args.quiz}/start/", headers=headers, allow_redirects=False
        )
        page = session.get(args.host + started.headers["Location"], timeout=60)
        if started.status_code != 302 or page.status_code != 200:
            raise SystemExit(f"a start failed ({started.status_code}, {page.status_code})")
        pages.append((session, headers, page.text))
    # The CPU ticks are 10 ms: many requests are summed before dividing.
    time.sleep(0.1)
    after_starts, database_after_starts = group_cpu_seconds(args.group), database_cpu()
    saves = 0
    for session, headers, page in pages:
        for url, data in answers(page):
            reply = session.post(
                args.host + url, data=data, headers={**headers, "Accept": "application/json"}
            )
            if reply.status_code != 200:
                raise SystemExit(f"a save failed ({reply.status_code})")
            saves += 1
    time.sleep(0.1)
    after_saves, database_after_saves = group_cpu_seconds(args.group), database_cpu()
    if args.database_pid:
        per_start = (database_after_starts - database_began) / len(pages) * 1000
        per_save = (database_after_saves - database_after_starts) / saves * 1000
        print(f"database server CPU per start {per_start:.1f} ms, per save {per_save:.1f} ms")
    print(
        f"{args.host}: server CPU per start (POST + attempt page) "
        f"{(after_starts - began) / len(pages) * 1000:.1f} ms over {len(pages)} students, "
        f"per save {(after_saves - after_starts) / saves * 1000:.1f} ms over {saves} saves; "
        f"load average {load_before:.2f} -> {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()
