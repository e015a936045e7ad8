"""Notices to staff, and email and text messages through GOV.UK Notify.

Messages are rows first (``OutboundMessage``) and delivered by a task, so a Notify outage
delays them but loses none: failures retry with exponential backoff. Without a Notify
API key (development, the demo) messages stop in the outbox page instead of being sent.
"""

from __future__ import annotations

import logging
import re
import uuid
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from hearth.platform.locks import locked

from .models import Channel, MessageStatus, Notice, OutboundMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BASE_BACKOFF_SECONDS = 60


def notice_send(*, recipient, subject: str, body: str, email: bool = False) -> Notice:
    """Put a notice in a member of staff's Hearth inbox and, if asked, email them a pointer.

    The email never carries the body: it only says there is something to read in Hearth,
    so case details do not sit in mailboxes.
    """
    notice = Notice.objects.create(recipient=recipient, subject=subject, body=body)
    if email and recipient.email:
        message_queue(channel=Channel.EMAIL, to=recipient.email, subject="Hearth: you have a new notice",
                      body="Sign in to Hearth to read it.", purpose="staff_notice")
    return notice


def notices_for(user):
    """A user's own notices, newest first."""
    return Notice.objects.filter(recipient=user)


def notices_mark_read(user, notice_ids: list[int]) -> None:
    """Mark these of the user's own notices as read (they have been shown)."""
    notices_for(user).filter(pk__in=notice_ids).update(read_at=timezone.now())


def message_queue(*, channel: str, to: str, body: str, purpose: str, subject: str = "",
                  to_survivor: bool = False) -> OutboundMessage:
    """Store a message and hand it to the delivery task (in the same transaction)."""
    from .tasks import message_deliver

    message = OutboundMessage.objects.create(channel=channel, to=to, subject=subject, body=body, purpose=purpose,
                                             to_survivor=to_survivor)
    # Enqueued in the same transaction: with the database queue the task exists exactly when
    # the message does.
    message_deliver.enqueue(message.pk)
    return message


# --- Messages to survivors --------------------------------------------------------------

# The only texts Hearth sends to a survivor: nothing in them says who sent it or why, in
# case someone else reads the phone.
SURVIVOR_TEXTS = {
    "contact_soon": "Hello, this is {first_name}. I will call you soon at the time you asked. No need to reply.",
    "please_call": "Hello, this is {first_name}. Please call me back when it is a good time for you.",
}

_TIME = r"(\d{1,2})(?::(\d{2}))?\s*(am|pm)"


def _hour(hour: str, minute: str | None, half: str) -> time:
    value = int(hour) % 12 + (12 if half.lower() == "pm" else 0)
    return time(value, int(minute or 0))


def safe_window(safe_times: str) -> tuple[time, time] | None:
    """Read "9am to 3pm", "after 6pm" or "before 10am" into a daily window; None if unclear.

    An unclear instruction never becomes a guess: the message is held for a person to send.
    """
    text = (safe_times or "").lower()
    if not text.strip():
        return (time(9, 0), time(20, 0))
    if match := re.search(_TIME + r"\s*(?:to|-|until|and)\s*" + _TIME, text):
        return _hour(*match.group(1, 2, 3)), _hour(*match.group(4, 5, 6))
    if match := re.search(r"after\s*" + _TIME, text):
        return _hour(*match.group(1, 2, 3)), time(21, 0)
    if match := re.search(r"before\s*" + _TIME, text):
        return time(8, 0), _hour(*match.group(1, 2, 3))
    return None


def weekdays_only(safe_times: str) -> bool:
    """"Weekdays 9am to 3pm" (while the children are at school): never at the weekend."""
    return bool(re.search(r"week\s*days?|mon(day)?\s*(to|-)\s*fri(day)?", (safe_times or "").lower()))


