"""Kernel data: staff users, agencies, teams, memberships, relationships, seals, audit."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .crypto import EncryptedTextField
from .roles import AgencyKind, Part, RelationshipKind, Role


class User(AbstractUser):
    """A member of staff. What they may do depends on the membership they act for."""

    email = models.EmailField("email address", unique=True)
    # Bumped by "sign out everywhere": every session's auth hash stops matching.
    session_generation = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["last_name", "first_name"]

    def _get_session_auth_hash(self, secret=None):
        return salted_hmac(
            "hearth.platform.User.session_auth_hash",
            f"{self.password}:{self.session_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Agency(models.Model):
    """An organisation in the partnership: a police team, a charity, a school..."""

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=60, blank=True)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=40, choices=AgencyKind.choices)
    is_onboarded = models.BooleanField(
        default=True, help_text="Agencies not yet onboarded cannot be acted for."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=200)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="teams_led",
    )

    class Meta:
        ordering = ["agency__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="team_name_unique_in_agency")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency})"


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True, agency__is_onboarded=True, user__is_active=True)


class Membership(models.Model):
    """A user's role in one agency. A user acts for one membership at a time."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="memberships"
    )
    role = models.CharField(max_length=40, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["agency__name", "user__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "agency"], name="one_membership_per_agency")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}, {self.agency}"


class AccessGrant(models.Model):
    """A legitimate relationship between an agency and one case record (ACCESS.md, Q2).

    Written only through ``hearth.platform.grants`` (owner on create, a referral on sending, a
    MARAC listing...). ``ends_at`` makes access lapse by itself. An empty ``parts`` list means
    every part the role may see. ``cause`` is the record whose life the relationship follows (the
    referral, the delivery, the MARAC meeting): the relationship ends when that record says so.
    """

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="grants")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.BigIntegerField()
    kind = models.CharField(max_length=20, choices=RelationshipKind.choices)
    parts = models.JSONField(default=list, blank=True)
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=200, blank=True, help_text="What created it.")
    cause_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    cause_id = models.BigIntegerField(null=True, blank=True)
    cause = GenericForeignKey("cause_type", "cause_id")
    # Set when the relationship is one named member's, not the agency's (a driver's delivery).
    member = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["content_type", "agency", "object_id"], name="grant_lookup"),
            models.Index(fields=["content_type", "object_id"], name="grant_by_record"),
            models.Index(fields=["cause_type", "cause_id"], name="grant_by_cause"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} {self.kind} {self.content_type.model} {self.object_id}"

    def granted_parts(self) -> frozenset[str]:
        return frozenset(self.parts) if self.parts else frozenset(Part.values)


class SealScope(models.TextChoices):
    RECORD = "record", "Restricted record"
    SAFE_ADDRESS = "safe_address", "Sealed address"


