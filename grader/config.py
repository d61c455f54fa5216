"""The grader's configuration: the library's own defaults, and `configured`, which checks a
change to them.

Used alone, the grader runs with `defaults()` (GRADER_POOL_SIZE, else one run per CPU). A site
sets what it needs once at start-up (`grader.configure(**settings.GRADER)` in its AppConfig);
`grader.configuration()` reads the configuration in force.
"""

import math
import os
import sys
from dataclasses import dataclass, field, fields, replace
from typing import Any

from grader.outcome import Limits


@dataclass(frozen=True)
class Config:
    """How the caller runs the grader server; see each field."""

    # How many snippets may run at once: the connections to the grader server.
    pool_size: int
    # The limits of a run that names none (grader.run(source)).
    limits: Limits = field(default_factory=Limits)
    # The interpreter that runs the grader server, hence every snippet (`python -I`); it needs
    # the grader's requirements (a virtual environment's python).
    python: str = sys.executable
    # The other interpreters keys are computed on (paths, as `python`): one grader server each,
    # started on first use; a run names its interpreter (grader.run(source, python=path)).
    interpreters: tuple[str, ...] = ()
    # For the grader server to start and pass its self-check.
    start_seconds: float = 30.0
    # Beyond a run's wall-clock limit, before the server itself counts as hung.
    reply_grace_seconds: float = 5.0
    # For the server to hand over the next child.
    hand_over_seconds: float = 10.0
    # The extra interpreters grader.output_varies compares a snippet's runs with.
    witnesses: int = 3


def defaults() -> Config:
    """The library's own configuration (GRADER_POOL_SIZE read now, else the number of CPUs;
    GRADER_INTERPRETERS, paths separated by os.pathsep, the other interpreters)."""
    return Config(
        pool_size=int(os.environ.get("GRADER_POOL_SIZE") or os.cpu_count() or 1),
        interpreters=interpreter_paths(os.environ.get("GRADER_INTERPRETERS", "")),
    )


def interpreter_paths(text: str) -> tuple[str, ...]:
    """GRADER_INTERPRETERS' paths (separated by os.pathsep), blanks dropped."""
    return tuple(path.strip() for path in text.split(os.pathsep) if path.strip())


OPTIONS = tuple(option.name for option in fields(Config))


def configured(current: Config, options: dict[str, Any]) -> Config:
    """`current` with `options` applied, each checked; ValueError names a wrong one."""
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise ValueError(f"unknown grader option(s) {unknown}; the options are {list(OPTIONS)}")
    changes = dict(options)
    if "limits" in changes and isinstance(changes["limits"], dict):
        changes["limits"] = Limits(**changes["limits"])
    for name in ("pool_size", "witnesses"):
        if name in changes:
            _require_count(name, changes[name], minimum=1 if name == "pool_size" else 0)
    for name in ("start_seconds", "reply_grace_seconds", "hand_over_seconds"):
        if name in changes:
            _require_seconds(name, changes[name])
    if "limits" in changes and not isinstance(changes["limits"], Limits):
        raise ValueError(f"limits must be a grader.Limits or a dict, got {changes['limits']!r}")
    if "python" in changes and not _is_interpreter(changes["python"]):
        raise ValueError(f"python must be an executable interpreter, got {changes['python']!r}")
    if "interpreters" in changes:
        listed = changes["interpreters"]
        if isinstance(listed, str) or not all(_is_interpreter(path) for path in listed):
            raise ValueError(f"interpreters must be executable interpreters, got {listed!r}")
        changes["interpreters"] = tuple(listed)
    return replace(current, **changes)


def _is_interpreter(path: Any) -> bool:
    return isinstance(path, str) and os.access(path, os.X_OK)


def _require_count(name: str, value: Any, *, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        kind = "a positive integer" if minimum else "a non-negative integer"
        raise ValueError(f"{name} must be {kind}, got {value!r}")


def _require_seconds(name: str, value: Any) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise ValueError(f"{name} must be a positive number of seconds, got {value!r}")
