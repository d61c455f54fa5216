"""JSON that PostgreSQL can store whatever a snippet printed: see quizzes.nul.

Used by every JSONField holding a grader's outcome or trace (answer keys, key traces, concept
page outputs, the keys answers were graded against), as `models.JSONField(**NUL_SAFE_JSON)`.
"""

import json

from quizzes.nul import escape_nul, may_hold_escape, restore_nul


class NulEscapingEncoder(json.JSONEncoder):
    def encode(self, o) -> str:
        return super().encode(escape_nul(o))


class NulRestoringDecoder(json.JSONDecoder):
    def decode(self, s, *args, **kwargs):
        value = super().decode(s, *args, **kwargs)
        return restore_nul(value) if may_hold_escape(s) else value


NUL_SAFE_JSON = {"encoder": NulEscapingEncoder, "decoder": NulRestoringDecoder}
