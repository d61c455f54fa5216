"""A program a user saved from the playground, with the grader's outcome of it."""

import secrets

from django.conf import settings
from django.db import models

# 12 URL-safe characters: 72 random bits, so a link cannot be guessed or enumerated.
LINK_BYTES = 9


def new_link() -> str:
    return secrets.token_urlsafe(LINK_BYTES)


class SavedProgram(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_programs"
    )
    link = models.CharField(max_length=16, unique=True, default=new_link, editable=False)
    source = models.TextField()
    # The grader's Outcome.to_dict() of `source` at saving time (its trace draws the diagram), so
    # opening the link shows it without running anything.
    outcome = models.JSONField()
    # Private until its owner shares it: only then does the link open for anyone logged in.
    is_shared = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"program {self.link} of {self.owner}"
