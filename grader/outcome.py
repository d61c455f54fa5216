"""The grader's public value types: the limits a run gets and the outcome it reports."""

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from grader.constants import (
    DEFAULT_CPU_SECONDS,
    DEFAULT_MEMORY_MB,
    DEFAULT_OUTPUT_BYTES,
    DEFAULT_WALL_SECONDS,
    MAX_SOURCE_BYTES,
    MIN_MEMORY_MB,
    STATUSES,
)

__all__ = ["MAX_SOURCE_BYTES", "MIN_MEMORY_MB", "STATUSES", "Limits", "Outcome"]


@dataclass(frozen=True)
class Limits:
    """Resource limits for one run; every field is enforced by the grader."""

    cpu_seconds: float = DEFAULT_CPU_SECONDS
    wall_seconds: float = DEFAULT_WALL_SECONDS
    memory_mb: int = DEFAULT_MEMORY_MB
    output_bytes: int = DEFAULT_OUTPUT_BYTES

    def __post_init__(self):
        for name in ("cpu_seconds", "wall_seconds"):
            _require_positive_number(name, getattr(self, name), integral=False)
        for name in ("memory_mb", "output_bytes"):
            _require_positive_number(name, getattr(self, name), integral=True)
        if self.memory_mb < MIN_MEMORY_MB:
            raise ValueError(
                f"Limits.memory_mb must be at least {MIN_MEMORY_MB} (MB), got {self.memory_mb}: "
                "the sandboxed interpreter itself needs that much address space"
            )


def _require_positive_number(name: str, value: Any, *, integral: bool) -> None:
    kind = "a positive integer" if integral else "a positive number"
    accepted = (int,) if integral else (int, float)
    if isinstance(value, bool) or not isinstance(value, accepted):
        raise ValueError(f"Limits.{name} must be {kind}, got {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"Limits.{name} must be {kind}, got {value!r}")


@dataclass(frozen=True)
class Outcome:
    """What one run of a snippet did, as plain data (see issue 2, section 1)."""

    status: str
    stdout: str = ""
    exception: str | None = None
    exception_line: int | None = None
    reasons: tuple[str, ...] = ()
    python_version: str = ""
    duration_ms: float = 0.0
    trace: dict | None = field(default=None)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["reasons"] = list(self.reasons)
        return data
