"""Throttling: failed logins lock a username for a while (django-axes), never an address alone
(a class logs in from one campus address), with a page that says so and a lockout an instructor
can lift; answers and autosaves of one user, and sign-ups and password-reset requests of one
address, are rate-limited far above a person's pace. Password reset works end to end by email."""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core import mail
from django.core.cache import cache, caches
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import ratelimit
from quizzes.models import PracticeAnswer, Response
from tests.config.test_csp import inline_code
from tests.helpers import JSON, PASSWORD, right_answer_data, signup_data, start_quiz

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")
LIMIT = settings.AXES_FAILURE_LIMIT


def client_from(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def log_in(client: Client, username: str, password: str):
    return client.post(LOGIN, {"username": username, "password": password})


def fail_logins(client: Client, username: str, times: int) -> None:
    for _ in range(times):
        response = log_in(client, username, "wrong password")
        assert response.status_code == 200  # the form again, with its error


def lock_out(client: Client, username: str) -> None:
    """Fail as often as the limit allows: the last failure is answered with the lockout."""
    fail_logins(client, username, LIMIT - 1)
    assert log_in(client, username, "wrong password").status_code == 429


# --- logins -------------------------------------------------------------------------------------


def test_the_limit_and_cool_off_are_those_asked_for():
    assert 5 <= LIMIT <= 10
    assert settings.AXES_COOLOFF_TIME == timedelta(minutes=15)
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username"]


def test_a_username_is_locked_after_the_limit_even_with_the_right_password(student):
    attacker = client_from("203.0.113.7")
    fail_logins(attacker, "student", LIMIT - 1)
    locked = log_in(attacker, "student", "wrong password")
    assert locked.status_code == 429
    assert "Too many failed log-ins" in locked.text and "15 minutes" in locked.text
    assert "ask your instructor to unlock" in locked.text
    assert not inline_code(locked.text) and "Content-Security-Policy" in locked.headers
    # The real student, from elsewhere, with the right password, is refused too until unlocked.
    response = log_in(client_from("198.51.100.2"), "student", PASSWORD)
    assert response.status_code == 429 and "_auth_user_id" not in response.client.session


CAMPUS = "192.0.2.1"  # one address for the whole class (a campus NAT)


def test_a_class_of_200_logs_in_from_one_address_despite_typos(django_user_model):
    """200 students log in from the campus address at the same time; a tenth of them mistype
    their password first (more failures from that address than the limit, many times over):
    every one of them is logged in."""
    password_hash = django_user_model.objects.create_user("hash-donor", password=PASSWORD).password
    django_user_model.objects.bulk_create(
        django_user_model(username=f"class-{number:03}", password=password_hash)
        for number in range(200)
    )
    for number in range(200):
        client = client_from(CAMPUS)
        username = f"class-{number:03}"
        if number % 10 == 0:
            fail_logins(client, username, 1)
        response = log_in(client, username, PASSWORD)
        assert response.status_code == 302, (username, response.status_code)
        assert client.session["_auth_user_id"]
    assert AccessAttempt.objects.filter(ip_address=CAMPUS).count() == 0  # reset on success


def test_repeated_failures_for_one_user_from_the_campus_lock_only_that_user(student, other_student):
    lock_out(client_from(CAMPUS), "student")
    assert log_in(client_from(CAMPUS), "student", PASSWORD).status_code == 429
    # A classmate at the same address logs in as usual.
    assert log_in(client_from(CAMPUS), "other_student", PASSWORD).status_code == 302


def test_guessing_many_usernames_from_one_address_locks_each_username_guessed_at_the_limit(
    student,
):
    attacker = client_from("203.0.113.8")
    for number in range(LIMIT):
        log_in(attacker, f"guess-{number}", "wrong password")
    lock_out(attacker, "student")
    assert log_in(client_from("198.51.100.3"), "student", PASSWORD).status_code == 429


def test_spraying_one_password_over_many_usernames_from_one_address_is_stopped(student):
    """The per-username lock never trips when each username is tried once: the address's failed
    logins are counted too, at a rate far above a class's typos (the test above: 20 of 200)."""
    limit = ratelimit.rate_for("login_failure").limit
    assert limit >= 50, "a class behind one address mistypes a few dozen passwords at once"
    sprayer = client_from("203.0.113.9")
    for number in range(limit):
        assert log_in(sprayer, f"sprayed-{number}", "Summer2026!").status_code == 200
    refused = log_in(sprayer, "student", PASSWORD)
    assert refused.status_code == 200 and "_auth_user_id" not in sprayer.session
    assert "Too many failed logins have come from your network" in refused.content.decode()
    # Another address is not affected, nor is the username itself locked.
    assert log_in(client_from("198.51.100.4"), "student", PASSWORD).status_code == 302


def test_a_few_typos_then_the_right_password_logs_in_and_starts_over(student):
    client = client_from("198.51.100.4")
    fail_logins(client, "student", LIMIT - 2)
    assert log_in(client, "student", PASSWORD).status_code == 302
    client.logout()
    fail_logins(client, "student", LIMIT - 2)  # counted from zero again
    assert log_in(client, "student", PASSWORD).status_code == 302


def test_the_lockout_ends_after_the_cool_off(student):
    attacker = client_from("203.0.113.9")
    lock_out(attacker, "student")
    assert log_in(attacker, "student", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert log_in(attacker, "student", PASSWORD).status_code == 302


def test_an_instructor_lifts_a_lockout_in_the_admin(student, instructor):
    lock_out(client_from("203.0.113.10"), "student")
    assert log_in(client_from("198.51.100.5"), "student", PASSWORD).status_code == 429

    staff = Client()
    staff.force_login(instructor)
    listing = staff.get(reverse("admin:axes_accessattempt_changelist"))
    assert listing.status_code == 200 and "student" in listing.text
    # Select the student's access attempts (one per address) and delete them: unlocked.
    selected = list(AccessAttempt.objects.filter(username="student").values_list("pk", flat=True))
    data = {"action": "delete_selected", "_selected_action": selected, "post": "yes"}
    changelist = reverse("admin:axes_accessattempt_changelist")
    assert staff.post(changelist, data).status_code == 302
    assert not AccessAttempt.objects.filter(username="student").exists()
    assert log_in(client_from("198.51.100.5"), "student", PASSWORD).status_code == 302


def test_the_admin_login_is_throttled_too(instructor):
    attacker = client_from("203.0.113.11")
    admin_login = reverse("admin:login")
    for _ in range(LIMIT):
        attacker.post(admin_login, {"username": "instructor", "password": "wrong"})
    response = attacker.post(admin_login, {"username": "instructor", "password": PASSWORD})
    assert response.status_code == 429


# --- answers and autosaves ----------------------------------------------------------------------


class Clock:
    """Stands in for time.time() in accounts.ratelimit, so a pace can be simulated exactly."""

    def __init__(self, monkeypatch):
        self.now = 1_000_000.0
        monkeypatch.setattr(ratelimit.time, "time", lambda: self.now)


def test_a_script_autosaving_17_times_a_second_gets_429_with_json(
    client, logged_in, quiz, monkeypatch
):
    clock = Clock(monkeypatch)
    attempt = start_quiz(client, quiz)
    entry = quiz.quiz_questions.first()
    url = reverse("attempt_answer", args=[attempt.pk, entry.pk])
    statuses = []
    for number in range(17 * 10):  # ten seconds at 17 a second
        clock.now += 1 / 17
        response = client.post(url, {f"q{entry.pk}-answer_text": f"try {number}"}, **JSON)
        statuses.append(response.status_code)
    assert statuses[:120] == [200] * 120
    assert statuses[-1] == 429 and statuses.count(429) >= 17
    refused = client.post(url, {f"q{entry.pk}-answer_text": "one more"}, **JSON)
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert refused.json() == {"saved": False, "error": ratelimit.MESSAGE}
    # What was refused was not saved: the last answer kept is the last one accepted.
    kept = Response.objects.get(attempt=attempt, quiz_question=entry).answer_text
    assert kept == f"try {statuses.index(429) - 1}"
    # A minute of quiet later, saving works again.
    clock.now += 120
    assert client.post(url, right_answer_data(entry), **JSON).status_code == 200


def test_a_plain_form_post_over_the_limit_gets_a_page_saying_so(
    client, logged_in, make_question, monkeypatch
):
    Clock(monkeypatch)  # time stands still: every post falls in the same window
    question = make_question()
    url = reverse("practice_question", args=[question.pk])
    limit = ratelimit.rate_for("answer").limit
    for _ in range(limit):
        assert client.post(url, {"answer_text": "x"}).status_code == 302
    refused = client.post(url, {"answer_text": "x"})
    assert refused.status_code == 429
    assert ratelimit.MESSAGE in refused.text
    assert not inline_code(refused.text) and "Content-Security-Policy" in refused.headers
    assert PracticeAnswer.objects.count() == limit
    assert client.get(url).status_code == 200, "reading is never limited"


def test_a_fast_student_never_meets_the_limit(client, logged_in, quiz, make_question, monkeypatch):
    """Changing answers twice a second for a minute, then answering every 3 s for ten minutes:
    never refused."""
    clock = Clock(monkeypatch)
    attempt = start_quiz(client, quiz)
    entries = list(quiz.quiz_questions.all())
    question = make_question(slug="practised")
    practice = reverse("practice_question", args=[question.pk])
    for number in range(120):
        clock.now += 0.5
        entry = entries[number % len(entries)]
        url = reverse("attempt_answer", args=[attempt.pk, entry.pk])
        data = right_answer_data(entry)
        assert client.post(url, data, **JSON).status_code == 200, number
    for number in range(200):
        clock.now += 3
        assert client.post(practice, {"answer_text": "x"}).status_code == 302, number


def test_each_user_has_their_own_allowance(client, logged_in, other_student, quiz, monkeypatch):
    Clock(monkeypatch)
    attempt = start_quiz(client, quiz)
    entry = quiz.quiz_questions.first()
    url = reverse("attempt_answer", args=[attempt.pk, entry.pk])
    for _ in range(ratelimit.rate_for("answer").limit):
        client.post(url, right_answer_data(entry), **JSON)
    assert client.post(url, right_answer_data(entry), **JSON).status_code == 429
    other = Client()
    other.force_login(other_student)
    other_attempt = start_quiz(other, quiz)
    other_url = reverse("attempt_answer", args=[other_attempt.pk, entry.pk])
    assert other.post(other_url, right_answer_data(entry), **JSON).status_code == 200


# --- sign-up and password reset -----------------------------------------------------------------


def sign_up(client: Client, username: str):
    return client.post(reverse("signup"), signup_data(username))


def test_sign_ups_from_one_address_are_limited(monkeypatch):
    Clock(monkeypatch)
    limit = ratelimit.rate_for("signup").limit
    assert limit >= 30, "a whole class behind one address signs up in the same hour"
    for number in range(limit):
        assert sign_up(client_from("192.0.2.1"), f"student{number}").status_code == 302
    refused = sign_up(client_from("192.0.2.1"), "one-too-many")
    assert refused.status_code == 429 and ratelimit.MESSAGE in refused.text
    assert sign_up(client_from("192.0.2.2"), "elsewhere").status_code == 302


def test_sign_up_asks_for_the_email_that_resets_the_password(client, django_user_model):
    page = client.get(reverse("signup"))
    assert 'name="email"' in page.text
    without = client.post(
        reverse("signup"), {"username": "ada", "password1": "a-Long-pass-42", "password2": "x"}
    )
    assert without.status_code == 200 and "email" in without.context["form"].errors
    assert sign_up(client, "ada").status_code == 302
    assert django_user_model.objects.get(username="ada").email == "ada@example.org"


def test_password_reset_by_email_end_to_end(client):
    sign_up(client, "ada")
    client.logout()
    login_page = client.get(LOGIN)
    assert reverse("password_reset") in login_page.text

    sent = client.post(reverse("password_reset"), {"email": "ada@example.org"})
    assert sent["Location"] == reverse("password_reset_done")
    [message] = mail.outbox
    assert message.to == ["ada@example.org"] and "ada" in message.body
    link = re.search(r"https?://testserver(/\S+)", message.body).group(1)

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    new_password = "another-Long-passphrase-7"
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done["Location"] == reverse("password_reset_complete")
    assert log_in(client, "ada", new_password).status_code == 302
    # The link works once.
    client.logout()
    assert not client.get(link, follow=True).context["validlink"]


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_password_reset_requests_from_one_address_are_limited(monkeypatch, student):
    Clock(monkeypatch)
    limit = ratelimit.rate_for("password_reset").limit
    for _ in range(limit):
        client_from("192.0.2.3").post(reverse("password_reset"), {"email": "a@example.org"})
    refused = client_from("192.0.2.3").post(reverse("password_reset"), {"email": "a@example.org"})
    assert refused.status_code == 429


# --- the counting itself ------------------------------------------------------------------------


@pytest.fixture(params=["memory", "redis"])
def counting_cache(request, settings):
    """The per-process memory cache (the default), or Redis (the cluster's and production's),
    which counts in one pipeline (ratelimit._count_in_redis)."""
    if request.param == "redis":
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": request.getfixturevalue("redis_url"),
            }
        }
    cache.clear()
    return request.param


