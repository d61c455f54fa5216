"""NUL characters in what a snippet printed or raised: stored faithfully, shown visibly.

PostgreSQL's jsonb refuses the NUL character ("unsupported Unicode escape sequence"), so a key
whose output holds one could not be stored. `escape_nul` rewrites every string of a JSON value
(dict keys included) without NUL, `restore_nul` undoes it exactly:

    ESCAPE -> ESCAPE ESCAPE        NUL -> ESCAPE "0"

ESCAPE is U+FFFF, a Unicode noncharacter (reserved for a program's internal use). Strings with
neither character, which is every key stored before this, are unchanged either way.

A NUL prints as nothing in a browser; `visible_nul` shows it as ␀ (U+2400 SYMBOL FOR NULL).
"""

import json
import re

NUL = "\x00"
ESCAPE = "\uffff"
NUL_SIGN = "\u2400"
_ESCAPED = re.compile(f"{ESCAPE}([{ESCAPE}0])")


def _map_strings(value, function):
    if isinstance(value, str):
        return function(value)
    if isinstance(value, dict):
        return {_map_strings(k, function): _map_strings(v, function) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_map_strings(item, function) for item in value]
    return value


def _escape(text: str) -> str:
    if NUL not in text and ESCAPE not in text:
        return text
    return text.replace(ESCAPE, ESCAPE + ESCAPE).replace(NUL, ESCAPE + "0")


def _restore(text: str) -> str:
    if ESCAPE not in text:
        return text
    return _ESCAPED.sub(lambda match: NUL if match.group(1) == "0" else ESCAPE, text)


def escape_nul(value):
    """A JSON value whose strings hold no NUL (see the module's docstring)."""
    return _map_strings(value, _escape)


def restore_nul(value):
    """The value `escape_nul` was given."""
    return _map_strings(value, _restore)


# NUL in JSON text: json.dumps always writes it so.
NUL_IN_JSON = "\\u0000"
# ESCAPE in JSON text: the character itself, or its \u escape in any case of its hex digits.
_ESCAPE_IN_JSON = re.compile(f"{ESCAPE}|\\\\u[fF]{{4}}")


def may_hold_escape(json_text: str) -> bool:
    """Whether a string decoded from `json_text` may hold ESCAPE. When not (every key without
    NUL: almost all), restore_nul would change nothing, and walking a large trace to find that
    out is what an attempt's result page spent most of its decoding on."""
    return _ESCAPE_IN_JSON.search(json_text) is not None


def visible_nul(value):
    """The value with each NUL of its strings shown as ␀, for display only."""
    if isinstance(value, str):
        return value.replace(NUL, NUL_SIGN)
    if not _may_hold_nul(value):
        return value
    return _map_strings(value, lambda text: text.replace(NUL, NUL_SIGN))


def _may_hold_nul(value) -> bool:
    """Whether some string of `value` may hold NUL: serialised (in C), a NUL is always written
    as \\u0000. A value that is not JSON is walked."""
    try:
        return NUL_IN_JSON in json.dumps(value)
    except (TypeError, ValueError):
        return True
