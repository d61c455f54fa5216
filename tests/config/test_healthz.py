"""/healthz: the database, the queue (with Redis) and one real grader run; JSON, 200 or 503,
and nothing secret in it."""

import json

import pytest
from django.core.cache import cache

from config import health
from grader import GraderUnavailable
from graderclient import backends


@pytest.mark.django_db
def test_a_healthy_site_answers_200_with_each_check(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "grader"}  # no Redis configured: no queue check
    assert body["checks"]["grader"]["ok"] is True
    assert body["checks"]["grader"]["python_version"]
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_a_grader_that_does_not_answer_makes_it_503(client, monkeypatch):
    def down(self, job, *, timeout):
        raise GraderUnavailable("no grader worker is running (queue at redis://:pw@db:6379)")

    monkeypatch.setattr(backends.InProcessBackend, "perform", down)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing"
    assert body["checks"]["grader"] == {"ok": False, "error": "GraderUnavailable"}
    assert body["checks"]["database"] == {"ok": True}
    assert "pw" not in response.content.decode()


@pytest.mark.django_db
def test_a_database_that_fails_makes_it_503(client, monkeypatch):
    def broken():
        raise RuntimeError("connection to server at db.internal failed: password=hunter2")

    monkeypatch.setitem(health.CHECKS, "database", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {"ok": False, "error": "RuntimeError"}
    assert "hunter2" not in response.content.decode() and "db.internal" not in str(response.json())


@pytest.mark.django_db
def test_a_flood_of_health_checks_runs_the_grader_once_per_interval(client, monkeypatch):
    runs = []
    real = backends.InProcessBackend.perform

    def counted(self, job, *, timeout):
        runs.append(job)
        return real(self, job, timeout=timeout)

    monkeypatch.setattr(backends.InProcessBackend, "perform", counted)
    for _ in range(5):
        assert client.get("/healthz").status_code == 200
    assert len(runs) == 1
    cache.clear()
    client.get("/healthz")
    assert len(runs) == 2


@pytest.mark.django_db
def test_with_the_redis_backend_it_checks_the_queue_and_its_workers(client, settings, redis_url):
    settings.GRADER = {
        **settings.GRADER,
        "backend": "redis",
        "redis_url": redis_url,
        "timeout_seconds": 2,
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["queue"] == {"ok": False, "grader_workers": 0}
    assert checks["grader"] == {"ok": False, "error": "GraderUnavailable"}
    assert redis_url not in json.dumps(response.json())


def test_it_only_answers_get(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_a_load_balancer_may_probe_it_over_plain_http(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301
