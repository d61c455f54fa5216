"""The policy's fidelity hunt: `python -m grader.hunt [--in-process] [FAMILY ...]`.

Generates snippets per family (misspelled names in each scope CPython suggests from; each
construct the policy allows beyond the basics), runs each with the grader and with `python -I`
of this interpreter, and prints per family how many were accepted, refused, and accepted with an
output (stdout or last exception line) other than python's: that last figure must be 0.
tests/grader/test_hunt.py runs it in `make test` on the grader's interpreter and on the other
CPython found (3.13 when the grader runs 3.12), the latter with `--in-process` (the executor in
that interpreter, without the server, whose child only the project's interpreter can start).
"""

import builtins
import keyword
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

# --- misspellings -------------------------------------------------------------------------------


def misspellings(name: str) -> Iterator[str]:
    """A few typos of `name` a student makes: a letter dropped, two swapped, one doubled, one
    replaced by its keyboard neighbour, the case of the first changed."""
    neighbours = dict(zip("abcdefghijklmnopqrstuvwxyz", "sqxsrdfgujlkmnipwtdyiqcxuz", strict=True))
    if len(name) > 1:
        yield name[:-1]
        yield name[1:]
    for i in range(len(name) - 1):
        yield name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    middle = len(name) // 2
    yield name[:middle] + name[middle] + name[middle:]
    if name[middle] in neighbours:
        yield name[:middle] + neighbours[name[middle]] + name[middle + 1 :]
    yield name[0].swapcase() + name[1:]


def _typos(name: str, limit: int) -> list[str]:
    found = []
    for typo in misspellings(name):
        usable = typo.isidentifier() and not keyword.iskeyword(typo) and typo[:1] != "_"
        if usable and typo != name and typo not in found:
            found.append(typo)
    return found[:limit]


PUBLIC_BUILTINS = [name for name in vars(builtins) if name[:1] != "_"]
# Objects whose attributes are misspelt, and a few of their attribute names.
ATTRIBUTE_TARGETS = {
    "[]": ["append", "extend", "insert", "remove", "count", "index", "sort"],
    "{}": ["items", "keys", "values", "setdefault", "update", "get"],
    "set()": ["add", "discard", "union", "intersection"],
    "'text'": ["split", "strip", "upper", "replace", "startswith", "format"],
    "(1, 2)": ["count", "index"],
    "7": ["bit_length", "real", "to_bytes"],
    "Point()": ["x", "label", "move", "distance"],
    "sys": ["getrefcount", "getsizeof", "intern", "version_info", "maxsize", "stdout"],
    "gc": ["collect", "get_count", "isenabled", "get_referents"],
    "copy": ["deepcopy", "copy"],
    "weakref": ["ref", "proxy", "finalize", "WeakValueDictionary"],
}
POINT = (
    "class Point:\n    label = 'p'\n    def __init__(self):\n        self.x = 1\n"
    "    def move(self):\n        return self\n    def distance(self):\n        return 0\n"
)


def _prelude(target: str) -> str:
    if target == "Point()":
        return POINT
    if target.isidentifier():
        return f"import {target}\n"
    return ""


