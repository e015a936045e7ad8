"""MARAC: referrals to the coordinator, meetings, listed cases, research returns, actions.

A MARAC is not an agency: each agency keeps its own responsibility, so every action is
owned by a named agency and person. Attending agencies see a listed case through a MARAC
relationship held on the ``MaracCase`` (not on the person's record), which lapses
12 months after the meeting (the repeat window).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from hearth.people.models import Person
from hearth.platform.crypto import EncryptedTextField
from hearth.platform.models import Agency


class Criterion(models.TextChoices):
    VISIBLE_HIGH_RISK = "visible_high_risk", "Visible high risk"
    PROFESSIONAL_JUDGEMENT = "professional_judgement", "Professional judgement"
    POTENTIAL_ESCALATION = "potential_escalation", "Potential escalation"
    REPEAT = "repeat", "Repeat MARAC"


class ReferralStatus(models.TextChoices):
    WAITING = "waiting", "Waiting to be listed"
    LISTED = "listed", "Listed"
    HEARD = "heard", "Heard at MARAC"


class MaracReferral(models.Model):
    """A referral of a high-risk survivor to the MARAC coordinator."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="marac_referrals")
    perpetrator = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    criteria = models.JSONField(default=list, help_text="Criterion codes met when referred.")
    reasons = models.JSONField(default=list, help_text="The reasons shown, as evaluated when referred.")
    is_repeat = models.BooleanField(default=False)
    referred_on = models.DateField()
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    referring_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    victim_knows = models.BooleanField(default=False)
    victim_consents = models.BooleanField(default=False)
    referral_note = EncryptedTextField(blank=True)
    status = models.CharField(max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.WAITING)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-referred_on", "-pk"]

    def __str__(self) -> str:
        return f"MARAC referral {self.pk}"

    def criteria_labels(self) -> list[str]:
        labels = dict(Criterion.choices)
        return [labels.get(code, code) for code in self.criteria]


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    AGENDA_PUBLISHED = "agenda_published", "Agenda published"
    HELD = "held", "Held"


class MaracMeeting(models.Model):
    held_on = models.DateField()
    chair = models.CharField(max_length=200)
    agencies_invited = models.ManyToManyField(Agency, related_name="marac_meetings")
    status = models.CharField(max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED)
    agenda_published_at = models.DateTimeField(null=True, blank=True)
    minute = EncryptedTextField(blank=True, help_text="The meeting's general minute.")
    coordinator_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"MARAC on {self.held_on:%-d %B %Y}"


class MaracCase(models.Model):
    """A referral listed on a meeting's agenda."""

    meeting = models.ForeignKey(MaracMeeting, on_delete=models.PROTECT, related_name="cases")
    referral = models.ForeignKey(MaracReferral, on_delete=models.PROTECT, related_name="listings")
    position = models.PositiveSmallIntegerField(default=1)
    is_repeat = models.BooleanField(default=False)
    minute = EncryptedTextField(blank=True, help_text="What was discussed and decided for this case.")
    listed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting", "position"]
        constraints = [models.UniqueConstraint(fields=["meeting", "referral"], name="case_listed_once")]

    def __str__(self) -> str:
        return f"MARAC case {self.pk}"


class ResearchReturn(models.Model):
    """What one attending agency holds about a listed case, entered before the meeting."""

    case = models.ForeignKey(MaracCase, on_delete=models.PROTECT, related_name="research_returns")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    holds_nothing = models.BooleanField(default=False)
    summary = EncryptedTextField(blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["agency__name"]
        constraints = [models.UniqueConstraint(fields=["case", "agency"], name="one_return_per_agency")]


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    CLOSED = "closed", "Closed"


class MaracAction(models.Model):
    """One action of a case's plan, owned by an agency and a named person there."""

    case = models.ForeignKey(MaracCase, on_delete=models.PROTECT, related_name="actions")
    description = EncryptedTextField()
    owner_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="marac_actions")
    owner_name = models.CharField(max_length=200)
    due_on = models.DateField()
    status = models.CharField(max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]


class ActionUpdate(models.Model):
    """Follow-up on an action until it is closed."""

    action = models.ForeignKey(MaracAction, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(max_length=20, choices=ActionStatus.choices)
    note = EncryptedTextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]


class RepeatFlag(models.Model):
    """A new incident between the same victim and alleged perpetrator within the repeat window of
    the last MARAC referral: found by the periodic check, the coordinator told once per incident.

    It flags the referral (and so its listed case) until the coordinator re-refers; it holds no
    case detail, only which referral and which incident.
    """

    referral = models.ForeignKey(MaracReferral, on_delete=models.PROTECT, related_name="repeat_flags")
    incident = models.ForeignKey("people.Incident", on_delete=models.PROTECT, related_name="+")
    incident_on = models.DateField()
    found_at = models.DateTimeField(default=timezone.now)
    coordinators_told = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-incident_on", "-pk"]
        constraints = [models.UniqueConstraint(fields=["referral", "incident"], name="repeat_flag_once")]

    def __str__(self) -> str:
        return f"Repeat flag {self.pk}"
