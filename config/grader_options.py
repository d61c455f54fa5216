"""settings.GRADER from the environment: what an operator sets for the grader without editing
code. One dict holds the grader library's options (grader/config.py lists them and their
defaults) and the grader client's (graderclient/options.py: backend, queue, timeout, cap);
content.apps.ContentConfig.ready checks the client's and hands the library's to
grader.configure."""

from collections.abc import Callable, Mapping

from django.core.exceptions import ImproperlyConfigured

from grader.config import interpreter_paths

# option -> (environment variable, type)
OPTIONS: dict[str, tuple[str, Callable]] = {
    "pool_size": ("GRADER_POOL_SIZE", int),
    "python": ("GRADER_PYTHON", str),
    # The other interpreters keys are computed on, paths separated by os.pathsep (issue 18).
    "interpreters": ("GRADER_INTERPRETERS", interpreter_paths),
    "start_seconds": ("GRADER_START_SECONDS", float),
}
# The grader client's options (graderclient/options.py).
CLIENT_OPTIONS: dict[str, tuple[str, Callable]] = {
    "backend": ("GRADER_BACKEND", str),
    "redis_url": ("GRADER_REDIS_URL", str),
    "queue": ("GRADER_QUEUE", str),
    "timeout_seconds": ("GRADER_TIMEOUT_SECONDS", float),
    "max_concurrent_runs": ("GRADER_MAX_CONCURRENT_RUNS", int),
    "local_socket": ("GRADER_LOCAL_SOCKET", str),
}
# The default limits of a run (grader.Limits' fields).
LIMITS: dict[str, tuple[str, Callable]] = {
    "cpu_seconds": ("GRADER_CPU_SECONDS", float),
    "wall_seconds": ("GRADER_WALL_SECONDS", float),
    "memory_mb": ("GRADER_MEMORY_MB", int),
    "output_bytes": ("GRADER_OUTPUT_BYTES", int),
}


def grader_options(environ: Mapping[str, str]) -> dict:
    """The GRADER setting: only the options the environment sets, converted."""
    options = _read(environ, OPTIONS) | _read(environ, CLIENT_OPTIONS)
    if "redis_url" not in options and environ.get("REDIS_URL", "").strip():
        options["redis_url"] = environ["REDIS_URL"].strip()  # the site's one Redis
    limits = _read(environ, LIMITS)
    if limits:
        options["limits"] = limits
    return options


def _read(environ: Mapping[str, str], table: dict[str, tuple[str, Callable]]) -> dict:
    found = {}
    for option, (variable, kind) in table.items():
        text = environ.get(variable, "").strip()
        if not text:
            continue
        try:
            found[option] = kind(text)
        except ValueError:
            raise ImproperlyConfigured(
                f"{variable}={text!r} is not a valid {kind.__name__} (grader option {option})"
            ) from None
    return found
