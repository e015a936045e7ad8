"""The periodic checks run as tasks on the database queue, as `make demo` starts them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from hearth.notify import services
from hearth.notify.models import MessageStatus, Notice, OutboundMessage
from hearth.referrals.models import Referral


@pytest.mark.django_db(transaction=True)
def test_one_round_queues_both_checks_and_the_worker_runs_them(settings):
    from django.contrib.contenttypes.models import ContentType
    from django_tasks_db.models import DBTaskResult

    from hearth.demo import world

    ContentType.objects.clear_cache()
    world.load()  # transaction=True empties the database: load the demo again
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.HEARTH_NOTIFY_API_KEY = ""
    waiting = services.survivor_text_send(phone="07700900431", text_ok=True, safe_times="", template="please_call",
                                          first_name="Sadia", purpose="test")
    OutboundMessage.objects.filter(pk=waiting.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=1))
    late = Referral.objects.filter(status="sent").first()
    Referral.objects.filter(pk=late.pk).update(respond_by=timezone.now() - timedelta(hours=2))

    call_command("run_periodic", "--once")
    assert DBTaskResult.objects.filter(status="READY").count() >= 2
    call_command("db_worker", "--batch")

    waiting.refresh_from_db()
    assert waiting.status == MessageStatus.OUTBOX
    assert Notice.objects.filter(subject=f"Referral {late.pk} is overdue").exists()
