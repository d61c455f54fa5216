"""Reading a CSV roster (one student a line: username or email, section) into rows to preview
and apply. Pure parsing and matching against loaded users and sections; writes are
courses.services.roster_apply's."""

import csv
import io
from dataclasses import dataclass
from typing import Any

MAX_ROSTER_BYTES = 1_000_000
MAX_ROSTER_ROWS = 5_000
# A header's names for the column that identifies a student, the first non-empty one counting.
IDENTIFIER_COLUMNS = ("username", "user", "student", "username or email", "email")


def header_columns(cells: list[str]) -> tuple[list[int], int] | None:
    """For a header row (it names a section column and a username or email column): the
    positions of the identifying columns, in order of preference, and the section's. A
    student named "student" in section A is no header ("A" is no column name)."""
    names = [cell.lower() for cell in cells]
    if "section" not in names:
        return None
    identifiers = [names.index(name) for name in IDENTIFIER_COLUMNS if name in names]
    return (identifiers, names.index("section")) if identifiers else None


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


def parsed_lines(text: str) -> list[tuple[int, str, str, str]]:
    """(line number, username or email, section name, problem) per non-blank row: every row of
    the file is there, a row that cannot be read with its problem ("" for none). A first row
    naming the columns (`username,section`, `email,name,section`...) is a header: it says
    where the two columns are and that the others are to be skipped. Without one, a row is
    `username or email,section`, and a third filled cell is a problem, not dropped unread.
    Only a file that is no CSV at all raises."""
    if "\x00" in text:
        raise RosterUnreadable("The file is not text (it contains NUL characters).")
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as error:
        raise RosterUnreadable(f"The file is not valid CSV: {error}.") from None
    if len(rows) > MAX_ROSTER_ROWS:
        raise RosterUnreadable(f"A roster is limited to {MAX_ROSTER_ROWS} rows.")
    columns = header_columns([cell.strip() for cell in rows[0]]) if rows else None
    lines = []
    for number, cells in enumerate(rows, start=1):
        cells = [cell.strip() for cell in cells]
        if not any(cells) or (number == 1 and columns is not None):
            continue
        if columns is None:
            identifier = cells[0]
            section = cells[1] if len(cells) > 1 else ""
            extra = [cell for cell in cells[2:] if cell]
            problem = (
                f"{2 + len(extra)} filled columns: a row is “username or email, section” "
                "(a first row naming the columns lets others be skipped)."
                if extra
                else ""
            )
        else:
            identifiers, at = columns
            found = [cells[i] for i in identifiers if i < len(cells) and cells[i]]
            identifier = found[0] if found else ""
            section = cells[at] if at < len(cells) else ""
            problem = ""
        lines.append((number, identifier, section, problem))
    return lines
