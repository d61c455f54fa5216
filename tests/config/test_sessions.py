"""With Redis (the cluster and production), sessions are read from the shared cache and written
through to the database: a request reads no session row, and a log-out ends the session for
every web process. Without Redis each process's cache is its own, so sessions stay in the
database alone (a log-out in one process must not leave the session alive in another's cache)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.config.test_deploy import run_with

pytestmark = pytest.mark.django_db

ENGINE = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.SESSION_ENGINE)"
)


def test_with_redis_sessions_are_kept_in_the_shared_cache():
    result = run_with(ENGINE, REDIS_URL="redis://127.0.0.1:6399/0")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.contrib.sessions.backends.cached_db"


def test_without_redis_sessions_stay_in_the_database():
    result = run_with(ENGINE)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.contrib.sessions.backends.db"


@pytest.fixture
def redis_sessions(redis_url, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


def test_a_request_reads_its_session_from_the_cache_and_a_log_out_ends_it(
    redis_sessions, client, student
):
    client.force_login(student)
    home = reverse("home")
    with CaptureQueriesContext(connection) as captured:
        assert client.get(home).status_code == 200
    assert not [q for q in captured.captured_queries if "django_session" in q["sql"]]
    cookie = client.cookies["sessionid"].value
    client.post(reverse("logout"))
    client.cookies["sessionid"] = cookie  # the old cookie, as another tab or a copied one sends it
    assert client.get(reverse("attempt_list")).status_code == 302  # to the log-in page
