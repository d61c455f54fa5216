"""What an instructor sees of long work running in the background (recomputing every key, say).

The task itself (backgroundtasks/tasks.py) writes its progress and outcome here as it goes, so
the admin lists recent tasks with where each stands, whichever worker runs it.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class TaskRecord(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Finished"
        FAILED = "failed", "Failed"

    name = models.CharField(max_length=100)
    task_id = models.CharField(max_length=64, blank=True, help_text="The task backend's id.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.CharField(max_length=200, blank=True)
    summary = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_status_display()})"