class RecordSeal(models.Model):
    """A restricted record or sealed address: only the named users see it (ACCESS.md, Q3)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.BigIntegerField()
    scope = models.CharField(max_length=20, choices=SealScope.choices)
    # Why a survivor's record is restricted can itself identify them: encrypted at rest.
    reason = EncryptedTextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="seals_owned",
        help_text="Told of every refused attempt.",
    )
    named_users = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="seals_named")
    created_at = models.DateTimeField(default=timezone.now)
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["content_type", "object_id"], name="seal_by_record")]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} on {self.content_type.model} {self.object_id}"


class BreakGlassReason(models.TextChoices):
    """Why emergency access was needed, as a category the audit and the reviewer can count."""

    RISK_TO_LIFE = "risk_to_life", "Immediate risk to someone's life or safety"
    SAFEGUARDING_CHILD = "safeguarding_child", "Safeguarding a child"
    OUT_OF_HOURS = "out_of_hours", "Out-of-hours emergency, the owning agency cannot be reached"
    STATUTORY_DEADLINE = "statutory_deadline", "Court or statutory deadline"
    OTHER = "other", "Other (explain below)"


class BreakGlassOutcome(models.TextChoices):
    JUSTIFIED = "justified", "Justified"
    NOT_JUSTIFIED = "not_justified", "Not justified"
    REFERRED = "referred", "Referred to the agency to follow up"


class BreakGlassGrant(models.Model):
    """Emergency access without a relationship: reasoned, at most 24 hours, audited, reviewed.

    The free-text reason and the review note are encrypted; the audit keeps only the
    category and this grant's id.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass_grants"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT)
    role = models.CharField(max_length=40, choices=Role.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.BigIntegerField()
    reason_category = models.CharField(max_length=30, choices=BreakGlassReason.choices,
                                       default=BreakGlassReason.OTHER)
    reason = EncryptedTextField()
    starts_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    # Flags for the reviewer: the same user opened this record before, within the repeat
    # window; this opening used up the user's daily allowance.
    is_repeat = models.BooleanField(default=False)
    reached_daily_limit = models.BooleanField(default=False)
    # A sealed address also needs a second person's approval.
    sealed_address_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="break_glass_approvals",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="break_glass_reviews",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_outcome = models.CharField(max_length=20, choices=BreakGlassOutcome.choices, blank=True)
    review_note = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["user", "content_type", "object_id"], name="breakglass_lookup")]

    def __str__(self) -> str:
        return f"Break-glass by {self.user} on {self.content_type.model} {self.object_id}"

    @property
    def is_live(self) -> bool:
        now = timezone.now()
        return self.starts_at <= now < self.expires_at


class AuditAction(models.TextChoices):
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    SECOND_FACTOR_FAILED = "second_factor_failed", "Second factor failed"
    SECOND_FACTOR_ENROLLED = "second_factor_enrolled", "Second factor enrolled"
    LOCKED_OUT = "locked_out", "Locked out"
    SIGN_OUT = "sign_out", "Signed out"
    SIGN_OUT_EVERYWHERE = "sign_out_everywhere", "Signed out everywhere"
    TIMED_OUT = "timed_out", "Session timed out"
    ACT_FOR = "act_for", "Chose agency to act for"
    VIEW = "view", "Viewed"
    LIST = "list", "Listed"
    SEARCH = "search", "Searched"
    EXPORT = "export", "Exported"
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    DELETE = "delete", "Deleted"
    DENY = "deny", "Refused"
    BREAK_GLASS = "break_glass", "Break-glass access"
    SEAL = "seal", "Sealed"
    KEY_ROTATION = "key_rotation", "Field keys rotated"


class AuditEvent(models.Model):
    """One append-only, hash-chained row of the audit (who did what to which record, when).

    Written unsealed (no ``hash``) inside the writer's transaction, then sealed into the
    chain just after it commits: ``mac`` is an HMAC of its contents made by the writer with
    the audit key ``key_id``; ``seq`` is its place in the chain and ``hash`` an HMAC with the
    same key over its contents, id, place and predecessor's hash. Rows from before
    the keyed chain have no ``key_id`` or ``seq`` and a plain SHA-256 ``hash``. Never changed
    after sealing or deleted: PostgreSQL refuses it with a trigger, and ``manage.py
    audit_verify`` names any change. The actor is copied, not linked, so the row stays true
    when users and agencies change.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    username = models.CharField(max_length=150, blank=True)
    agency_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    agency_name = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=40, blank=True)
    action = models.CharField(max_length=40, choices=AuditAction.choices, db_index=True)
    outcome = models.CharField(max_length=10, default="allow")
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    reason = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=36, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    seq = models.PositiveBigIntegerField(unique=True, null=True, blank=True)
    key_id = models.CharField(max_length=16, blank=True)
    mac = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_by_record"),
            # The sealer looks for rows not yet in the chain; few at any time.
            models.Index(fields=["id"], name="audit_unsealed", condition=models.Q(hash__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username or 'system'} {self.action} {self.object_type} {self.object_id}"
