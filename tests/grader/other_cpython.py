"""The other CPython the grader's fidelity is checked on: 3.13 when the grader runs 3.12."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

OTHER_VERSIONS = {(3, 12): "3.13", (3, 13): "3.12"}


def find_other_cpython() -> str | None:
    """OTHER_CPYTHON, or the other version found in pyenv or on PATH."""
    if os.environ.get("OTHER_CPYTHON"):
        return os.environ["OTHER_CPYTHON"]
    version = OTHER_VERSIONS.get(sys.version_info[:2])
    if version is None:
        return None
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates = [str(path) for path in sorted(pyenv.glob(f"{version}.*/bin/python"))]
    candidates.append(shutil.which(f"python{version}"))
    return next((c for c in candidates if c and _works(c)), None)


def _works(python: str) -> bool:
    try:
        return subprocess.run([python, "-I", "-c", "pass"], capture_output=True).returncode == 0
    except OSError:
        return False
