"""Starting background tasks: a TaskRecord, then the task queued once the record is committed
(transaction.on_commit), so a worker never looks for a record that is not there yet."""

from django.db import transaction

from backgroundtasks import tasks
from backgroundtasks.models import TaskRecord

KEYS = "Recompute all answer keys"
OUTPUTS = "Recompute all page outputs"


def task_start(*, name: str, task, user, force: bool = True) -> TaskRecord:
    record = TaskRecord.objects.create(name=name, requested_by=user)

    def enqueue() -> None:
        result = task.enqueue(record.pk, force)
        TaskRecord.objects.filter(pk=record.pk).update(task_id=result.id)

    transaction.on_commit(enqueue)
    return record


def start_full_refresh(*, force: bool, user) -> list[TaskRecord]:
    return [
        task_start(name=KEYS, task=tasks.recompute_answer_keys, user=user, force=force),
        task_start(name=OUTPUTS, task=tasks.recompute_page_outputs, user=user, force=force),
    ]
