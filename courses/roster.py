"""Reading a CSV roster (one student a line: username or email, section) into rows to preview
and apply. Pure parsing and matching against loaded users and sections; writes are
courses.services.roster_apply's."""

import csv
import io
from dataclasses import dataclass
from typing import Any

MAX_ROSTER_BYTES = 1_000_000
MAX_ROSTER_ROWS = 5_000
HEADER_WORDS = {"username", "email", "user", "student", "username or email"}


def is_header(cells: list[str]) -> bool:
    """`username,section` and the like (a student named "student" in section A is no header)."""
    return cells[0].lower() in HEADER_WORDS and len(cells) > 1 and cells[1].lower() == "section"


class RosterUnreadable(Exception):
    """The upload is not a CSV roster at all (its message says why)."""


@dataclass
class RosterRow:
    line: int
    identifier: str
    section_name: str
    user: Any = None  # the matched account (AUTH_USER_MODEL)
    section: Any = None  # the matched courses.Section
    action: str = ""  # "add", "move", "keep" or "" when the row has an error
    error: str = ""
    current_section: str = ""  # for "move" and "keep"


def decoded(data: bytes) -> str:
    if len(data) > MAX_ROSTER_BYTES:
        raise RosterUnreadable(f"The file is larger than {MAX_ROSTER_BYTES // 1000} kB.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterUnreadable("The file is not UTF-8 text: save it as CSV (UTF-8).") from None


def parsed_lines(text: str) -> list[tuple[int, str, str]]:
    """(line number, username or email, section name) per non-blank row; a header row is
    skipped. Each row's problems are found later, per row; only a file that is no CSV raises."""
    if "\x00" in text:
        raise RosterUnreadable("The file is not text (it contains NUL characters).")
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as error:
        raise RosterUnreadable(f"The file is not valid CSV: {error}.") from None
    if len(rows) > MAX_ROSTER_ROWS:
        raise RosterUnreadable(f"A roster is limited to {MAX_ROSTER_ROWS} rows.")
    lines = []
    for number, cells in enumerate(rows, start=1):
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue
        if number == 1 and is_header(cells):
            continue
        identifier = cells[0] if cells else ""
        section = cells[1] if len(cells) > 1 else ""
        lines.append((number, identifier, section))
    return lines
