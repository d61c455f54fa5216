"""How a script's run ends when its last exception is SystemExit or an exception group.

`python -I script.py` handles an uncaught SystemExit without a traceback
(Python/pythonrun.c, _Py_HandleSystemExit): a code of None exits with status 0; an integer is
the exit status (the OS keeps its low 8 bits) and nothing is printed; any other code is printed
to stderr (`str(code)`) and the status is 1. The grader reports a non-zero exit as status
"raised" (a key a question can hold) with the line CPython printed last as its exception (None
when it printed nothing) and the exit status as its reason; a zero exit is "ok".

An uncaught exception group prints a boxed traceback whose last line is the box's bottom border;
`group_last_line` is that line, as the script prints it.
"""

import traceback

from grader.constants import Status

EXIT_REASON = "the snippet exited with status {status} (SystemExit)"


def system_exit(error: SystemExit) -> tuple[str, str | None, str | None]:
    """(status, exception line, reason) for an uncaught SystemExit."""
    code = error.code
    if code is None:
        return Status.OK, None, None
    if isinstance(code, int):
        status = _exit_status(code)
        printed = None
    else:
        status = 1
        try:
            printed = str(code)
        except Exception:  # noqa: BLE001 - CPython then prints nothing it can show here
            printed = None
        if printed is not None:
            printed = printed.rstrip("\n").rpartition("\n")[2] or None
    if status == 0:
        return Status.OK, None, None
    return Status.RAISED, printed, EXIT_REASON.format(status=status)


def _exit_status(code: int) -> int:
    """What the parent sees of exit(code): its low 8 bits (-1 when it overflows a C long)."""
    if not -(1 << 63) <= code < (1 << 63):
        code = -1
    return code & 0xFF


def group_last_line(error: BaseExceptionGroup) -> str:
    """The last line of the boxed traceback CPython prints for an uncaught exception group."""
    shown = traceback.TracebackException(
        type(error), error, error.__traceback__, lookup_lines=False, compact=True
    )
    lines = "".join(shown.format()).splitlines()
    return next((line for line in reversed(lines) if line.strip()), "")
