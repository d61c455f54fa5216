"""The version of an answer a save was typed over, so that a save from a page that has gone never
replaces a newer answer.

The attempt page's script sends with each save the `answered_at` of the stored answer it typed
over ("none" for an unanswered question). A keep-alive save sent by a page being left (or one
from a tab left open) can reach the server after a reloaded page or another tab saved something
newer; its base is then older than the stored answer, and the save is refused instead of
overwriting it. Saves without a base (the form post without JavaScript, older pages) are taken as
before.
"""

from dataclasses import dataclass
from datetime import datetime

NO_ANSWER = "none"  # the base of text typed over an unanswered question
# An ISO 8601 time is some 32 characters; anything much longer is not one.
MAX_VERSION_CHARS = 64


class MalformedVersion(ValueError):
    """The base version sent is neither "none" nor an ISO 8601 time with its offset."""


@dataclass(frozen=True)
class BaseVersion:
    """The stored answer's version a save was typed over; `answered_at` None: no answer yet."""

    answered_at: datetime | None

    def is_older_than(self, stored_at: datetime) -> bool:
        """Whether the stored answer (saved at `stored_at`) was saved after this base."""
        return self.answered_at is None or stored_at > self.answered_at


def parse_base(raw: str | None) -> BaseVersion | None:
    """The base version posted as `raw`; None when the save sent none (taken as before)."""
    if raw is None:
        return None
    if raw == NO_ANSWER:
        return BaseVersion(None)
    message = "The version this answer was typed over is not a date and time."
    if len(raw) > MAX_VERSION_CHARS:
        raise MalformedVersion(message)
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise MalformedVersion(message) from None
    if parsed.tzinfo is None:  # a stored version always has its offset: compare like with like
        raise MalformedVersion(message)
    return BaseVersion(parsed)
