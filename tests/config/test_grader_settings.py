"""settings.GRADER: read from the environment, applied to the grader by ContentConfig.ready."""

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

import grader
from config.grader_options import grader_options


def test_the_environment_sets_only_the_options_it_names():
    environ = {
        "GRADER_POOL_SIZE": "3",
        "GRADER_CPU_SECONDS": "1.5",
        "GRADER_MEMORY_MB": "128",
        "GRADER_PYTHON": "",
    }
    assert grader_options(environ) == {
        "pool_size": 3,
        "limits": {"cpu_seconds": 1.5, "memory_mb": 128},
    }
    assert grader_options({}) == {}


def test_a_malformed_value_names_its_variable():
    with pytest.raises(ImproperlyConfigured, match="GRADER_POOL_SIZE='two' is not a valid int"):
        grader_options({"GRADER_POOL_SIZE": "two"})


def test_the_content_app_applies_settings_grader(settings):
    settings.GRADER = {"pool_size": 3, "witnesses": 1, "limits": {"cpu_seconds": 1.5}}
    apps.get_app_config("content").ready()
    applied = grader.configuration()
    assert (applied.pool_size, applied.witnesses, applied.limits.cpu_seconds) == (3, 1, 1.5)
    assert applied.limits.memory_mb == grader.Limits().memory_mb


def test_a_wrong_grader_setting_stops_the_start_with_its_name(settings):
    settings.GRADER = {"pool_size": 0}
    with pytest.raises(ValueError, match="pool_size must be a positive integer"):
        apps.get_app_config("content").ready()
