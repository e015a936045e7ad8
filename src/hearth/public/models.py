"""The public help site's own records: edited help text, and what the self-referral guard keeps.

No visitor data is stored here except a held-back self-referral (encrypted, kept only until
an admin releases or deletes it) and rate-limit rows holding a keyed hash of the address.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from hearth.platform.crypto import EncryptedJSONField


class HelpSection(models.TextChoices):
    WHAT_IS_ABUSE = "what_is_abuse", "What counts as domestic abuse"
    HAPPENING_TO_ME = "happening_to_me", "Is this happening to me?"
    WORRIED_ABOUT_SOMEONE = "worried_about_someone", "Worried about someone?"
    OWN_BEHAVIOUR = "own_behaviour", "Worried about your own behaviour?"


class HelpText(models.Model):
    """One published version of a help section in one language. The newest one is shown.

    Older versions stay, so the partnership can see what the public was told and when.
    """

    section = models.CharField(max_length=40, choices=HelpSection.choices)
    language = models.CharField(max_length=10)
    title = models.CharField(max_length=120)
    body = models.TextField(help_text="Short paragraphs; a line starting with '- ' is a bullet point.")
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["section", "language", "-published_at"], name="help_text_current")]


class SubmissionOutcome(models.TextChoices):
    ACCEPTED = "accepted", "Sent to the service"
    HELD = "held", "Held back (rate limit)"
    TRAP = "trap", "Refused (automated)"
    INVALID = "invalid", "Refused (bad input)"


class SubmissionAttempt(models.Model):
    """One self-referral attempt, for rate limits: when, a keyed hash of the address, the outcome."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    client_key = models.CharField(max_length=64, db_index=True)
    outcome = models.CharField(max_length=20, choices=SubmissionOutcome.choices)


class HeldSelfReferral(models.Model):
    """A self-referral the rate limits held back: not in any inbox until an admin releases it."""

    service = models.ForeignKey("directory.Service", on_delete=models.CASCADE, related_name="+")
    received_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=40)
    answers = EncryptedJSONField()
    released_at = models.DateTimeField(null=True, blank=True)
    discarded_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["-received_at"]


class SpentFormToken(models.Model):
    """A self-referral form's start token that has been sent once: it never works again.

    Only a keyed hash of the token is kept, and only while the token could still be valid
    (``TOKEN_MAX_AGE``): a replayed or double-sent form then adds nothing to an inbox.
    """

    key = models.CharField(max_length=64, unique=True)
    spent_at = models.DateTimeField(default=timezone.now, db_index=True)