def misspelled_name_family() -> dict[str, list[str]]:
    """Misspelled names in every scope a suggestion is drawn from."""
    families: dict[str, list[str]] = {
        "name_builtin": [],
        "name_global": [],
        "name_local": [],
        "name_self": [],
        "attribute": [],
        "import_from": [],
        "forgot_import": [],
    }
    for index, name in enumerate(PUBLIC_BUILTINS):
        for typo in _typos(name, 2 if index % 2 else 1):
            families["name_builtin"].append(f"print({typo})\n")
    for name in ["total", "items", "counter", "values", "result", "numbers", "alias", "lst"]:
        for typo in _typos(name, 3):
            families["name_global"].append(f"{name} = [1]\nprint({typo})\n")
            families["name_local"].append(
                f"def f({name}):\n    other = 2\n    return {typo}\nprint(f(1))\n"
            )
            families["name_local"].append(f"class Box:\n    {name} = 1\n    print({typo})\n")
            families["name_self"].append(
                f"class Box:\n    def __init__(self):\n        self.{name} = 1\n"
                f"    def show(self):\n        return {typo}\nprint(Box().show())\n"
            )
    for target, names in ATTRIBUTE_TARGETS.items():
        for name in names:
            for typo in _typos(name, 2):
                families["attribute"].append(f"{_prelude(target)}print({target}.{typo})\n")
    for module in ["sys", "gc", "copy", "weakref"]:
        for name in ATTRIBUTE_TARGETS[module]:
            for typo in _typos(name, 2):
                families["import_from"].append(f"from {module} import {typo}\n")
    for module in ["sys", "math", "os", "random", "gc", "copy", "time", "string", "re", "json"]:
        families["forgot_import"].append(f"print({module}.x)\n")
        families["forgot_import"].append(f"{module[:-1]}x = 1\nprint({module})\n")
    return families


# --- running ------------------------------------------------------------------------------------


def python_result(source: str, python: str = sys.executable) -> tuple[str, str | None]:
    """stdout and the last line of the traceback of `python -I snippet.py`."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "snippet.py")
        with open(path, "w", encoding="utf-8") as file:
            file.write(source)
        done = subprocess.run([python, "-I", path], capture_output=True, text=True, timeout=60)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    failed = done.returncode == 1 and any(line.startswith("  File ") for line in lines)
    return done.stdout, lines[-1] if failed else None


def grader_runner(in_process: bool) -> Callable[[str], tuple[str, str, str | None]]:
    """status, stdout, exception of the grader's run."""
    if in_process:
        from grader.execute import execute  # noqa: PLC0415 - only this mode needs it

        def run(source: str) -> tuple[str, str, str | None]:
            result = execute(source, output_bytes=100_000)
            return result["status"], result["stdout"], result["exception"]

        return run
    import grader  # noqa: PLC0415 - the pool starts on first use

    def run_pooled(source: str) -> tuple[str, str, str | None]:
        outcome = grader.run(source)
        return outcome.status, outcome.stdout, outcome.exception

    return run_pooled


def hunt(families: dict[str, list[str]], in_process: bool = False) -> dict[str, dict]:
    """Per family: counts, and the snippets accepted with another output than python's."""
    run = grader_runner(in_process)
    every = [source for sources in families.values() for source in sources]
    with ThreadPoolExecutor(max_workers=2) as pool:
        expected = dict(zip(every, pool.map(python_result, every), strict=True))
    report = {}
    for family, sources in families.items():
        accepted, wrong = 0, []
        for source in sources:
            status, stdout, exception = run(source)
            if status in ("ok", "raised"):
                accepted += 1
                if (stdout, exception) != expected[source]:
                    wrong.append((source, (stdout, exception), expected[source]))
        report[family] = {"snippets": len(sources), "accepted": accepted, "wrong": wrong}
    return report


def all_families() -> dict[str, list[str]]:
    return misspelled_name_family()


def main(argv: list[str]) -> int:
    in_process = "--in-process" in argv
    wanted = [name for name in argv if not name.startswith("--")]
    families = {
        name: sources for name, sources in all_families().items() if not wanted or name in wanted
    }
    report = hunt(families, in_process)
    version = ".".join(map(str, sys.version_info[:3]))
    for family, figures in report.items():
        print(
            f"{version} {family}: {figures['snippets']} snippets, {figures['accepted']} accepted,"
            f" {figures['snippets'] - figures['accepted']} refused,"
            f" {len(figures['wrong'])} accepted and different"
        )
        for source, got, expected in figures["wrong"]:
            print(f"  {source!r}\n    grader {got!r}\n    python {expected!r}")
    return 1 if any(figures["wrong"] for figures in report.values()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
