"""The course text: topics, concept pages and the grader's stored runs of their code blocks.

These tables were created by the quizzes app and keep its table names (Meta.db_table); see
content/migrations/0001_initial.py. State changes live in content.services.
"""

from django.db import models
from django.urls import reverse

from quizzes.fields import NUL_SAFE_JSON


class Topic(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=120)
    summary = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)
    # sha256 of the row's fixture table when load_content last wrote it (content.fixture_format);
    # blank for rows authored in the admin. A differing digest means someone changed the row.
    content_digest = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        db_table = "quizzes_topic"  # created by quizzes' migrations; the rows stay where they are
        ordering = ["order", "title"]

    def __str__(self) -> str:
        return self.title


class ConceptPage(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="pages")
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    order = models.PositiveIntegerField(default=0)
    body = models.TextField(help_text="Markdown. Every ```python block is run by the grader.")
    is_published = models.BooleanField(default=True)
    # As Topic.content_digest.
    content_digest = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        db_table = "quizzes_conceptpage"
        ordering = ["topic__order", "order", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("concept_detail", args=[self.slug])


class CodeBlockOutput(models.Model):
    """The grader's real outcome for one ```python block of a concept page."""

    page = models.ForeignKey(ConceptPage, on_delete=models.CASCADE, related_name="block_outputs")
    index = models.PositiveIntegerField(help_text="Position of the block on the page, from 0.")
    source_hash = models.CharField(max_length=64)
    outcome = models.JSONField(
        **NUL_SAFE_JSON, help_text="grader.Outcome.to_dict() of the block, without its trace."
    )
    # The step-by-step memory trace of the block (a second, traced run); None when none was made.
    trace = models.JSONField(**NUL_SAFE_JSON, null=True, blank=True, editable=False)
    python_version = models.CharField(max_length=20)
    computed_at = models.DateTimeField()

    class Meta:
        db_table = "quizzes_codeblockoutput"
        ordering = ["page", "index"]
        constraints = [
            models.UniqueConstraint(fields=["page", "index"], name="unique_block_per_page"),
        ]

    def __str__(self) -> str:
        return f"{self.page} block {self.index}"


class BlockVersionOutput(models.Model):
    """The grader's outcome for one ```python block on one interpreter line ("3.12", "3.13"):
    the version matrix compares them (content/versions.py). CodeBlockOutput stays the default
    interpreter's, which the page shows."""

    page = models.ForeignKey(
        ConceptPage, on_delete=models.CASCADE, related_name="block_version_outputs"
    )
    index = models.PositiveIntegerField()
    python = models.CharField(max_length=10, help_text='Major and minor version, as "3.13".')
    python_version = models.CharField(max_length=20)
    source_hash = models.CharField(max_length=64)
    outcome = models.JSONField(**NUL_SAFE_JSON)
    # The block's memory trace on that line (a second, traced run); None when none was made.
    trace = models.JSONField(**NUL_SAFE_JSON, null=True, blank=True, editable=False)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["page", "index", "python"]
        constraints = [
            models.UniqueConstraint(
                fields=["page", "index", "python"], name="one_output_per_block_and_python"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.page} block {self.index} on Python {self.python}"
