"""What one simulated student does on exam day, as a Locust user.

Every student logs in first (before the exam opens: a log-in costs a deliberate ~0.4 CPU-s of
password hashing), LOGIN_CONCURRENCY at a time. When the whole class is logged in the exam
opens: each student presses Start within SPIKE_SECONDS of the opening (the spike), gets the
attempt page, answers every question as attempt.js saves it (typed answers as SAVES drafts then
a final save, a picked choice at once, a think time of SAVE_WAIT seconds between saves), submits
and opens the result.

A 503 (the database was busy; config.busy) is counted as an error, as the target is none, and
sent again after its Retry-After with backoff, as attempt.js does, so no answer is lost.
"""

import itertools
import os
import random
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import gevent
from gevent.event import Event
from gevent.lock import BoundedSemaphore
from locust import FastHttpUser, task
from locust.exception import StopUser

QUIZ = os.environ.get("LOADTEST_QUIZ", "final-exam")
PREFIX = os.environ.get("LOADTEST_PREFIX", "loadtest-")
SPIKE_SECONDS = float(os.environ.get("LOADTEST_SPIKE_SECONDS", "1"))
SAVES = max(1, int(os.environ.get("LOADTEST_SAVES", "3")))
SAVE_WAIT = tuple(float(s) for s in os.environ.get("LOADTEST_SAVE_WAIT", "2,8").split(","))
LOGIN_WAIT_LIMIT = float(os.environ.get("LOADTEST_LOGIN_WAIT_LIMIT", "1800"))
# Students logging in at once: the rest wait their turn here, as a class trickles in before an
# exam, instead of piling on a server that spends ~0.4 CPU-s on each log-in's password hash.
LOGIN_CONCURRENCY = int(os.environ.get("LOADTEST_LOGIN_CONCURRENCY", "4"))
BUSY_RETRIES = 8

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ANSWER_FORM = re.compile(
    r'<form method="post" action="(/attempts/\d+/answers/\d+/)".*?</form>', re.S
)
CHOICE = re.compile(r'name="(q\d+-(?:choice|answer_text))" value="([^"]+)"')
TEXT_BOX = re.compile(r'<textarea name="(q\d+-answer_text)"')


def read_password() -> str:
    return (
        Path(os.environ.get("LOADTEST_PASSWORD_FILE", "var/loadtest-password")).read_text().strip()
    )


@dataclass
class Exam:
    """What the simulated class shares: who has logged in, when the exam opened, and when each
    student had the attempt page."""

    students: int = 0
    numbers: itertools.count = field(default_factory=lambda: itertools.count(1))
    arrived: int = 0  # logged in, or gave up logging in
    finished: int = 0
    opens: Event = field(default_factory=Event)
    opened_at: float = 0.0
    start_delays: list[float] = field(default_factory=list)  # opening -> attempt page, seconds
    # Each save's answer: (seconds from the opening when it came, milliseconds it took).
    saves: list[tuple[float, float]] = field(default_factory=list)
    first_submit: float | None = None  # seconds from the opening
    logging_in: BoundedSemaphore = field(
        default_factory=lambda: BoundedSemaphore(LOGIN_CONCURRENCY)
    )
    placed: itertools.count = field(default_factory=itertools.count)

    def next_host(self, hosts: str) -> str:
        """One of the site's web processes (`hosts`: their URLs, space-separated), in turn."""
        urls = hosts.split()
        return urls[next(self.placed) % len(urls)]

    def arrive(self) -> None:
        self.arrived += 1
        if self.arrived >= self.students and not self.opens.is_set():
            self.open()

    def open(self) -> None:
        self.opened_at = time.monotonic()
        self.opens.set()


EXAM = Exam()


