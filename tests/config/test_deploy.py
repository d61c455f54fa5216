"""Production settings pass Django's deployment checks, and the HTTPS settings follow the
environment. Each case loads the settings in a fresh interpreter with exactly that environment."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "quiz.example.org",
}
DEPLOY_CHECK = (
    "import django; django.setup(); from django.core.management import call_command; "
    "call_command('check', deploy=True, fail_level='DEBUG')"
)
HTTPS_SETTINGS = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({name: getattr(s, name, None) for name in ("
    "'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'SESSION_COOKIE_SECURE', "
    "'CSRF_COOKIE_SECURE', 'SECURE_PROXY_SSL_HEADER')}))"
)


def run_with(code: str, **environ: str) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.update(environ)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_production_settings():
    result = run_with(DEPLOY_CHECK, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout + result.stderr


def test_check_deploy_fails_on_the_development_defaults():
    """The check above can fail: the development settings do not pass it."""
    result = run_with(DEPLOY_CHECK)
    assert result.returncode != 0
    assert "security.W018" in result.stderr  # DEBUG on


def https_settings(**environ: str) -> dict:
    result = run_with(HTTPS_SETTINGS, **environ)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_insists_on_https_by_default():
    https = https_settings(**PRODUCTION)
    assert https["SECURE_SSL_REDIRECT"] is True
    assert https["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert https["SESSION_COOKIE_SECURE"] and https["CSRF_COOKIE_SECURE"]
    assert https["SECURE_PROXY_SSL_HEADER"] is None  # a client's header is not trusted


def test_behind_a_tls_proxy_its_forwarded_proto_is_trusted():
    https = https_settings(**PRODUCTION, BEHIND_TLS_PROXY="1", SECURE_HSTS_SECONDS="600")
    assert https["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert https["SECURE_HSTS_SECONDS"] == 600


def test_development_stays_on_plain_http():
    https = https_settings()
    assert https["SECURE_SSL_REDIRECT"] is False and https["SECURE_HSTS_SECONDS"] == 0


# --- deploy/: what an operator installs (issue 14, section 3) ------------------------------------

DEPLOY = ROOT / "deploy"


def example_environment() -> dict:
    """The site's settings as deploy/env.example gives them (its secret made real)."""
    environ = {}
    for line in (DEPLOY / "env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            environ[name] = value
    environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    return environ


def test_check_deploy_is_clean_with_the_documented_production_environment():
    """deploy/env.example: PostgreSQL, Redis for tasks, cache and grader queue, behind nginx."""
    result = run_with(DEPLOY_CHECK, **example_environment())
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout + result.stderr
    settings_now = run_with(
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.GRADER['backend'], s.TASKS['default']['BACKEND'], "
        "s.CACHES['default']['BACKEND'], list(s.SECURE_PROXY_SSL_HEADER), "
        "bool(s.SECURE_CSP), s.SECURE_HSTS_SECONDS]))",
        **example_environment(),
    )
    assert json.loads(settings_now.stdout) == [
        "redis",
        "django_tasks_rq.RQBackend",
        "django.core.cache.backends.redis.RedisCache",
        ["HTTP_X_FORWARDED_PROTO", "https"],
        True,
        31_536_000,
    ]


def test_the_redis_grader_backend_without_a_url_stops_the_site():
    result = run_with(DEPLOY_CHECK, **PRODUCTION, GRADER_BACKEND="redis")
    assert result.returncode != 0
    assert "needs redis_url (GRADER_REDIS_URL or REDIS_URL)" in result.stderr


def test_the_grader_worker_unit_gives_it_no_database_or_site_secret():
    unit = (DEPLOY / "memory-model-grader@.service").read_text()
    assert "EnvironmentFile=/etc/memory-model/grader.env" in unit
    assert "site.env" not in unit and "manage.py" not in unit
    assert "from grader.worker import main" in unit
    grader_env = (DEPLOY / "env.example").read_text().split("grader.env", 1)[1]
    names = {line.lstrip("# ").split("=")[0] for line in grader_env.splitlines() if "=" in line}
    # GRADER_PYTHON: the interpreter a worker runs, whose line's queue it serves (issue 18);
    # GRADER_CPUS: the CPUs it and its runs may use.
    assert names == {
        "GRADER_REDIS_URL",
        "GRADER_QUEUE",
        "GRADER_POOL_SIZE",
        "GRADER_PYTHON",
        "GRADER_CPUS",
    }
    # Every setting the worker reads is listed, but its name, which the unit sets per instance.
    worker = (ROOT / "grader" / "worker.py").read_text()
    read = set(re.findall(r'environ(?:\.get\(|\[)"(GRADER_[A-Z_]+)"', worker))
    assert read == names | {"GRADER_WORKER_NAME"}
    assert "Environment=GRADER_WORKER_NAME=" in unit


def test_the_grader_worker_unit_gives_its_server_the_priorities_it_needs():
    """Unprivileged, the grader server can lower its own and its idle children's priority below
    the runs' only if RLIMIT_NICE lets a run take niceness 0 back (grader.server.yield_to_runs)."""
    unit = (DEPLOY / "memory-model-grader@.service").read_text()
    assert "\nLimitNICE=20\n" in unit
    assert "\nEnvironmentFile=-/etc/memory-model/grader-%i.env\n" in unit


def test_every_setting_the_site_reads_from_the_environment_is_listed_for_the_operator():
    read = set()
    for path in (ROOT / "config").glob("*.py"):
        read |= set(re.findall(r'(?:environ\.get|env_bool)\(\s*"([A-Z_]+)"', path.read_text()))
    listed = (DEPLOY / "env.example").read_text()
    missing = sorted(name for name in read if name not in listed)
    assert not missing, f"not in deploy/env.example: {missing}"


def test_gunicorn_loads_the_deploy_config():
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            "deploy/gunicorn.conf.py",
            "--check-config",
            "config.wsgi",
        ],
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", ""), **PRODUCTION},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_no_worker_is_replaced_during_a_500_student_exam_and_workers_are_not_replaced_together():
    """gunicorn replaces a worker after max_requests plus up to max_requests_jitter requests. A
    class of 500 sends ~15,000 requests (loadtest/), ~3,750 to each of the 4 workers of a 2-CPU
    machine: at 2,000 (+0-200) every worker was replaced within seconds of the others, twice an
    exam, once during its opening."""
    import runpy

    config = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert config["preload_app"] is True  # a new worker is forked from the warmed-up master
    assert config["max_requests"] >= 500 * 30 // 4
    assert config["max_requests_jitter"] >= config["max_requests"] // 4
