"""Reads of the api app: a partner system's own referrals, and an agency's tokens. Audited."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from hearth.platform import access, audit
from hearth.platform.models import AuditAction
from hearth.referrals.models import Referral, Status

from .models import ApiToken


def _own(actor, token: ApiToken) -> QuerySet[Referral]:
    # "Its own": referrals its agency sent (by any route), never ones it received; and, like
    # every read, only what the access policy lets the token's account see.
    return (Referral.objects.visible_to(actor).filter(from_agency_id=token.agency_id).exclude(status=Status.DRAFT)
            .select_related("to_agency", "to_service", "assigned_to", "suggested_alternative")
            .prefetch_related("events__agency", "redirections"))


def partner_referrals(*, actor, token: ApiToken, status: str = "") -> QuerySet[Referral]:
    """The token's agency's referrals, newest first, optionally in one status."""
    referrals = _own(actor, token)
    if status in Status.values:
        referrals = referrals.filter(status=status)
    audit.record(AuditAction.LIST, object_type="referrals.referral",
                 detail={"api": True, "status": status if status in Status.values else ""})
    return referrals.order_by("-created_at", "-pk")


def partner_referral_get(*, actor, token: ApiToken, referral_id: int) -> Referral:
    """One of the agency's own referrals (else 404, audited as a refusal)."""
    return access.get_visible_or_404(actor, _own(actor, token), pk=referral_id)


def tokens(*, actor) -> QuerySet[ApiToken]:
    """The acting agency's tokens (an agency admin's page)."""
    return ApiToken.objects.filter(agency_id=access.acting(actor).agency_id).select_related("created_by")


def token_get(*, actor, token_id: int) -> ApiToken:
    """One of the acting agency's tokens, else a 404."""
    return get_object_or_404(tokens(actor=actor), pk=token_id)