def _next_allowed(now: datetime, window: tuple[time, time], weekdays: bool = False) -> datetime | None:
    """None if now is inside the window (on an allowed day), else the start of the next one."""
    local = timezone.localtime(now)
    start, end = window
    if start <= local.time() < end and not (weekdays and local.weekday() >= 5):
        return None
    day = local.date() if local.time() < start else local.date() + timedelta(days=1)
    while weekdays and day.weekday() >= 5:
        day += timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, start))


def survivor_message_send(*, phone: str, email: str, text_ok: bool, email_ok: bool, will_call: bool,
                          safe_times: str, template: str, first_name: str, purpose: str) -> OutboundMessage | None:
    """Send a survivor one neutral message by the channel they allowed: a text first, else an email.

    Nothing at all when they said they will make contact themselves, or allowed neither.
    """
    if will_call:
        return None
    if text_ok and phone:
        return survivor_text_send(phone=phone, text_ok=True, safe_times=safe_times, template=template,
                                  first_name=first_name, purpose=purpose)
    if email_ok and email:
        return _survivor_send(channel=Channel.EMAIL, to=email, safe_times=safe_times, template=template,
                              first_name=first_name, purpose=purpose)
    return None


def survivor_text_send(*, phone: str, text_ok: bool, safe_times: str, template: str, first_name: str,
                       purpose: str) -> OutboundMessage | None:
    """Text a survivor only if their safe-contact instructions allow it, and only in their safe times.

    Returns None (nothing stored) when texts are not allowed; a message outside the safe
    times waits for the next window; unclear instructions hold it for a member of staff.
    """
    if not text_ok or not phone:
        return None
    return _survivor_send(channel=Channel.SMS, to=phone, safe_times=safe_times, template=template,
                          first_name=first_name, purpose=purpose)


def _survivor_send(*, channel: str, to: str, safe_times: str, template: str, first_name: str,
                   purpose: str) -> OutboundMessage:
    body = SURVIVOR_TEXTS[template].format(first_name=first_name)
    # The subject a partner might see in a shared inbox says nothing either.
    subject = f"A message from {first_name}" if channel == Channel.EMAIL else ""
    message = OutboundMessage.objects.create(channel=channel, to=to, subject=subject, body=body, purpose=purpose,
                                             to_survivor=True)
    window = safe_window(safe_times)
    if window is None:
        message.status, message.last_error = MessageStatus.HELD, "Safe times unclear: send by hand"
        message.save(update_fields=["status", "last_error"])
        return message
    wait_until = _next_allowed(timezone.now(), window, weekdays_only(safe_times))
    if wait_until is not None:
        message.next_attempt_at = wait_until
        message.save(update_fields=["next_attempt_at"])
        return message
    from .tasks import message_deliver

    message_deliver.enqueue(message.pk)
    return message


# --- Delivery ------------------------------------------------------------------------------

def _client():
    from notifications_python_client.notifications import NotificationsAPIClient

    kwargs = {"base_url": settings.HEARTH_NOTIFY_BASE_URL} if settings.HEARTH_NOTIFY_BASE_URL else {}
    return NotificationsAPIClient(settings.HEARTH_NOTIFY_API_KEY, **kwargs)


# A send not recorded within this long is taken as interrupted (the worker died mid-call) and
# tried again; Notify's own timeouts are far shorter.
SEND_LEASE = timedelta(minutes=10)


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=BASE_BACKOFF_SECONDS * 2 ** (attempts - 1))


