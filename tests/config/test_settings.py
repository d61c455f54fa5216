"""Settings are read from the environment: safe defaults in development, a loud failure in
production without a SECRET_KEY. Each case imports the settings in a fresh interpreter with
exactly the environment under test."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRINT_SETTINGS = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.DEBUG, s.DATABASES['default']['ENGINE'], ','.join(s.ALLOWED_HOSTS))"
)


def load_settings(**environ: str) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.update(environ)
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_development_defaults_need_no_environment():
    result = load_settings()
    assert result.returncode == 0, result.stderr
    debug, engine, hosts = result.stdout.split()
    assert debug == "True"
    assert engine == "django.db.backends.sqlite3"
    assert "127.0.0.1" in hosts.split(",")


def test_production_refuses_to_start_without_a_secret_key():
    result = load_settings(DEBUG="false", ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_production_reads_secret_key_hosts_and_database_url():
    result = load_settings(
        DEBUG="0",
        SECRET_KEY="a-real-secret-from-the-environment",
        ALLOWED_HOSTS="quiz.example.org, www.example.org",
        DATABASE_URL="postgres://user:pw@db.example.org:5432/course",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "django.db.backends.postgresql",
        "quiz.example.org,www.example.org",
    ]
