"""Reads of the kernel's own data, each already scoped by the access policy."""

from __future__ import annotations

from datetime import datetime

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.http import Http404

from . import access, audit
from .models import AccessGrant, Agency, AuditAction, AuditEvent, BreakGlassGrant, Membership, User
from .roles import AgencyKind, RelationshipKind, Role


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


def break_glass_reviewers(*, agency: Agency, exclude: User | None = None) -> QuerySet[User]:
    """Who reviews break-glass by this agency's staff (ACCESS.md, "every break-glass has a
    reviewer"): its own active data-protection officers, or the partnership's (a DPO of a
    partnership-board agency) when it has none. Empty means nobody: break-glass is refused.
    ``exclude`` leaves out the person opening it, who may not review themselves."""
    def dpos(**agency_lookup):
        found = User.objects.filter(
            is_active=True, memberships__is_active=True, memberships__agency__is_onboarded=True,
            memberships__role=Role.DATA_PROTECTION_OFFICER,
            **{f"memberships__agency__{k}": v for k, v in agency_lookup.items()},
        ).distinct()
        return found.exclude(pk=exclude.pk) if exclude is not None else found

    own = dpos(pk=agency.pk)
    return own if own.exists() else dpos(kind=AgencyKind.BOARD)


def is_partnership_reviewer(membership: Membership | None) -> bool:
    """A DPO acting for the partnership board reviews every agency's break-glass."""
    return (membership is not None and membership.role == Role.DATA_PROTECTION_OFFICER
            and membership.agency.kind == AgencyKind.BOARD)


def break_glass_scope(*, actor) -> QuerySet[BreakGlassGrant]:
    """Break-glass grants the actor reviews: their own agency's, or every agency's for the
    partnership's data-protection officer. Not audited (services check against it)."""
    membership = access.acting(actor)
    if membership is None:
        return BreakGlassGrant.objects.none()
    grants = BreakGlassGrant.objects.all()
    if not is_partnership_reviewer(membership):
        grants = grants.filter(agency_id=membership.agency_id)
    return grants.select_related("user", "agency", "content_type", "reviewed_by")


def break_glass_list(*, actor) -> QuerySet[BreakGlassGrant]:
    """The review queue: unreviewed first, then reviewed; newest first within each.

    The listing is audited: it shows staff names and what they opened.
    """
    audit.record(AuditAction.LIST, object_type="platform.breakglassgrant")
    waiting = ExpressionWrapper(Q(reviewed_at__isnull=True), output_field=BooleanField())
    return break_glass_scope(actor=actor).annotate(waiting=waiting).order_by("-waiting", "-starts_at")


def break_glass_get(*, actor, grant_id) -> BreakGlassGrant:
    """One grant the actor reviews (a 404 otherwise); reading it, with its reason, is audited."""
    grant = _get_or_404(break_glass_scope(actor=actor), grant_id)
    audit.record(AuditAction.VIEW, obj=grant)
    return grant


def break_glass_reads(*, grant: BreakGlassGrant) -> QuerySet[AuditEvent]:
    """What the grant's holder opened under it: their audit rows on the record while it lasted."""
    return AuditEvent.objects.filter(
        user_id=grant.user_id, object_type=f"{grant.content_type.app_label}.{grant.content_type.model}",
        object_id=str(grant.object_id), at__gte=grant.starts_at, at__lte=grant.expires_at,
    ).order_by("id")
