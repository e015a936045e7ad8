"""The background task queue (``django-tasks-db``): taking back work a dead worker left, and
the heartbeat an operator alerts on.

A task the database worker has claimed is ``RUNNING`` until it finishes. If the worker is
killed (out of memory, ``kill -9``, a host restart) the row stays ``RUNNING`` for ever and its
work is never done. Hearth's tasks are safe to run again (a message records each attempt, the
periodic checks mark what they have done), so a task running far longer than any of them takes
is put back on the queue.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Max, Min
from django.utils import timezone

log = logging.getLogger(__name__)


def _stale_after() -> timedelta:
    return timedelta(minutes=settings.HEARTH_TASK_STALE_MINUTES)


def tasks_reclaim_stale(*, now: datetime | None = None, worker_id: str | None = None) -> int:
    """Put back on the queue tasks left ``RUNNING`` by a worker that died; returns how many.

    Without ``worker_id``: those started more than ``HEARTH_TASK_STALE_MINUTES`` ago. With it:
    every task that worker claimed, at once (the worker itself knows it is no longer running
    them, after losing its database connection mid-task).
    """
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
    if worker_id is None:
        stale = running.filter(started_at__lt=(now or timezone.now()) - _stale_after())
        ids = list(stale.values_list("id", flat=True))
    else:
        # worker_ids is a JSON list; a lookup inside it is not portable to SQLite, and a worker
        # only ever holds a task or two.
        ids = [row.id for row in running.only("id", "worker_ids") if worker_id in (row.worker_ids or [])]
    if not ids:
        return 0
    # Only rows still RUNNING: a task that finished a moment ago keeps its result.
    count = DBTaskResult.objects.filter(id__in=ids, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.READY, started_at=None)
    if count:
        log.warning("put %s task(s) left running by a dead worker back on the queue", count)
    return count


@dataclass(frozen=True)
class QueueStatus:
    """What an operator alerts on. Times are ISO 8601 (UTC) or None; no task's arguments."""

    queue_depth: int  # tasks ready to run now
    oldest_queued_at: str | None  # when the longest-waiting ready task was queued
    oldest_queued_seconds: int | None
    running: int
    stale_running: int  # running longer than HEARTH_TASK_STALE_MINUTES: a dead worker's
    failed_last_hour: int
    last_task_finished_at: str | None  # the worker's heartbeat: run_periodic queues work every few minutes
    last_task_finished_seconds: int | None

    def as_dict(self) -> dict:
        return asdict(self)


def queue_status(*, now: datetime | None = None) -> QueueStatus:
    """The task queue's heartbeat: depth, the oldest waiting task, the last task finished."""
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    ready = DBTaskResult.objects.ready()
    oldest = ready.aggregate(at=Min("enqueued_at"))["at"]
    last = DBTaskResult.objects.filter(finished_at__isnull=False).aggregate(at=Max("finished_at"))["at"]
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)

    def iso(value):
        return value.astimezone(timezone.UTC).isoformat(timespec="seconds") if value else None

    def age(value):
        return int((now - value).total_seconds()) if value else None

    return QueueStatus(
        queue_depth=ready.count(), oldest_queued_at=iso(oldest), oldest_queued_seconds=age(oldest),
        running=running.count(), stale_running=running.filter(started_at__lt=now - _stale_after()).count(),
        failed_last_hour=DBTaskResult.objects.filter(status=TaskResultStatus.FAILED,
                                                     finished_at__gte=now - timedelta(hours=1)).count(),
        last_task_finished_at=iso(last), last_task_finished_seconds=age(last),
    )


def queue_problems(status: QueueStatus, *, max_wait_seconds: int, max_idle_seconds: int) -> list[str]:
    """Why the queue needs a person, in words (empty when it is healthy)."""
    problems = []
    if status.oldest_queued_seconds is not None and status.oldest_queued_seconds > max_wait_seconds:
        problems.append(f"a task has waited {status.oldest_queued_seconds} s (limit {max_wait_seconds} s): "
                        "is the worker running?")
    if status.stale_running:
        problems.append(f"{status.stale_running} task(s) running for longer than "
                        f"{settings.HEARTH_TASK_STALE_MINUTES} min: a worker died (run_periodic puts them back)")
    if status.last_task_finished_seconds is None or status.last_task_finished_seconds > max_idle_seconds:
        problems.append("no task has finished in the last "
                        f"{max_idle_seconds} s: are the worker and run_periodic running?")
    return problems
