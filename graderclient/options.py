"""The grader client's part of settings.GRADER: where a run goes and how long a caller waits.

settings.GRADER is the site's one grader setting (config/grader_options.py reads it from the
`GRADER_*` environment variables). The keys below are the client's; every other key is the
grader library's and is handed to grader.configure (content.apps.ContentConfig.ready, which also
checks these, so that a wrong value stops the site at start-up, not at the first admin save).
"""

import functools
import math
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.utils.module_loading import import_string

# Each client option with its default.
DEFAULTS: dict[str, Any] = {
    # "local" (the machine's one grader service), "redis" (grader workers behind a queue),
    # "inprocess" (this process's own grader server: tests), or a backend's dotted path.
    "backend": "local",
    "redis_url": "",  # the grader queue's Redis (GRADER_REDIS_URL, else REDIS_URL)
    "queue": "grader",
    # How long a caller (an admin save) waits for a grader's outcome before saying none answered.
    "timeout_seconds": 60.0,
    # Grader runs in flight across the site, at most (graderclient/limits.py).
    "max_concurrent_runs": 8,
    "local_socket": "",  # the local service's Unix socket ("": one under the temporary directory)
}
BACKENDS = {
    "local": "graderclient.backends.LocalBackend",
    "redis": "graderclient.backends.RedisBackend",
    "inprocess": "graderclient.backends.InProcessBackend",
}


def library_options(grader_setting: Mapping[str, Any]) -> dict[str, Any]:
    """The options of settings.GRADER that are the grader library's (grader.configure's)."""
    return {name: value for name, value in grader_setting.items() if name not in DEFAULTS}


def checked_client_options(grader_setting: Mapping[str, Any]) -> dict[str, Any]:
    """The client's options (defaults filled in) from settings.GRADER, each checked;
    ImproperlyConfigured names a wrong one."""
    options = DEFAULTS | {k: v for k, v in grader_setting.items() if k in DEFAULTS}
    for name in ("backend", "redis_url", "queue", "local_socket"):
        if not isinstance(options[name], str):
            _wrong(name, options[name], "a string")
    if not options["backend"] or not options["queue"]:
        _wrong("backend" if not options["backend"] else "queue", "", "a non-empty name")
    timeout = options["timeout_seconds"]
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, int | float)
        or not math.isfinite(timeout)
        or timeout <= 0
    ):
        _wrong("timeout_seconds", timeout, "a positive number of seconds")
    runs = options["max_concurrent_runs"]
    if isinstance(runs, bool) or not isinstance(runs, int) or runs < 1:
        _wrong("max_concurrent_runs", runs, "a positive integer")
    backend_class(options["backend"])
    if options["backend"] == "redis" and not options["redis_url"]:
        raise ImproperlyConfigured(
            "settings.GRADER: the redis grader backend needs redis_url "
            "(GRADER_REDIS_URL or REDIS_URL)."
        )
    return options


def backend_class(name: str) -> type:
    """The backend class `name` (a short name or a dotted path) stands for."""
    from graderclient.backends import Backend

    path = BACKENDS.get(name, name)
    try:
        found = import_string(path)
    except ImportError:
        found = None
    if not (isinstance(found, type) and issubclass(found, Backend)):
        raise ImproperlyConfigured(
            f"settings.GRADER: backend {name!r} (GRADER_BACKEND) is neither one of "
            f"{sorted(BACKENDS)} nor the dotted path of a graderclient Backend class."
        )
    return found


@functools.cache
def client_options() -> dict[str, Any]:
    """The client's options in force (read from settings.GRADER once, again when it changes)."""
    return checked_client_options(getattr(settings, "GRADER", {}))


def _wrong(name: str, value: Any, kind: str) -> None:
    raise ImproperlyConfigured(f"settings.GRADER: {name} must be {kind}, got {value!r}")


def _forget(*, setting: str, **kwargs: Any) -> None:
    if setting == "GRADER":
        client_options.cache_clear()


setting_changed.connect(_forget)
