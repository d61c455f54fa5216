"""Production settings pass Django's deployment checks, and the HTTPS settings follow the
environment. Each case loads the settings in a fresh interpreter with exactly that environment."""

import json
import os
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
