"""settings.GRADER, the site's one grader setting: read from the GRADER_* environment variables,
the grader client's options checked and the library's applied by ContentConfig.ready."""

import os
import secrets
import subprocess
import sys

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured

import grader
import graderclient
from config.grader_options import grader_options
from graderclient import backends, limits
from tests.config.test_deploy import ROOT


def test_the_environment_sets_only_the_options_it_names():
    environ = {
        "GRADER_POOL_SIZE": "3",
        "GRADER_CPU_SECONDS": "1.5",
        "GRADER_MEMORY_MB": "128",
        "GRADER_PYTHON": "",
        "GRADER_BACKEND": "redis",
        "GRADER_QUEUE": "exam",
        "GRADER_TIMEOUT_SECONDS": "20",
        "GRADER_MAX_CONCURRENT_RUNS": "4",
    }
    assert grader_options(environ) == {
        "pool_size": 3,
        "limits": {"cpu_seconds": 1.5, "memory_mb": 128},
        "backend": "redis",
        "queue": "exam",
        "timeout_seconds": 20.0,
        "max_concurrent_runs": 4,
    }
    assert grader_options({}) == {}


def test_the_grader_queue_is_on_the_sites_redis_unless_it_has_its_own():
    assert grader_options({"REDIS_URL": "redis://a/0"}) == {"redis_url": "redis://a/0"}
    both = {"REDIS_URL": "redis://a/0", "GRADER_REDIS_URL": "redis://b/1"}
    assert grader_options(both) == {"redis_url": "redis://b/1"}


@pytest.mark.parametrize(
    ("variable", "value", "kind"),
    [
        ("GRADER_POOL_SIZE", "two", "int"),
        ("GRADER_TIMEOUT_SECONDS", "a minute", "float"),
        ("GRADER_MAX_CONCURRENT_RUNS", "8.5", "int"),
    ],
)
def test_a_malformed_value_names_its_variable(variable, value, kind):
    with pytest.raises(ImproperlyConfigured, match=f"{variable}='{value}' is not a valid {kind}"):
        grader_options({variable: value})


def test_there_is_one_grader_setting():
    assert not hasattr(django_settings, "GRADER_CLIENT")


def test_the_content_app_applies_settings_grader(settings):
    settings.GRADER = {
        "pool_size": 3,
        "witnesses": 1,
        "limits": {"cpu_seconds": 1.5},
        "backend": "inprocess",
        "timeout_seconds": 7,
    }
    apps.get_app_config("content").ready()
    applied = grader.configuration()
    assert (applied.pool_size, applied.witnesses, applied.limits.cpu_seconds) == (3, 1, 1.5)
    assert applied.limits.memory_mb == grader.Limits().memory_mb


def test_the_client_reads_its_options_from_settings_grader(settings):
    settings.GRADER = {**settings.GRADER, "backend": "inprocess", "max_concurrent_runs": 3}
    assert isinstance(graderclient.backend(), backends.InProcessBackend)
    assert limits._max_runs() == 3
    settings.GRADER = {**settings.GRADER, "backend": "local", "local_socket": "/tmp/g.sock"}
    assert isinstance(graderclient.backend(), backends.LocalBackend)
    assert graderclient.backend().socket_path == "/tmp/g.sock"


@pytest.mark.parametrize(
    ("option", "match"),
    [
        ({"pool_size": 0}, r"settings.GRADER: pool_size must be a positive integer"),
        ({"pool_sise": 2}, r"settings.GRADER: unknown grader option\(s\) \['pool_sise'\]"),
        ({"backend": "redsi"}, r"backend 'redsi' \(GRADER_BACKEND\) is neither one of"),
        ({"backend": "grader.run"}, r"backend 'grader.run' .* nor the dotted path of a"),
        ({"backend": "redis", "redis_url": ""}, r"redis grader backend needs redis_url"),
        ({"timeout_seconds": 0}, r"timeout_seconds must be a positive number of seconds"),
        ({"timeout_seconds": "60"}, r"timeout_seconds must be a positive number"),
        ({"max_concurrent_runs": 0}, r"max_concurrent_runs must be a positive integer"),
        ({"queue": ""}, r"queue must be a non-empty name"),
    ],
)
def test_a_wrong_grader_setting_stops_the_start_with_its_name(settings, option, match):
    settings.GRADER = {"backend": "inprocess", **option}
    with pytest.raises(ImproperlyConfigured, match=match):
        apps.get_app_config("content").ready()


def start_site(**environ: str) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "quiz.example.org",
        **environ,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"GRADER_BACKEND": "redsi"}, "backend 'redsi' (GRADER_BACKEND)"),
        ({"GRADER_TIMEOUT_SECONDS": "-5"}, "timeout_seconds must be a positive number"),
        ({"GRADER_MAX_CONCURRENT_RUNS": "many"}, "GRADER_MAX_CONCURRENT_RUNS='many'"),
    ],
)
def test_production_refuses_to_start_on_a_wrong_grader_variable(environ, named):
    started = start_site(**environ)
    assert started.returncode != 0
    assert "ImproperlyConfigured" in started.stderr and named in started.stderr


def test_production_starts_with_the_grader_variables_right():
    started = start_site(GRADER_BACKEND="local", GRADER_TIMEOUT_SECONDS="30")
    assert started.returncode == 0, started.stderr
