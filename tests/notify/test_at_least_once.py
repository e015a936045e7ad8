"""Outbound messages are sent at least once and never lost, even when the worker dies mid-send;
a resend after an interrupted attempt is spotted through the message's Notify reference."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from notifications_python_client.notifications import NotificationsAPIClient

from hearth.notify import services, tasks
from hearth.notify.models import MessageStatus, OutboundMessage


class WorkerKilled(BaseException):
    """What the worker's process dying looks like from inside it: nothing after it runs."""


def _queued_text():
    # The demo's own messages are set aside, so each test watches only its own.
    OutboundMessage.objects.update(status=MessageStatus.OUTBOX)
    return OutboundMessage.objects.create(channel="sms", to="07700900431", body="Please call me back.",
                                          purpose="test")


def _later():
    return timezone.now() + services.SEND_LEASE + timedelta(seconds=1)


@pytest.fixture
def killed_after_notify_accepts(monkeypatch):
    """The worker dies just after Notify has taken the message, before Hearth records it."""
    real = NotificationsAPIClient.send_sms_notification

    def send_then_die(self, *args, **kwargs):
        real(self, *args, **kwargs)
        raise WorkerKilled

    monkeypatch.setattr(NotificationsAPIClient, "send_sms_notification", send_then_die)
    return lambda: monkeypatch.setattr(NotificationsAPIClient, "send_sms_notification", real)


def test_a_worker_killed_after_notify_took_the_message_leaves_it_due_and_it_is_sent_once(
        db, notify_stub, killed_after_notify_accepts):
    message = _queued_text()
    with pytest.raises(WorkerKilled):
        services.message_deliver_now(message.pk)
    message.refresh_from_db()
    # The attempt and its retry time were recorded before the call, so the kill lost neither.
    assert message.status == MessageStatus.SENDING and message.attempts == 1
    assert message.next_attempt_at is not None and message.reference
    assert list(services.messages_due()) == []  # not before its retry time: it may still be in flight
    assert list(services.messages_due(now=_later())) == [message]

    killed_after_notify_accepts()  # the next worker lives
    OutboundMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    tasks.messages_send_due.call()

    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert len(notify_stub.received) == 1, "sent twice: the retry did not ask Notify first"
    assert message.notify_id == notify_stub.received[0]["id"]
    assert notify_stub.lookups == [message.reference]


def test_every_attempt_gives_notify_the_same_reference(db, notify_stub):
    notify_stub.fail_next = 1
    message = _queued_text()
    services.message_deliver_now(message.pk)
    OutboundMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    services.message_deliver_now(message.pk)
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.attempts == 2
    (sent,) = notify_stub.received
    assert sent["body"]["reference"] == message.reference
    assert message.reference.startswith("hearth-") and "0770" not in message.reference


def test_a_worker_killed_before_notify_answered_sends_it_on_the_retry(db, notify_stub, monkeypatch):
    def die(self, *args, **kwargs):
        raise WorkerKilled

    message = _queued_text()
    monkeypatch.setattr(NotificationsAPIClient, "send_sms_notification", die)
    with pytest.raises(WorkerKilled):
        services.message_deliver_now(message.pk)
    monkeypatch.undo()
    OutboundMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    services.message_deliver_now(message.pk)
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.attempts == 2
    assert len(notify_stub.received) == 1


def test_a_queued_message_whose_task_was_lost_is_picked_up(db, notify_stub):
    message = _queued_text()  # stored, but its delivery task never ran
    assert list(services.messages_due()) == [message]
    tasks.messages_send_due.call()
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
