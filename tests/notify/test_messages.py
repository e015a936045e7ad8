"""Email and text delivery through the GOV.UK Notify client, retries, and safe-contact rules."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from hearth.notify import services
from hearth.notify.models import MessageStatus, OutboundMessage


def test_a_staff_email_goes_through_notify(db, notify_stub):
    message = services.message_queue(channel="email", to="worker@example.invalid", subject="Hello",
                                     body="Sign in to Hearth to read it.", purpose="test")
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    (sent,) = notify_stub.received
    assert sent["path"] == "/v2/notifications/email"
    assert sent["body"]["email_address"] == "worker@example.invalid"
    assert sent["auth"].startswith("Bearer ")  # the client signed a JWT


def test_a_failure_is_retried_with_backoff_and_nothing_is_lost(db, notify_stub):
    notify_stub.fail_next = 1
    message = services.message_queue(channel="sms", to="07700900431", body="x", purpose="test")
    message.refresh_from_db()
    assert message.status == MessageStatus.RETRYING and message.attempts == 1
    assert message.next_attempt_at > timezone.now()
    assert "0770" not in message.last_error
    OutboundMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    call_command("notify_due")
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.attempts == 2


def test_it_gives_up_after_the_last_attempt(db, notify_stub):
    notify_stub.fail_next = 99
    message = services.message_queue(channel="sms", to="07700900431", body="x", purpose="test")
    for _ in range(services.MAX_ATTEMPTS):
        OutboundMessage.objects.filter(pk=message.pk).update(next_attempt_at=None)
        services.message_deliver_now(message.pk)
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED


def test_without_a_key_messages_stop_in_the_outbox(db, settings):
    settings.HEARTH_NOTIFY_API_KEY = ""
    message = services.message_queue(channel="email", to="a@example.invalid", body="x", purpose="test")
    message.refresh_from_db()
    assert message.status == MessageStatus.OUTBOX


def test_the_database_is_encrypted(db, settings):
    from django.db import connection

    settings.HEARTH_NOTIFY_API_KEY = ""
    message = services.message_queue(channel="sms", to="07700900431", body="secret words", purpose="test")
    with connection.cursor() as cursor:
        cursor.execute("SELECT to, body FROM notify_outboundmessage WHERE id = %s".replace("to,", '"to",'),
                       [message.pk])
        row = cursor.fetchone()
    assert "0770" not in row[0] and "secret" not in row[1]


def test_no_text_to_a_survivor_who_said_no_texts(db, notify_stub):
    assert services.survivor_text_send(phone="07700900431", text_ok=False, safe_times="", template="contact_soon",
                                       first_name="Sadia", purpose="t") is None
    assert notify_stub.received == []


def test_survivor_texts_say_nothing_about_abuse(db, notify_stub, monkeypatch):
    monkeypatch.setattr(services, "_next_allowed", lambda now, window, weekdays=False: None)
    services.survivor_text_send(phone="07700900431", text_ok=True, safe_times="", template="contact_soon",
                                first_name="Sadia", purpose="t")
    (sent,) = notify_stub.received
    body = sent["body"]["personalisation"]["body"].lower()
    for word in ("abuse", "domestic", "refuge", "police", "referral", "hearth", "new era"):
        assert word not in body


def test_outside_safe_times_a_text_waits_for_the_window(db, notify_stub):
    message = services.survivor_text_send(phone="07700900431", text_ok=True, safe_times="after 11pm",
                                          template="please_call", first_name="Sadia", purpose="t")
    now = timezone.localtime()
    if now.time() < time(23, 0):
        assert message.next_attempt_at is not None and notify_stub.received == []


def test_unclear_safe_times_hold_the_text_for_a_person(db, notify_stub):
    message = services.survivor_text_send(phone="07700900431", text_ok=True, safe_times="when he is out",
                                          template="please_call", first_name="Sadia", purpose="t")
    assert message.status == MessageStatus.HELD and notify_stub.received == []


@pytest.mark.parametrize("text,expected", [
    ("9am to 3pm", (time(9), time(15))),
    ("Text only, after 6pm.", (time(18), time(21))),
    ("before 10:30am", (time(8), time(10, 30))),
    ("Weekdays 9am - 3pm", (time(9), time(15))),
    ("", (time(9), time(20))),
    ("when it is quiet", None),
])
def test_safe_times_are_read_or_refused(text, expected):
    assert services.safe_window(text) == expected


@pytest.mark.django_db(transaction=True)
def test_the_database_task_queue_takes_the_delivery(settings):
    # transaction=True: the worker closes and reopens database connections like a real process.
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.HEARTH_NOTIFY_API_KEY = ""
    message = services.message_queue(channel="email", to="a@example.invalid", body="x", purpose="test")
    assert DBTaskResult.objects.filter(args_kwargs__args=[message.pk]).exists()
    call_command("db_worker", "--batch")
    message.refresh_from_db()
    assert message.status == MessageStatus.OUTBOX


def test_weekdays_only_waits_over_the_weekend():
    from datetime import datetime

    saturday_ten = timezone.make_aware(datetime(2026, 11, 21, 10, 0))
    assert services.weekdays_only("Text only, weekdays 9am to 3pm")
    monday_nine = services._next_allowed(saturday_ten, (time(9), time(15)), weekdays=True)
    assert timezone.localtime(monday_nine).weekday() == 0 and timezone.localtime(monday_nine).hour == 9
    assert services._next_allowed(saturday_ten, (time(9), time(15)), weekdays=False) is None


def test_i_will_call_you_means_nothing_is_sent(db, notify_stub):
    before = OutboundMessage.objects.filter(to_survivor=True).count()
    assert services.survivor_message_send(phone="07700900431", email="a@example.invalid", text_ok=True,
                                          email_ok=True, will_call=True, safe_times="", template="contact_soon",
                                          first_name="Sadia", purpose="t") is None
    assert OutboundMessage.objects.filter(to_survivor=True).count() == before and notify_stub.received == []


def test_email_is_used_only_when_texts_are_not_allowed_and_says_nothing(db, notify_stub, monkeypatch):
    monkeypatch.setattr(services, "_next_allowed", lambda now, window, weekdays=False: None)
    message = services.survivor_message_send(phone="07700900431", email="liz@example.invalid", text_ok=False,
                                             email_ok=True, will_call=False, safe_times="", template="contact_soon",
                                             first_name="Marta", purpose="t")
    assert message.channel == "email"
    (sent,) = notify_stub.received
    assert sent["path"] == "/v2/notifications/email"
    words = (sent["body"]["personalisation"]["subject"] + sent["body"]["personalisation"]["body"]).lower()
    for word in ("abuse", "domestic", "refuge", "police", "referral", "hearth", "new era"):
        assert word not in words


def test_no_channel_allowed_means_nothing_is_sent(db):
    assert services.survivor_message_send(phone="07700900431", email="a@example.invalid", text_ok=False,
                                          email_ok=False, will_call=False, safe_times="", template="contact_soon",
                                          first_name="Sadia", purpose="t") is None


def test_notice_bodies_are_encrypted_at_rest(db, demo):
    from django.db import connection

    from hearth.notify.models import Notice
    from hearth.notify.services import notice_send

    notice = notice_send(recipient=demo.user("police.dpo"), subject="Attempt to open a restricted record",
                         body="Sam Tester tried to open restricted record person 4242 and was refused.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM notify_notice WHERE id = %s", [notice.pk])
        stored = cursor.fetchone()[0]
    assert "4242" not in stored and "Sam Tester" not in stored
    assert Notice.objects.get(pk=notice.pk).body.startswith("Sam Tester tried")
