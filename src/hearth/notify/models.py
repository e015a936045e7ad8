from django.conf import settings
from django.db import models
from django.utils import timezone

from hearth.platform.crypto import EncryptedTextField


class Notice(models.Model):
    """An in-app message to one member of staff (e.g. a break-glass alert to a DPO)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    subject = models.CharField(max_length=200)
    # Encrypted: a notice may name a person, a record or a reason given for reading it.
    body = EncryptedTextField()
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.subject


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"


class MessageStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    OUTBOX = "outbox", "Kept in the development outbox"
    RETRYING = "retrying", "Failed, will retry"
    SENDING = "sending", "Being sent (tried again if not recorded in time)"
    FAILED = "failed", "Failed for good"
    HELD = "held", "Held back by safe-contact rules"


class OutboundMessage(models.Model):
    """An email or text message, kept until delivered (nothing is lost when Notify is down)."""

    channel = models.CharField(max_length=10, choices=Channel.choices)
    to = EncryptedTextField()
    subject = models.CharField(max_length=200, blank=True)
    body = EncryptedTextField()
    purpose = models.CharField(max_length=60, help_text="Why it was sent, e.g. referral_received.")
    to_survivor = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED,
                              db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_error = models.CharField(max_length=300, blank=True)
    notify_id = models.CharField(max_length=64, blank=True)
    reference = models.CharField(max_length=64, blank=True,
                                 help_text="Given to Notify with every attempt, so a resend can be spotted.")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.pk} ({self.status})"
