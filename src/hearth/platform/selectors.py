"""Reads of the kernel's own data, each already scoped by the access policy."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.http import Http404

from . import access, audit
from .models import AccessGrant, AuditAction, AuditEvent, BreakGlassGrant, Membership
from .roles import RelationshipKind


def member_list(*, actor) -> QuerySet[Membership]:
    """Members of the actor's own agency (agency admins only see their own)."""
    membership = access.acting(actor)
    return (
        Membership.objects.filter(agency_id=membership.agency_id)
        .select_related("user", "team").order_by("user__last_name", "user__first_name")
    )


def _get_or_404(queryset: QuerySet, object_id):
    """One row of an already-scoped queryset, or a 404 (audited) that confirms nothing."""
    try:
        return queryset.get(pk=int(object_id))
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        audit.deny(object_type=queryset.model._meta.label_lower, object_id=str(object_id)[:64])
        raise Http404 from None


def member_get(*, actor, membership_id) -> Membership:
    return _get_or_404(member_list(actor=actor), membership_id)


def audit_search(
    *, actor, username: str = "", object_type: str = "", object_id: str = "",
    date_from: datetime | None = None, date_to: datetime | None = None,
) -> QuerySet[AuditEvent]:
    """Audit rows a data-protection officer may review, newest first; the search is audited.

    A DPO sees what their own agency's staff did, and every access by anyone to records
    their agency owns (so "who opened this survivor's record" includes other agencies).
    """
    membership = access.acting(actor)
    owned = AccessGrant.objects.filter(agency_id=membership.agency_id, kind=RelationshipKind.OWNER)
    scope = Q(agency_id=membership.agency_id)
    if object_type and object_id:
        if owned.filter(content_type__app_label=object_type.split(".")[0],
                        content_type__model=object_type.split(".")[-1],
                        object_id=object_id if object_id.isdigit() else -1).exists():
            scope |= Q(object_type=object_type, object_id=object_id)
    events = AuditEvent.objects.filter(scope)
    if username:
        events = events.filter(username__iexact=username)
    if object_type:
        events = events.filter(object_type=object_type)
    if object_id:
        events = events.filter(object_id=object_id)
    if date_from:
        events = events.filter(at__gte=date_from)
    if date_to:
        events = events.filter(at__lt=date_to)
    audit.record(AuditAction.SEARCH, object_type="platform.auditevent",
                 detail={"username": username, "object_type": object_type,
                         "object_id": object_id, "from": str(date_from or ""), "to": str(date_to or "")})
    return events.order_by("-id")


def break_glass_list(*, actor) -> QuerySet[BreakGlassGrant]:
    """Break-glass grants of the actor's agency, for their data-protection officer."""
    membership = access.acting(actor)
    return (BreakGlassGrant.objects.filter(agency_id=membership.agency_id)
            .select_related("user", "content_type", "reviewed_by"))


def break_glass_get(*, actor, grant_id) -> BreakGlassGrant:
    return _get_or_404(break_glass_list(actor=actor), grant_id)