class Student(FastHttpUser):
    # Locust's own waits are unused: the scenario paces itself.
    wait_time = staticmethod(lambda: 0)  # type: ignore[assignment]
    network_timeout = 120.0
    connection_timeout = 120.0

    def __init__(self, environment) -> None:
        # A cluster's web processes given as several --host URLs: the class is spread over them
        # in turn, as the reverse proxy in front of them would (deploy/nginx.conf).
        self.host = EXAM.next_host(environment.host)
        super().__init__(environment)

    def on_start(self) -> None:
        width = max(3, len(str(EXAM.students)))
        self.username = f"{PREFIX}{next(EXAM.numbers):0{width}}"

    # --- requests -----------------------------------------------------------------------------

    def csrf_headers(self, **extra) -> dict:
        token = next((c.value for c in self.client.cookiejar if c.name == "csrftoken"), "")
        return {"X-CSRFToken": token, **extra}

    def send(self, method: str, url: str, name: str, expect: int, **kwargs):
        """One request; a 503 is an error and is sent again after its Retry-After, with
        backoff. Returns the last response, or None when it never got `expect`."""
        for retry in range(BUSY_RETRIES):
            sent = time.monotonic()
            with self.client.request(
                method, url, name=name, catch_response=True, allow_redirects=False, **kwargs
            ) as response:
                if name == "save":
                    came = time.monotonic()
                    EXAM.saves.append((came - EXAM.opened_at, (came - sent) * 1000))
                if response.status_code == expect:
                    response.success()
                    return response
                response.failure(f"HTTP {response.status_code}")
                if response.status_code != 503:
                    return None
                wait = float(response.headers.get("Retry-After") or 1) * 1.5**retry
            gevent.sleep(wait * random.uniform(0.8, 1.2))
        return None

    # --- the exam -----------------------------------------------------------------------------

    def log_in(self) -> bool:
        with EXAM.logging_in:
            return self.send_log_in()

    def send_log_in(self) -> bool:
        page = self.send("GET", "/accounts/login/", "login page", 200)
        token = CSRF_FIELD.search(page.text) if page is not None else None
        if token is None:
            return False
        data = {"username": self.username, "password": read_password()}
        data["csrfmiddlewaretoken"] = token.group(1)
        return self.send("POST", "/accounts/login/", "login", 302, data=data) is not None

    def start_attempt(self) -> tuple[str, str] | None:
        url = f"/quizzes/{QUIZ}/start/"
        started = self.send("POST", url, "start", 302, headers=self.csrf_headers())
        if started is None:
            return None
        attempt_url = started.headers["Location"]
        page = self.send("GET", attempt_url, "attempt page", 200)
        if page is None:
            return None
        EXAM.start_delays.append(time.monotonic() - EXAM.opened_at)
        return attempt_url, page.text

    def answer(self, page: str) -> None:
        for form in ANSWER_FORM.finditer(page):
            url, body = form.group(1), form.group(0)
            choices = CHOICE.findall(body)
            if choices:
                name, value = random.choice(choices)
                answers = [({name: value}, False)]
            else:
                box = TEXT_BOX.search(body)
                if box is None:
                    continue
                lines = [f"line {n}" for n in range(1, SAVES + 1)]
                answers = [
                    ({box.group(1): "\n".join(lines[: n + 1])}, n < SAVES - 1) for n in range(SAVES)
                ]
            for data, draft in answers:
                gevent.sleep(random.uniform(*SAVE_WAIT))
                if draft:
                    data = {**data, "draft": "1"}
                headers = self.csrf_headers(Accept="application/json")
                self.send("POST", url, "save", 200, data=data, headers=headers)

    def submit(self, attempt_url: str) -> None:
        if EXAM.first_submit is None:
            EXAM.first_submit = time.monotonic() - EXAM.opened_at
        submitted = self.send(
            "POST", f"{attempt_url}submit/", "submit", 302, headers=self.csrf_headers()
        )
        if submitted is not None:
            self.send("GET", submitted.headers["Location"], "result", 200)

    @task
    def take_the_exam(self) -> None:
        try:
            logged_in = self.log_in()
            EXAM.arrive()
            if not logged_in:
                return
            EXAM.opens.wait(timeout=LOGIN_WAIT_LIMIT)
            gevent.sleep(random.uniform(0, SPIKE_SECONDS))
            started = self.start_attempt()
            if started is None:
                return
            attempt_url, page = started
            self.answer(page)
            self.submit(attempt_url)
        except Exception as error:  # reported with the figures; the student stops here
            self.environment.events.user_error.fire(
                user_instance=self, exception=error, tb=error.__traceback__
            )
        finally:
            # Once through only (Locust would run the task again): a student takes it once.
            EXAM.finished += 1
            raise StopUser()
