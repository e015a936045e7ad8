"""Notices to staff, and email and text messages through GOV.UK Notify.

Messages are rows first (``OutboundMessage``) and delivered by a task, so a Notify outage
delays them but loses none: failures retry with exponential backoff. Without a Notify
API key (development, the demo) messages stop in the outbox page instead of being sent.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

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


def message_deliver_now(message_id: int) -> OutboundMessage:
    """Send one message through GOV.UK Notify (or the outbox), recording failure and the next retry."""
    with transaction.atomic():
        message = OutboundMessage.objects.select_for_update().get(pk=message_id)
        if message.status not in (MessageStatus.QUEUED, MessageStatus.RETRYING):
            return message
        if message.next_attempt_at and message.next_attempt_at > timezone.now():
            return message
        if not settings.HEARTH_NOTIFY_API_KEY:
            message.status, message.sent_at = MessageStatus.OUTBOX, timezone.now()
            message.save(update_fields=["status", "sent_at"])
            return message
        message.attempts += 1
        try:
            client = _client()
            if message.channel == Channel.EMAIL:
                reply = client.send_email_notification(
                    email_address=message.to, template_id=settings.HEARTH_NOTIFY_EMAIL_TEMPLATE,
                    personalisation={"subject": message.subject, "body": message.body})
            else:
                reply = client.send_sms_notification(
                    phone_number=message.to, template_id=settings.HEARTH_NOTIFY_SMS_TEMPLATE,
                    personalisation={"body": message.body})
        except Exception as exc:  # noqa: BLE001 - any failure of the remote service is retried
            # The error text can echo the request: keep only its kind, never the recipient.
            message.last_error = type(exc).__name__
            if message.attempts >= MAX_ATTEMPTS:
                message.status = MessageStatus.FAILED
            else:
                message.status = MessageStatus.RETRYING
                delay = BASE_BACKOFF_SECONDS * 2 ** (message.attempts - 1)
                message.next_attempt_at = timezone.now() + timedelta(seconds=delay)
            log.warning("message %s not delivered (attempt %s): %s", message.pk, message.attempts, message.last_error)
        else:
            message.status, message.sent_at = MessageStatus.SENT, timezone.now()
            message.notify_id = str(reply.get("id", ""))[:64]
            message.next_attempt_at = None
        message.save()
        return message


def messages_due(now: datetime | None = None):
    """Messages waiting for a retry or a safe window that can go now."""
    now = now or timezone.now()
    return OutboundMessage.objects.filter(status__in=(MessageStatus.QUEUED, MessageStatus.RETRYING),
                                          next_attempt_at__lte=now)
