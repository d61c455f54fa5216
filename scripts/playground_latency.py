"""Playground latency under load (issue 17 §4): USERS logged-in students at once, each running a
typical 10-line program in the playground RUNS times, end to end over HTTP against a running
site (its gunicorn workers, the grader service, the real limits: nothing is loosened).

    make run PORT=8765 &                     # or scripts/serve.sh, in another shell
    .venv/bin/python scripts/playground_latency.py --host http://127.0.0.1:8765 --users 50

The students are made in the site's database (load_students_reset, as the exam-day benchmark)
and logged in by a session made for each (a log-in form costs ~0.4 CPU-s of password hashing
each, on purpose, which is not what is measured here). Two phases, one after the other, printed
side by side, each with the load average over it (the machine may be shared):

- barrier: all wait for each other, then press Run at the same instant (a whole class told
  "run it now": the worst case), think 0.5-2 s, and run again;
- steady: each student's first run comes after a first think time of 0.5-2 s, as a load tool
  spawns users, then run, think 0.5-2 s, run again: 50 students at work, not in step.

A run is what the editor page sends (--mode json, the default): a POST to /playground/run/, timed
to its whole JSON answer, which the page then draws itself; --mode form times the page without
JavaScript (a POST to /playground/ and the whole page back), the only Run of a site from before
the JSON endpoint. Printed per phase: the answered runs' p50, p95, p99 and max, the runs refused
by a limit (429) and any other answer.
"""

import argparse
import json
import os
import random
import re
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from http.cookiejar import Cookie, CookieJar, eff_request_host
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# A typical playground program: ten lines, a function, aliasing, a copy, a dict, output.
PROGRAM = """\
def pair(n):
    return [n, n + 1]

a = pair(1000)
b = a
c = {"key": b, "name": "memory"}
b.append(7)
d = a[:]
print(a is b, a == d, a is d)
print(sum(c["key"]), c["name"])
"""
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
STATUS = re.compile(r'class="playground-status badge[^"]*">([a-z_]+)<')


def logged_in_sessions(count: int, prefix: str) -> tuple[str, list[str]]:
    """The session cookie's name, and session keys of `count` students made in the site's
    database."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # The site's secret key (scripts/serve.sh's): a session's auth hash is signed with it.
    key_file = ROOT / "var" / "secret_key"
    if "SECRET_KEY" not in os.environ and key_file.exists():
        os.environ["SECRET_KEY"] = key_file.read_text().strip()
    django.setup()
    import secrets

    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.services import load_students_reset

    names = [f"{prefix}{number:03d}" for number in range(1, count + 1)]
    load_students_reset(usernames=names, password=secrets.token_urlsafe(16))
    keys = []
    for user in get_user_model().objects.filter(username__in=names).order_by("username"):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        keys.append(session.session_key)
    return settings.SESSION_COOKIE_NAME, keys


def opener_for(host: str, cookie: str, session_key: str) -> urllib.request.OpenerDirector:
    jar = CookieJar()
    # As the jar names the host itself ("localhost" is "localhost.local" to it).
    domain = eff_request_host(urllib.request.Request(host))[1]
    jar.set_cookie(
        Cookie(
            0,
            cookie,
            session_key,
            None,
            False,
            domain,
            False,
            False,
            "/",
            True,
            False,
            None,
            False,
            None,
            None,
            {},
        )
    )
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))


def run_request(host: str, token: str, mode: str) -> urllib.request.Request:
    fields = {"csrfmiddlewaretoken": token, "source": PROGRAM}
    if mode == "json":
        url, headers = f"{host}/playground/run/", {"Accept": "application/json"}
    else:
        url, headers = f"{host}/playground/", {}
        fields["action"] = "run"
    headers["Referer"] = f"{host}/playground/"
    return urllib.request.Request(
        url, data=urllib.parse.urlencode(fields).encode(), headers=headers
    )


def run_status(body: str, mode: str) -> str:
    """The run's status as the answer gives it ("ok", "rejected", ...), "" if it says none."""
    if mode == "json":
        try:
            return str(json.loads(body).get("status", ""))
        except (ValueError, AttributeError):
            return ""
    found = STATUS.search(body)
    return found.group(1) if found else ""


