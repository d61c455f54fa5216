"""The order in which a student sees a question's choices.

Authors list the right choice wherever they like (usually first), so choices are never shown in
stored order. Each student has a seed; a question's choices are shuffled by that seed and the
question, so one student sees the same order on every reload, every attempt and in practice,
while over many students each choice comes first about equally often. The seed is stored with
each attempt and practice answer, so a result page or a regrade shows exactly what was seen
even if the way seeds are derived changes later.
"""

import hashlib
import hmac
import random
from collections.abc import Iterable

from django.conf import settings

from quizzes.models import Choice

_SEED_BITS = 62  # fits a signed 64-bit column on every database


def student_seed(user) -> int:
    """A stable, unguessable seed for one student (derived from SECRET_KEY and the user id)."""
    message = f"choice-order:{user.pk}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") >> (64 - _SEED_BITS)


def shuffled(choices: Iterable[Choice], *, seed: int | None, question_id: int) -> list[Choice]:
    """`choices` in the order the student with `seed` sees them for this question.

    The result does not depend on the order `choices` come in (they are sorted by id first),
    so reordering choices in the admin or the fixtures changes nothing a student sees. A None
    seed (attempts and answers stored before choices were shuffled) gives the stored order,
    which is what those students saw."""
    if seed is None:
        return sorted(choices, key=lambda choice: (choice.order, choice.pk))
    ordered = sorted(choices, key=lambda choice: choice.pk)
    random.Random(f"{seed}:{question_id}").shuffle(ordered)
    return ordered
