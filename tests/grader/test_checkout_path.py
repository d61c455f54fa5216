"""The grader's children start and import as a script's wherever the project is checked out.

A root-started grader server runs snippets in children without privileges. A checkout behind a
directory they may not enter (`mktemp -d` makes them so: a fresh clone in one failed, others
passed) made a child's first real `import copy` or `import weakref` (standins.ScriptImports)
look in the project's directory, which a script's imports never search: unable to stat it, the
child refilled that finder's listing, and the old listing, immortal in the server, was never
freed (one allocation more than a script's: first-import corrections of -1). The imports now
search a script's sys.path. Each interpreter's server is started from a copy of the grader
behind such a directory (as another user it enters nothing: run as root, as the CI is, the
children drop privileges).
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import grader

GRADER_DIR = Path(grader.__file__).resolve().parent
HELLO = """\
import json, sys
sys.path.insert(0, sys.argv[1])
from grader import pool
in_force = pool.server_hello(sys.argv[2])["in_force"]
print(json.dumps([in_force["first_import_corrections"], in_force["collector_start_residuals"]]))
pool.shutdown()
"""


def _private_checkout(tmp_path: Path, name: str) -> Path:
    """A copy of the grader in `name`, inside a directory only its owner may enter."""
    private = tmp_path / "private"
    checkout = private / name
    shutil.copytree(GRADER_DIR, checkout / "grader", ignore=shutil.ignore_patterns("__pycache__"))
    private.chmod(0o700)
    return checkout


@pytest.mark.parametrize("python", grader.interpreters())
@pytest.mark.parametrize("name", ["x", "tmp.ft3jHWZkkk-" + "x" * 60])
def test_first_imports_need_no_correction_behind_a_private_directory(tmp_path, python, name):
    checkout = _private_checkout(tmp_path, name)
    started = subprocess.run(
        [sys.executable, "-c", HELLO, str(checkout), python],
        capture_output=True,
        text=True,
        cwd=checkout,
        timeout=300,
    )
    assert started.returncode == 0, started.stderr
    corrections, residuals = json.loads(started.stdout)
    assert corrections and set(corrections.values()) == {0}, corrections
    assert residuals and set(residuals.values()) == {0}, residuals