def test_sliding_window_weighs_the_previous_window(counting_cache):
    rate = ratelimit.Rate(10, 60)
    start = 6_000.0  # the start of a window
    assert all(ratelimit.hit("t", "a", rate, now=start + n) for n in range(10))
    assert not ratelimit.hit("t", "a", rate, now=start + 30)  # 11 in the same window
    # Half-way through the next window half of the previous 11 still count: 5.5 + 1 <= 10 ...
    assert ratelimit.hit("t", "a", rate, now=start + 90)
    # ... and a full window later only the new ones.
    assert all(ratelimit.hit("t", "a", rate, now=start + 180 + n) for n in range(10))
    assert not ratelimit.hit("t", "a", rate, now=start + 195)


def test_a_burst_over_a_window_boundary_is_counted_whole(counting_cache):
    """A login spray that crossed 18:00:00 UTC (a boundary of the 15-minute windows) got its
    101st login through: the previous window's 60 weighed 59.996 a moment after it."""
    rate = ratelimit.Rate(10, 60)
    boundary = 6_000.0
    assert all(ratelimit.hit("t", "c", rate, now=boundary - 0.5) for _ in range(6))
    assert all(ratelimit.hit("t", "c", rate, now=boundary + 0.05) for _ in range(4))
    assert not ratelimit.within("t", "c", rate, now=boundary + 0.1)
    assert not ratelimit.hit("t", "c", rate, now=boundary + 0.1)
    # The previous window's requests leave the sliding one as it moves on: half-way, 3 of 6.
    assert ratelimit.within("t", "c", rate, now=boundary + 30)


