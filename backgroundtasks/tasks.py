"""Long work as django.tasks: run by an RQ worker with Redis (django-tasks-rq), at once without
it (ImmediateBackend; also in tests). Each task reports its progress and outcome on its
TaskRecord, which the admin lists. Grader runs inside go through graderclient like any other.
"""

import logging

from django.tasks import task
from django.utils import timezone

from backgroundtasks.models import TaskRecord
from content import refresh

log = logging.getLogger(__name__)


def _update(record_id: int, **fields) -> None:
    TaskRecord.objects.filter(pk=record_id).update(**fields)


def _progress(record_id: int, noun: str):
    def report(done: int, total: int) -> None:
        _update(record_id, progress=f"{done} of {total} {noun}")

    return report


def _run(record_id: int, work) -> str:
    _update(record_id, status=TaskRecord.Status.RUNNING, progress="started")
    try:
        summary = work()
    except Exception as error:
        log.exception("Background task %s failed", record_id)
        _update(
            record_id,
            status=TaskRecord.Status.FAILED,
            summary=f"{type(error).__name__}: {error}",
            finished_at=timezone.now(),
        )
        raise
    _update(
        record_id, status=TaskRecord.Status.SUCCEEDED, summary=summary, finished_at=timezone.now()
    )
    return summary


@task
def recompute_answer_keys(record_id: int, force: bool = True) -> str:
    def work() -> str:
        report = refresh.refresh_keys(force=force, progress=_progress(record_id, "questions"))
        lines = [
            f"Recomputed {report.ran} answer key(s): {len(report.changed)} changed, "
            f"{len(report.invalid)} question(s) invalid.",
            *report.changed,
            *report.invalid,
        ]
        return "\n".join(lines)

    return _run(record_id, work)


@task
def recompute_page_outputs(record_id: int, force: bool = True) -> str:
    def work() -> str:
        ran = refresh.refresh_outputs(force=force, progress=_progress(record_id, "pages"))
        return f"Ran {ran} code block(s) through the grader."

    return _run(record_id, work)
