"""Playground latency under load (issue 17 §4): USERS logged-in students at once, each running a
typical 10-line program in the playground RUNS times, end to end over HTTP against a running
site (its gunicorn workers, the grader service, the real limits: nothing is loosened).

    make run PORT=8765 &                     # or scripts/serve.sh, in another shell
    .venv/bin/python scripts/playground_latency.py --host http://127.0.0.1:8765 --users 50

The students are made in the site's database (load_students_reset, as the exam-day benchmark)
and logged in by a session made for each (a log-in form costs ~0.4 CPU-s of password hashing
each, on purpose, which is not what is measured here). Each waits for all to be ready, then runs
the program, thinks 0.5-2 s, and runs it again. Printed: each run's status, the time from the
request to the whole page (p50, p95, p99, max) for answered runs, the runs refused by a limit
(429) and errors, and the load average before and after (the machine may be shared).
"""

import argparse
import os
import random
import re
import statistics
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


def student(host, cookie, session_key, runs, ready, results):
    opener = opener_for(host, cookie, session_key)
    page = opener.open(f"{host}/playground/", timeout=60).read().decode()
    token = CSRF.search(page).group(1)
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "source": PROGRAM, "action": "run"}
    ).encode()
    ready.wait()
    for _ in range(runs):
        request = urllib.request.Request(
            f"{host}/playground/", data=body, headers={"Referer": f"{host}/playground/"}
        )
        started = time.perf_counter()
        try:
            with opener.open(request, timeout=60) as response:
                html = response.read().decode()
                code = response.status
        except urllib.error.HTTPError as error:
            html, code = error.read().decode(errors="replace"), error.code
        except OSError as error:
            html, code = str(error), 0
        seconds = time.perf_counter() - started
        found = STATUS.search(html)
        results.append((code, found.group(1) if found else "", seconds))
        time.sleep(random.uniform(0.5, 2.0))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", required=True)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--prefix", default="pgload-")
    options = parser.parse_args()
    cookie, keys = logged_in_sessions(options.users, options.prefix)
    ready = threading.Barrier(options.users + 1)
    results: list = []
    threads = [
        threading.Thread(
            target=student, args=(options.host, cookie, key, options.runs, ready, results)
        )
        for key in keys
    ]
    for thread in threads:
        thread.start()
    load_before = os.getloadavg()
    ready.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    load_after = os.getloadavg()
    answered = [seconds for code, status, seconds in results if code == 200 and status == "ok"]
    refused = sum(1 for code, _, _ in results if code == 429)
    failed = Counter(
        (code, status)
        for code, status, _ in results
        if (code, status) not in ((200, "ok"),) and code != 429
    )
    print(f"{options.users} users x {options.runs} runs of a 10-line program, {elapsed:.1f} s")
    print(
        f"answered ok: {len(answered)}, refused by a limit (429): {refused}, other: {dict(failed)}"
    )
    if answered:
        ms = [seconds * 1000 for seconds in answered]
        print(
            f"end to end ms: p50 {statistics.median(ms):.0f}, p95 {percentile(ms, 0.95):.0f}, "
            f"p99 {percentile(ms, 0.99):.0f}, max {max(ms):.0f}"
        )
    print(f"load average before {load_before}, after {load_after}, on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