def test_a_count_is_kept_two_periods_from_its_first_hit_and_read_back_as_a_number(counting_cache):
    rate = ratelimit.Rate(3, 60)
    start = 6_000.0
    assert ratelimit.within("t", "b", rate, now=start)
    for _ in range(3):
        assert ratelimit.hit("t", "b", rate, now=start)
    assert not ratelimit.within("t", "b", rate, now=start + 1)  # 3 counted, read back as ints
    assert cache.get("ratelimit:t:b:100") == 3
    if counting_cache == "redis":
        client = caches["default"]._cache.get_client(write=True)
        ttl = client.ttl(caches["default"].make_and_validate_key("ratelimit:t:b:100"))
        assert 110 < ttl <= 120


def test_with_redis_a_hit_is_one_round_trip(redis_url, settings, monkeypatch):
    from redis.client import Pipeline, Redis

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
    }
    commands, pipelines = [], []
    execute_command, execute = Redis.execute_command, Pipeline.execute
    monkeypatch.setattr(
        Redis,
        "execute_command",
        lambda self, *a, **k: commands.append(a) or execute_command(self, *a, **k),
    )
    monkeypatch.setattr(
        Pipeline, "execute", lambda self, *a, **k: pipelines.append(1) or execute(self, *a, **k)
    )
    assert ratelimit.hit("t", "c", ratelimit.Rate(10, 60))
    assert (commands, len(pipelines)) == ([], 1)


@pytest.mark.parametrize(
    "proxies, forwarded, expected",
    [
        (0, "1.2.3.4", "10.0.0.1"),  # no proxy: a client's header is ignored
        (1, "1.2.3.4", "1.2.3.4"),
        (1, "6.6.6.6, 1.2.3.4", "1.2.3.4"),  # the client prepended a fake entry
        (2, "6.6.6.6, 1.2.3.4, 10.0.0.2", "1.2.3.4"),
        (2, "1.2.3.4", "10.0.0.1"),  # fewer entries than proxies: not through them
    ],
)
def test_client_ip_trusts_only_the_configured_proxies(rf, settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert ratelimit.client_ip(request) == expected
