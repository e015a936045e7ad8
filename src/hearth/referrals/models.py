"""A referral: one agency asks another to help a person (and their household)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from hearth.people.models import Person
from hearth.platform import access
from hearth.platform.crypto import EncryptedTextField
from hearth.platform.models import Agency


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent"
    RECEIVED = "received", "Received"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    WITHDRAWN = "withdrawn", "Withdrawn"
    REDIRECTED = "redirected", "Redirected"


OPEN_STATUSES = (Status.SENT, Status.RECEIVED, Status.ACCEPTED, Status.IN_PROGRESS)
AWAITING_RESPONSE = (Status.SENT, Status.RECEIVED)
CLOSED_STATUSES = (Status.DECLINED, Status.COMPLETED, Status.WITHDRAWN, Status.REDIRECTED)


class Reason(models.TextChoices):
    PRACTICAL_ITEMS = "practical_items", "Practical items (basics, furniture)"
    SPECIALIST_SUPPORT = "specialist_support", "Specialist domestic abuse support"
    SAFE_ACCOMMODATION = "safe_accommodation", "Safe accommodation"
    CHILDRENS_SUPPORT = "childrens_support", "Support for the children"
    BEHAVIOUR_CHANGE = "behaviour_change", "Behaviour change programme"


class Source(models.TextChoices):
    """How a referral reached Hearth."""

    STAFF = "staff", "From a member of staff"
    SELF_REFERRAL = "self_referral", "Self-referral from the public help site"
    PARTNER_API = "partner_api", "From a partner system"


class Urgency(models.TextChoices):
    ROUTINE = "routine", "Routine"
    URGENT = "urgent", "Urgent"


class RiskLevel(models.TextChoices):
    NOT_KNOWN = "not_known", "Not known"
    STANDARD = "standard", "Standard"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class LawfulBasis(models.TextChoices):
    CONSENT = "consent", "Consent"
    VITAL_INTERESTS = "vital_interests", "Vital interests (to protect someone's life)"
    CRIME_PREVENTION = "crime_prevention", "Crime prevention (Crime and Disorder Act 1998 s115)"
    SAFEGUARDING = "safeguarding", "Safeguarding (DPA 2018 Schedule 1)"
    PUBLIC_TASK = "public_task", "Public task"


class ReferralQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Referrals the acting agency sent or received (case roles only)."""
        membership = access.acting(user)
        if membership is None or membership.role not in access.CASE_ROLES:
            return self.none()
        if membership.role in (access.Role.DELIVERY_VOLUNTEER, access.Role.SCHOOL_SAFEGUARDING_LEAD):
            return self.none()
        return self.filter(Q(from_agency_id=membership.agency_id) | Q(to_agency_id=membership.agency_id))


class Referral(models.Model):
    """The request, who it is about, what may be shared, on what basis, and how to make contact."""

    # A self-referral has no sending agency; a partner system's referral has no sending user.
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.STAFF)
    from_agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="referrals_sent")
    from_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    to_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="referrals_received")
    # The directory service the sender chose, when they referred to a service rather than an
    # agency: the referral still goes to the service's agency (to_agency), with the service named.
    to_service = models.ForeignKey("directory.Service", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="referrals")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="referrals")
    children = models.ManyToManyField(Person, blank=True, related_name="referrals_as_child")
    alleged_perpetrator = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT,
                                            related_name="referrals_as_perpetrator")
    reasons = models.JSONField(default=list)
    needs = EncryptedTextField(blank=True, help_text="What is needed, in the sender's words.")
    urgency = models.CharField(max_length=20, choices=Urgency.choices, default=Urgency.ROUTINE)
    risk_level = models.CharField(max_length=20, choices=RiskLevel.choices, default=RiskLevel.NOT_KNOWN)
    shared_parts = models.JSONField(default=list, help_text="Parts of the record the receiver may see.")

    lawful_basis = models.CharField(max_length=30, choices=LawfulBasis.choices)
    consent_taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+")
    consent_taken_on = models.DateField(null=True, blank=True)
    # Who took consent when it was not a Hearth user (a partner system's officer, the person themselves).
    consent_taken_by_name = models.CharField(max_length=200, blank=True)
    basis_reason = EncryptedTextField(blank=True, help_text="Why sharing without consent is justified.")

    safe_to_call = models.BooleanField(default=False)
    safe_times = EncryptedTextField(blank=True)
    voicemail_ok = models.BooleanField(default=False)
    text_ok = models.BooleanField(default=False)
    email_ok = models.BooleanField(default=False)
    # "I will call you": the survivor makes contact; nobody calls, texts or writes first.
    survivor_will_call = models.BooleanField(default=False)
    share_safe_address = models.BooleanField(default=False)

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="referrals_assigned")
    decline_reason = models.TextField(blank=True)
    suggested_alternative = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT,
                                              related_name="+")
    outcome = models.TextField(blank=True)
    redirected_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="redirections")

    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    respond_by = models.DateTimeField(null=True, blank=True, db_index=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # When the assigned worker was reminded of an accepted referral not yet started (once).
    reminded_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=100, blank=True)
    # A keyed hash of the whole request that first used the key (partner API): the same key with
    # another body is refused, never answered with the first referral.
    idempotency_fingerprint = models.CharField(max_length=64, blank=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["to_agency", "status"], name="referral_inbox"),
                   models.Index(fields=["from_agency", "status"], name="referral_sent")]
        constraints = [models.UniqueConstraint(fields=["from_agency", "idempotency_key"],
                                               condition=~Q(idempotency_key=""), name="referral_idempotent")]

    def __str__(self) -> str:
        return f"Referral {self.pk}"

    @property
    def sender_label(self) -> str:
        """Who sent it, in words: a self-referral and a partner system's referral have no sending user."""
        if self.source == Source.SELF_REFERRAL or self.from_agency_id is None:
            return "Self-referral (public help site)"
        if self.source == Source.PARTNER_API:
            return f"{self.from_agency.name} (via partner system)"
        return self.from_agency.name

    @property
    def receiver_label(self) -> str:
        """Who it went to, in words: "<service> (<agency>)" when a directory service was chosen."""
        if self.to_service_id is not None:
            return f"{self.to_service.name} ({self.to_agency.name})"
        return self.to_agency.name

    @property
    def consent_taker_label(self) -> str:
        if self.consent_taken_by_id:
            return self.consent_taken_by.get_full_name() or self.consent_taken_by.get_username()
        return self.consent_taken_by_name

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.status in AWAITING_RESPONSE and self.respond_by is not None and self.respond_by < timezone.now()

    @property
    def reason_labels(self) -> list[str]:
        labels = dict(Reason.choices)
        return [labels.get(r, r) for r in self.reasons]


class ReferralEvent(models.Model):
    """One step in a referral's history, shown on the referral."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]


class ResponseTarget(models.Model):
    """How quickly an agency promises to respond to a referral of each urgency."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="response_targets")
    urgency = models.CharField(max_length=20, choices=Urgency.choices)
    hours = models.PositiveIntegerField(help_text="Working hours for routine, clock hours for urgent.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "urgency"], name="one_target_per_urgency")]