def think() -> None:
    time.sleep(random.uniform(0.5, 2.0))


def student(host, cookie, session_key, runs, ready, results, *, mode="json", staggered=False):
    """One student: open the editor, wait for the others (`ready`), then (after a first think
    time if `staggered`) run the program `runs` times, thinking between runs; appends
    (HTTP status, run status, seconds) to `results` per run."""
    opener = opener_for(host, cookie, session_key)
    page = opener.open(f"{host}/playground/", timeout=60).read().decode()
    token = CSRF.search(page).group(1)
    ready.wait()
    if staggered:
        think()
    for number in range(runs):
        started = time.perf_counter()
        try:
            with opener.open(run_request(host, token, mode), timeout=60) as response:
                body = response.read().decode()
                code = response.status
        except urllib.error.HTTPError as error:
            body, code = error.read().decode(errors="replace"), error.code
        except OSError as error:
            body, code = str(error), 0
        seconds = time.perf_counter() - started
        results.append((code, run_status(body, mode), seconds))
        if number < runs - 1:
            think()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def phase(options, cookie: str, keys: list[str], *, staggered: bool) -> dict:
    """Run one phase with every student; its figures."""
    ready = threading.Barrier(len(keys) + 1)
    results: list = []
    threads = [
        threading.Thread(
            target=student,
            args=(options.host, cookie, key, options.runs, ready, results),
            kwargs={"mode": options.mode, "staggered": staggered},
        )
        for key in keys
    ]
    for thread in threads:
        thread.start()
    load_before = os.getloadavg()[0]
    ready.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    answered = [
        seconds * 1000 for code, status, seconds in results if (code, status) == (200, "ok")
    ]
    other = Counter((code, status) for code, status, _ in results if (code, status) != (200, "ok"))
    refused = sum(count for (code, _), count in other.items() if code == 429)
    return {
        "runs": len(results),
        "answered": len(answered),
        "refused": refused,
        "other": {
            f"{code} {status}".strip(): n for (code, status), n in other.items() if code != 429
        },
        "ms": answered,
        "seconds": elapsed,
        "load": (load_before, os.getloadavg()[0]),
    }


def table(phases: dict[str, dict]) -> list[str]:
    """The phases' figures side by side."""
    names = list(phases)
    rows = [("", names)]

    def cell(figures: dict, share: float | None) -> str:
        if not figures["ms"]:
            return "-"
        value = max(figures["ms"]) if share is None else percentile(figures["ms"], share)
        return f"{value:.0f} ms"

    for label, share in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99), ("max", None)):
        rows.append((label, [cell(phases[name], share) for name in names]))
    rows.append(
        ("answered ok", [f"{phases[name]['answered']}/{phases[name]['runs']}" for name in names])
    )
    rows.append(("refused (429)", [str(phases[name]["refused"]) for name in names]))
    rows.append(("other", [str(phases[name]["other"] or "none") for name in names]))
    rows.append(("took", [f"{phases[name]['seconds']:.1f} s" for name in names]))
    rows.append(
        (
            "load average",
            [f"{phases[name]['load'][0]:.2f} -> {phases[name]['load'][1]:.2f}" for name in names],
        )
    )
    return [f"{label:<14}" + "".join(f"{value:>22}" for value in values) for label, values in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", required=True)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--prefix", default="pgload-")
    parser.add_argument("--mode", choices=("json", "form"), default="json")
    parser.add_argument(
        "--pause", type=float, default=5.0, help="seconds between the phases (the queue drains)"
    )
    options = parser.parse_args()
    cookie, keys = logged_in_sessions(options.users, options.prefix)
    phases = {"barrier": phase(options, cookie, keys, staggered=False)}
    time.sleep(options.pause)
    phases["steady"] = phase(options, cookie, keys, staggered=True)
    print(
        f"{options.users} users x {options.runs} runs of a 10-line program per phase, "
        f"--mode {options.mode}, {options.host}, {os.cpu_count()} cores"
    )
    print("\n".join(table(phases)))


if __name__ == "__main__":
    main()
