"""Agency tokens for partner systems (e.g. a police records system sending referrals)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from hearth.platform.models import Agency, Membership


class Scope(models.TextChoices):
    REFERRALS_CREATE = "referrals:create", "Send referrals"
    REFERRALS_READ = "referrals:read", "Read the status of the agency's own referrals"


class ApiTokenQuerySet(models.QuerySet):
    def live(self):
        return self.filter(revoked_at__isnull=True, membership__is_active=True, agency__is_onboarded=True)


class ApiToken(models.Model):
    """One partner system's key to the API, acting for one agency with named scopes.

    Only a SHA-256 hash of the token is kept: the token itself is shown once, when made.
    The partner system acts through its own account and membership at the agency, so
    every rule of the access policy (what the agency may see, what it may share) and the
    audit apply to it exactly as to a member of staff. Tokens are long random strings,
    so a fast hash is enough (no password stretching needed).
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(max_length=120, help_text="Which system uses it, e.g. 'Niche records system'.")
    prefix = models.CharField(max_length=16, unique=True, help_text="The token's public start, to tell tokens apart.")
    token_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    membership = models.OneToOneField(Membership, on_delete=models.PROTECT, related_name="api_token")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None

    @property
    def scope_labels(self) -> list[str]:
        labels = dict(Scope.choices)
        return [labels.get(s, s) for s in self.scopes]
