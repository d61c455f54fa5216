"""The other CPython the grader's fidelity is checked on (3.13 when the grader runs 3.12), and
a way to run the grader's executor in it: the server's child runs only the project's
interpreter, so there the executor runs in-process, with RestrictedPython (pure Python) taken
from the project's environment."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import RestrictedPython

PROJECT_ROOT = Path(__file__).resolve().parents[2]
OTHER_VERSIONS = {(3, 12): "3.13", (3, 13): "3.12"}


def find_other_cpython() -> str | None:
    """OTHER_CPYTHON, or the other version found on PATH or in pyenv."""
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


def run_in_other(
    python: str, folder: Path, code: str, timeout: float
) -> subprocess.CompletedProcess:
    """Run `code` in `python` with the project and RestrictedPython importable."""
    library = folder / "library"
    library.mkdir(exist_ok=True)
    link = library / "RestrictedPython"
    if not link.exists():
        link.symlink_to(Path(RestrictedPython.__file__).parent)
    bootstrap = f"import sys; sys.path[:0] = [{str(PROJECT_ROOT)!r}, {str(library)!r}]\n"
    return subprocess.run(
        [python, "-I", "-c", bootstrap + code],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=folder,
    )
