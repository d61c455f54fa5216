"""Where a wrong typed answer first departs from the answer key, under the grading rules.

The explanation must agree with quizzes.grading: both sides are compared as grading.normalise
leaves them (spaces at the end of a line and blank lines at the end never count), and when the
snippet raised, the last line may be the whole exception line or just its type, whichever the
answer follows further. Pure functions: nothing here touches the database or the sandbox.
"""

import unicodedata
from dataclasses import dataclass

from quizzes import grading

SPACE, TAB, LINE_END = "·", "→", "⏎"

# Why the first difference is one, as the feedback explains it (templates/quizzes/_difference.html).
MISSING_LINE = "missing_line"  # the answer stops; the output has more lines
EXTRA_LINE = "extra_line"  # the answer goes on after the output's last line
LINE_ENDS_EARLY = "line_ends_early"  # the answer's line stops before the output's does
LINE_GOES_ON = "line_goes_on"  # the answer's line goes on after the output's ends
INDENTATION = "indentation"  # the spaces or tabs at the start of the line differ
WHITESPACE = "whitespace"  # a space or tab inside the line differs
EXCEPTION_MESSAGE = "exception_message"  # right exception type, different message
TEXT = "text"  # any other character


def visible(text: str) -> str:
    """`text` with its whitespace and invisible characters shown: · a space, → a tab, and
    <U+00A0> for any other (a no-break space pasted from a web page looks like a space)."""
    shown = []
    for char in text:
        if char == " ":
            shown.append(SPACE)
        elif char == "\t":
            shown.append(TAB)
        elif char.isspace() or not char.isprintable() or unicodedata.category(char) == "Cf":
            shown.append(f"<U+{ord(char):04X}>")
        else:
            shown.append(char)
    return "".join(shown)


@dataclass(frozen=True)
class Side:
    """One side's line at the first difference, split around the differing character, with
    whitespace made visible. `at` is LINE_END where the line ends; a side with no line at all
    (`exists` False) has empty parts."""

    exists: bool
    before: str = ""
    at: str = ""
    after: str = ""


@dataclass(frozen=True)
class Difference:
    line: int  # 1-based, as the answer was typed
    column: int  # 1-based character of that line
    kind: str
    expected: Side  # the real output's line
    answered: Side  # the answer's line

    @property
    def position(self) -> tuple[int, int]:
        return (self.line, self.column)


def _side(line: str, index: int) -> Side:
    at = visible(line[index]) if index < len(line) else LINE_END
    return Side(True, visible(line[:index]), at, visible(line[index + 1 :]))


def _common_prefix(a: str, b: str) -> int:
    index = 0
    while index < min(len(a), len(b)) and a[index] == b[index]:
        index += 1
    return index


def _kind(expected: str, answered: str, index: int, exception_at: int | None, row: int) -> str:
    if index >= len(answered):
        return LINE_ENDS_EARLY
    if index >= len(expected):
        return LINE_GOES_ON
    if row == exception_at:
        kind = grading.exception_type(expected)
        if grading.exception_type(answered) == kind and index >= len(kind):
            return EXCEPTION_MESSAGE
    if expected[index].isspace() or answered[index].isspace():
        return INDENTATION if not expected[:index].strip() else WHITESPACE
    return TEXT


def _difference(answered: list[str], expected: list[str], exception_at: int | None):
    """The first difference between two normalised line lists; None when they are equal."""
    for row in range(max(len(answered), len(expected))):
        if row >= len(answered):
            return Difference(row + 1, 1, MISSING_LINE, _side(expected[row], 0), Side(False))
        if row >= len(expected):
            return Difference(row + 1, 1, EXTRA_LINE, Side(False), _side(answered[row], 0))
        if answered[row] != expected[row]:
            index = _common_prefix(answered[row], expected[row])
            kind = _kind(expected[row], answered[row], index, exception_at, row)
            return Difference(
                row + 1, index + 1, kind, _side(expected[row], index), _side(answered[row], index)
            )
    return None


def first_difference(answer: str, key: dict) -> Difference | None:
    """Where `answer` first differs from the outcome in `key`; None when the grader accepts it.

    With an exception, the answer is compared with both accepted last lines (the whole line,
    the type alone) and the difference shown is the one the answer reaches further into."""
    if grading.answer_matches(answer, key):
        return None
    answered = grading.normalise(answer)
    stdout = grading.normalise(key.get("stdout") or "")
    exception = key.get("exception")
    if not exception:
        return _difference(answered, stdout, None)
    exception_at = len(stdout)
    whole = _difference(answered, stdout + grading.normalise(exception), exception_at)
    type_only = _difference(answered, stdout + [grading.exception_type(exception)], exception_at)
    # On a tie the whole line is shown: it is the fuller statement of what was printed.
    return max(whole, type_only, key=lambda difference: difference.position)