def _claim(message_id: int) -> tuple[OutboundMessage, bool] | None:
    """Record the attempt, and when to try again if it is never recorded, before calling Notify.

    Returns the message and whether an earlier attempt was interrupted, or None when there is
    nothing to send now (already sent, not due, or claimed by another worker a moment ago).
    """
    with transaction.atomic():
        message = locked(OutboundMessage).get(pk=message_id)
        now = timezone.now()
        if message.status not in (MessageStatus.QUEUED, MessageStatus.RETRYING, MessageStatus.SENDING):
            return None
        if message.next_attempt_at and message.next_attempt_at > now:
            return None
        if not settings.HEARTH_NOTIFY_API_KEY:
            message.status, message.sent_at, message.next_attempt_at = MessageStatus.OUTBOX, now, None
            message.save(update_fields=["status", "sent_at", "next_attempt_at"])
            return None
        interrupted = message.status == MessageStatus.SENDING
        message.attempts += 1
        message.status = MessageStatus.SENDING
        message.next_attempt_at = now + max(SEND_LEASE, _backoff(message.attempts))
        # One reference for every attempt of this message: Notify keeps it with what it sent,
        # so an attempt whose outcome was lost can ask before sending again. Random, so it
        # says nothing about the message or its recipient.
        message.reference = message.reference or f"hearth-{uuid.uuid4()}"
        message.save(update_fields=["attempts", "status", "next_attempt_at", "reference"])
        return message, interrupted


def _already_sent(client, message: OutboundMessage) -> str | None:
    """Notify's id for this message if an interrupted attempt reached it, else None."""
    found = client.get_all_notifications(reference=message.reference).get("notifications") or []
    return str(found[0].get("id", "")) if found else None


def message_deliver_now(message_id: int) -> OutboundMessage:
    """Send one message through GOV.UK Notify (or the outbox), at least once and never lost.

    The attempt and its retry time are committed before Notify is called, and the call runs
    outside any transaction of ours, so a worker killed mid-send leaves the message
    ``sending`` with a retry time: ``messages_due`` picks it up again. A retry after an
    interrupted attempt first asks Notify for the message's reference, so a message that did
    reach Notify is marked sent rather than sent twice. Failures retry with exponential
    backoff until ``MAX_ATTEMPTS``.
    """
    claimed = _claim(message_id)
    if claimed is None:
        return OutboundMessage.objects.get(pk=message_id)
    message, interrupted = claimed
    notify_id = None
    error = ""
    try:
        client = _client()
        if interrupted:
            notify_id = _already_sent(client, message)
        if notify_id is None:
            if message.channel == Channel.EMAIL:
                reply = client.send_email_notification(
                    email_address=message.to, template_id=settings.HEARTH_NOTIFY_EMAIL_TEMPLATE,
                    personalisation={"subject": message.subject, "body": message.body}, reference=message.reference)
            else:
                reply = client.send_sms_notification(
                    phone_number=message.to, template_id=settings.HEARTH_NOTIFY_SMS_TEMPLATE,
                    personalisation={"body": message.body}, reference=message.reference)
            notify_id = str(reply.get("id", ""))
    except Exception as exc:  # noqa: BLE001 - any failure of the remote service is retried
        # The error text can echo the request: keep only its kind, never the recipient.
        error = type(exc).__name__
    with transaction.atomic():
        message = locked(OutboundMessage).get(pk=message_id)
        if message.status != MessageStatus.SENDING:
            return message  # recorded by another worker that took it over
        if notify_id is not None:
            message.status, message.sent_at, message.next_attempt_at = MessageStatus.SENT, timezone.now(), None
            message.notify_id, message.last_error = notify_id[:64], ""
        else:
            message.last_error = error
            if message.attempts >= MAX_ATTEMPTS:
                message.status, message.next_attempt_at = MessageStatus.FAILED, None
            else:
                message.status = MessageStatus.RETRYING
                message.next_attempt_at = timezone.now() + _backoff(message.attempts)
            log.warning("message %s not delivered (attempt %s): %s", message.pk, message.attempts, error)
        message.save(update_fields=["status", "sent_at", "next_attempt_at", "notify_id", "last_error"])
        return message


def messages_due(now: datetime | None = None):
    """Messages that can go now: waiting for a retry or a safe window that has come, an attempt
    interrupted past its retry time, or queued with no time at all (its delivery task was lost)."""
    now = now or timezone.now()
    waiting = (MessageStatus.QUEUED, MessageStatus.RETRYING, MessageStatus.SENDING)
    return OutboundMessage.objects.filter(
        Q(status__in=waiting, next_attempt_at__lte=now) | Q(status=MessageStatus.QUEUED, next_attempt_at__isnull=True))
