"""Command line: `python -m grader run [--timeout S] [--memory-mb N] FILE|-` and `... bench`.

`run` prints the Outcome as one JSON object and exits 0 whatever the snippet did; it exits 2 with a
message on stderr only when the grader itself could not do its job (unreadable file, source that
is not UTF-8, a sandbox that refuses to start).
"""

import argparse
import io
import json
import sys
import tokenize

EXIT_GRADER_FAILED = 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader")
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="run a snippet in the sandbox, print JSON")
    run_parser.add_argument("file", help="the snippet's path, or - for standard input")
    run_parser.add_argument(
        "--timeout", type=float, metavar="S", help="CPU seconds (the wall clock gets S + 1)"
    )
    run_parser.add_argument("--memory-mb", type=int, metavar="N", help="address space in MB")
    commands.add_parser("bench", help="measure the grader (prints figures)")
    arguments = parser.parse_args(argv)
    if arguments.command == "bench":
        from grader import bench

        bench.main()
        return 0
    return _run(arguments)


def _run(arguments) -> int:
    import grader

    try:
        limits = _limits(arguments.timeout, arguments.memory_mb)
        source = _read_source(arguments.file)
        outcome = grader.run(source, limits=limits)
    except (OSError, ValueError, grader.GraderUnavailable) as error:
        print(f"grader: {error}", file=sys.stderr)
        return EXIT_GRADER_FAILED
    print(json.dumps(outcome.to_dict(), ensure_ascii=False))
    return 0


def _limits(timeout: float | None, memory_mb: int | None):
    from grader import Limits

    changes: dict[str, float | int] = {}
    if timeout is not None:
        # The wall clock keeps the default second of headroom over the CPU limit (2 s and 3 s),
        # so a busy snippet is reported as over its CPU time, not over the clock.
        changes.update(cpu_seconds=timeout, wall_seconds=timeout + 1)
    if memory_mb is not None:
        changes["memory_mb"] = memory_mb
    return Limits(**changes)


def _read_source(path: str) -> str:
    """The file's text decoded as Python decodes a script (BOM, coding cookie, else UTF-8)."""
    data = sys.stdin.buffer.read() if path == "-" else _read_bytes(path)
    name = "standard input" if path == "-" else path
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding)
    except SyntaxError as error:  # not UTF-8 and no usable coding declaration
        raise ValueError(f"{name}: cannot decode the source as Python would ({error})") from None
    except UnicodeDecodeError as error:
        raise ValueError(
            f"{name} is not valid {error.encoding} text (byte {error.object[error.start]:#04x} "
            f"at offset {error.start})"
        ) from None


def _read_bytes(path: str) -> bytes:
    try:
        with open(path, "rb") as file:
            return file.read()
    except OSError as error:
        raise OSError(f"cannot read {path}: {error.strerror}") from None


if __name__ == "__main__":
    sys.exit(main())
