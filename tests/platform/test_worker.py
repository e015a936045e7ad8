"""The task worker and the periodic runner survive a database outage; a task a dead worker left
running is queued again; the queue's heartbeat says when a person is needed."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.utils import timezone

from hearth.notify import services
from hearth.notify.models import MessageStatus

pytestmark = pytest.mark.django_db(transaction=True)  # the worker closes and reopens connections


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.HEARTH_NOTIFY_API_KEY = ""  # messages stop in the outbox: no Notify needed


def _message():
    return services.message_queue(channel="email", to="a@example.invalid", body="x", purpose="test")


def test_a_task_left_running_by_a_dead_worker_is_queued_again_and_done(database_queue):
    from django_tasks_db.models import DBTaskResult

    message = _message()
    task = DBTaskResult.objects.get(args_kwargs__args=[message.pk])
    # A worker claimed it and was killed: the row says RUNNING, and nothing is running it.
    DBTaskResult.objects.filter(pk=task.pk).update(status="RUNNING", worker_ids=["killed"],
                                                   started_at=timezone.now() - timedelta(hours=1))
    out = io.StringIO()
    call_command("run_periodic", "--once", stdout=out)
    assert "put back 1 task(s)" in out.getvalue()
    assert DBTaskResult.objects.get(pk=task.pk).status == "READY"
    call_command("run_worker", "--batch", verbosity=0)
    message.refresh_from_db()
    assert message.status == MessageStatus.OUTBOX
    assert DBTaskResult.objects.get(pk=task.pk).status == "SUCCESSFUL"


def test_the_worker_takes_back_a_dead_workers_task_when_it_starts(database_queue):
    from django_tasks_db.models import DBTaskResult

    message = _message()
    DBTaskResult.objects.filter(args_kwargs__args=[message.pk]).update(
        status="RUNNING", worker_ids=["killed"], started_at=timezone.now() - timedelta(hours=1))
    call_command("run_worker", "--batch", verbosity=0)
    message.refresh_from_db()
    assert message.status == MessageStatus.OUTBOX


def test_a_task_running_for_less_than_the_limit_is_left_alone(database_queue):
    from django_tasks_db.models import DBTaskResult

    from hearth.platform import taskqueue

    message = _message()
    DBTaskResult.objects.filter(args_kwargs__args=[message.pk]).update(
        status="RUNNING", worker_ids=["busy"], started_at=timezone.now() - timedelta(minutes=1))
    assert taskqueue.tasks_reclaim_stale() == 0
    assert taskqueue.tasks_reclaim_stale(worker_id="busy") == 1  # its own worker knows better


def test_the_worker_waits_out_a_database_outage_and_carries_on(database_queue, monkeypatch):
    from django_tasks_db.management.commands import db_worker

    from hearth.platform.management.commands import run_worker

    message = _message()
    real_run = db_worker.Worker.run
    outage = {"left": 2}

    def run_unless_down(self):
        if outage["left"]:
            outage["left"] -= 1
            raise OperationalError("connection to server failed: Connection refused")
        return real_run(self)

    slept = []
    monkeypatch.setattr(db_worker.Worker, "run", run_unless_down)
    monkeypatch.setattr(run_worker.time, "sleep", slept.append)
    call_command("run_worker", "--batch", verbosity=0)

    assert slept == [1, 2]  # backed off, then carried on
    message.refresh_from_db()
    assert message.status == MessageStatus.OUTBOX


def test_the_periodic_runner_waits_out_a_database_outage(database_queue, monkeypatch):
    from django_tasks_db.models import DBTaskResult

    from hearth.platform import taskqueue
    from hearth.platform.management.commands import run_periodic

    real_reclaim = taskqueue.tasks_reclaim_stale
    outage = {"left": 3}

    def reclaim_unless_down(**kwargs):
        if outage["left"]:
            outage["left"] -= 1
            raise OperationalError("server closed the connection unexpectedly")
        return real_reclaim(**kwargs)

    slept = []
    monkeypatch.setattr(taskqueue, "tasks_reclaim_stale", reclaim_unless_down)
    monkeypatch.setattr(run_periodic.time, "sleep", slept.append)
    call_command("run_periodic", "--rounds", "1", stdout=io.StringIO())

    assert slept == [1, 2, 4]
    assert DBTaskResult.objects.filter(status="READY").count() == len(run_periodic.CHECKS)


def test_run_periodic_once_fails_on_an_outage_so_cron_tries_again(database_queue, monkeypatch):
    from hearth.platform import taskqueue

    def down(**kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(taskqueue, "tasks_reclaim_stale", down)
    with pytest.raises(OperationalError):
        call_command("run_periodic", "--once", stdout=io.StringIO())


def test_the_heartbeat_reports_the_queue_and_alerts_on_a_waiting_task(database_queue):
    from django_tasks_db.models import DBTaskResult

    message = _message()
    DBTaskResult.objects.filter(args_kwargs__args=[message.pk]).update(
        enqueued_at=timezone.now() - timedelta(minutes=20))
    out = io.StringIO()
    call_command("task_queue_status", stdout=out)
    status = json.loads(out.getvalue())
    assert status["queue_depth"] == 1 and status["oldest_queued_seconds"] >= 20 * 60
    assert status["last_task_finished_at"] is None
    assert str(message.pk) not in json.dumps({k: v for k, v in status.items() if k != "oldest_queued_seconds"})
    with pytest.raises(CommandError, match="a task has waited"):
        call_command("task_queue_status", "--check", stdout=io.StringIO())

    call_command("run_worker", "--batch", verbosity=0)
    out = io.StringIO()
    call_command("task_queue_status", "--check", stdout=out)  # healthy again: no error
    status = json.loads(out.getvalue())
    assert status["queue_depth"] == 0 and status["last_task_finished_seconds"] is not None


def test_the_health_endpoint_says_ok_version_and_database_and_nothing_more(client):
    from django.conf import settings

    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": settings.HEARTH_VERSION, "database": "reachable"}
    assert response["Cache-Control"] == "no-store"


def test_the_health_endpoint_answers_503_when_the_database_is_down(client, monkeypatch):
    from django.db import connection

    def refuse():
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "ensure_connection", refuse)
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
