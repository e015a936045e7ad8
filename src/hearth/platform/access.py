"""THE access policy: who may see and do what in Hearth (ACCESS.md). Nothing else decides.

Three questions for every read of case data:
1. Role: may someone in this role ever see this part of a record?  (``ROLE_PARTS``)
2. Relationship: does the acting agency hold a live ``AccessGrant`` for the record?
3. Seal: is the record restricted, or its address sealed, beyond both?  (``RecordSeal``)

Role permissions are ``rules`` predicates registered here; object visibility is a
queryset filter (``visible_to``) so lists, searches and exports obey the same rules as
pages. Views never filter by hand: they call selectors, which start from here.
"""

from __future__ import annotations

from datetime import timedelta

import rules
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from . import audit, grants, ports
from .models import (
    AccessGrant,
    AuditAction,
    BreakGlassGrant,
    Membership,
    RecordSeal,
    SealScope,
)
from .roles import Part, RelationshipKind, Role

P = Part
ALL_PARTS = frozenset(Part.values)

# Question 1: the parts each role may ever see, through a relationship (ACCESS.md table).
ROLE_PARTS: dict[str, frozenset[str]] = {
    Role.POLICE_OFFICER: frozenset({
        P.IDENTITY, P.CONTACT, P.SAFE_ADDRESS, P.HOUSEHOLD, P.CHILDREN, P.INCIDENTS,
        P.RISK_LEVEL, P.RISK_ANSWERS, P.PERPETRATOR, P.NOTES, P.NEEDS,
    }),
    Role.DA_CASEWORKER: ALL_PARTS,
    Role.CHARITY_WORKER: frozenset({
        P.IDENTITY, P.HOUSEHOLD, P.NEEDS, P.RISK_LEVEL, P.CONTACT, P.NOTES,
    }),
    Role.DELIVERY_VOLUNTEER: frozenset({P.IDENTITY, P.SAFE_ADDRESS, P.CONTACT}),
    Role.HOUSING_OFFICER: frozenset({
        P.IDENTITY, P.CONTACT, P.HOUSEHOLD, P.CHILDREN, P.SAFE_ADDRESS, P.RISK_LEVEL,
        P.NEEDS, P.NOTES,
    }),
    Role.CHILDRENS_SOCIAL_WORKER: frozenset({
        P.CHILDREN, P.HOUSEHOLD, P.INCIDENTS, P.RISK_LEVEL, P.IDENTITY, P.CONTACT, P.NOTES,
    }),
    Role.SCHOOL_SAFEGUARDING_LEAD: frozenset({P.IDENTITY}),
    Role.PERPETRATOR_WORKER: frozenset({P.IDENTITY, P.PERPETRATOR, P.RISK_LEVEL, P.NOTES}),
    Role.MARAC_COORDINATOR: frozenset({P.IDENTITY, P.RISK_LEVEL, P.RISK_ANSWERS}),
    Role.ANALYST: frozenset(),
    Role.AGENCY_ADMIN: frozenset(),
    Role.DATA_PROTECTION_OFFICER: frozenset(),
    Role.PARTNERSHIP_ADMIN: frozenset(),
}

# Parts a role never sees, whatever the configuration, relationship or break-glass.
NEVER_PARTS: dict[str, frozenset[str]] = {
    Role.PERPETRATOR_WORKER: frozenset({P.CONTACT, P.SAFE_ADDRESS, P.SAFETY_PLAN, P.CHILDREN}),
}

# Roles that work with individual people's records.
CASE_ROLES = frozenset(role for role, parts in ROLE_PARTS.items() if parts)
# Roles that may record a new person (schools, volunteers and MARAC coordinators do not).
RECORDING_ROLES = frozenset({
    Role.POLICE_OFFICER, Role.DA_CASEWORKER, Role.CHARITY_WORKER, Role.HOUSING_OFFICER,
    Role.CHILDRENS_SOCIAL_WORKER, Role.PERPETRATOR_WORKER,
})
# Break-glass is for practitioners who may need to act in an emergency; never for
# perpetrator services, volunteers or schools.
BREAK_GLASS_ROLES = frozenset({
    Role.POLICE_OFFICER, Role.DA_CASEWORKER, Role.HOUSING_OFFICER,
    Role.CHILDRENS_SOCIAL_WORKER, Role.MARAC_COORDINATOR,
})


# ---------------------------------------------------------------------------
# The acting membership
# ---------------------------------------------------------------------------

def acting(user) -> Membership | None:
    """The membership the user acts for in this request (set by the staff middleware)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "membership", None)


def acting_role(user) -> str | None:
    membership = acting(user)
    return membership.role if membership else None


# ---------------------------------------------------------------------------
# Role predicates (rules) and named permissions
# ---------------------------------------------------------------------------

def has_role(*roles: str):
    name = "has_role:" + ",".join(sorted(roles))

    @rules.predicate(name=name)
    def predicate(user) -> bool:
        return acting_role(user) in roles

    return predicate


@rules.predicate
def is_case_worker(user) -> bool:
    return acting_role(user) in CASE_ROLES


@rules.predicate
def is_admin_of_agency(user, agency) -> bool:
    membership = acting(user)
    if membership is None or membership.role != Role.AGENCY_ADMIN:
        return False
    return agency is None or getattr(agency, "pk", agency) == membership.agency_id


@rules.predicate
def can_see_record(user, obj) -> bool:
    if obj is None:
        return is_case_worker(user)
    return visible_to(user, type(obj)._default_manager.filter(pk=obj.pk)).exists()


@rules.predicate
def is_owner_agency(user, obj) -> bool:
    membership = acting(user)
    if membership is None:
        return False
    return obj is None or getattr(obj, "owner_agency_id", None) == membership.agency_id


# Roles that confirm or undo identity links, and that see recognition warnings.
LINKING_ROLES = (Role.POLICE_OFFICER, Role.DA_CASEWORKER, Role.CHARITY_WORKER, Role.HOUSING_OFFICER,
                 Role.CHILDRENS_SOCIAL_WORKER)
RECOGNITION_ROLES = (Role.POLICE_OFFICER, Role.DA_CASEWORKER, Role.MARAC_COORDINATOR, Role.HOUSING_OFFICER,
                     Role.CHILDRENS_SOCIAL_WORKER)

# Roles that send, receive and answer referrals (schools and volunteers get notifications instead).
REFERRAL_ROLES = tuple(sorted(RECORDING_ROLES))

# Risk and MARAC (issue 5): roles that see a risk page at all, and that refer to / attend MARAC.
RISK_VIEW_ROLES = (Role.POLICE_OFFICER, Role.DA_CASEWORKER, Role.CHARITY_WORKER, Role.HOUSING_OFFICER,
                   Role.CHILDRENS_SOCIAL_WORKER, Role.MARAC_COORDINATOR)
MARAC_REFERRING_ROLES = (Role.POLICE_OFFICER, Role.DA_CASEWORKER, Role.HOUSING_OFFICER,
                         Role.CHILDRENS_SOCIAL_WORKER)

# Named permissions. Every view declares one of these (or public/signed-in).
PERMISSIONS = {
    "platform.manage_members": is_admin_of_agency,
    "platform.view_audit": has_role(Role.DATA_PROTECTION_OFFICER),
    "platform.review_break_glass": has_role(Role.DATA_PROTECTION_OFFICER),
    "platform.use_break_glass": has_role(*BREAK_GLASS_ROLES),
    "platform.manage_partnership": has_role(Role.PARTNERSHIP_ADMIN),
    "platform.view_aggregates": has_role(Role.ANALYST),
    # Drivers see a person only on their delivery's sheet (first name, address, number if allowed),
    # never the record itself: their delivery relationship would otherwise open the whole identity.
    "people.view_person": is_case_worker & ~has_role(Role.DELIVERY_VOLUNTEER) & can_see_record,
    "people.add_person": has_role(*RECORDING_ROLES),
    "people.seal_person": has_role(Role.DA_CASEWORKER, Role.POLICE_OFFICER) & can_see_record,
    "people.change_person": has_role(*RECORDING_ROLES) & is_owner_agency,
    "people.link_person": has_role(*LINKING_ROLES) & can_see_record,
    "people.record_incident": has_role(Role.POLICE_OFFICER, Role.DA_CASEWORKER, Role.CHILDRENS_SOCIAL_WORKER),
    # Repeat-victim and serial-perpetrator warnings, and which other agencies know a person.
    "people.see_recognition": has_role(*RECOGNITION_ROLES),
    "people.see_other_agencies": has_role(Role.POLICE_OFFICER, Role.DA_CASEWORKER, Role.MARAC_COORDINATOR),
    "referrals.make_referral": has_role(*RECORDING_ROLES),
    "referrals.view_referrals": has_role(*REFERRAL_ROLES),
    "referrals.respond": has_role(*REFERRAL_ROLES),
    # --- risk (risk checklists, safety plans, children's notifications) ---
    # The person's record decides which parts show (risk_level, risk_answers, safety_plan, children);
    # these say which roles may ever use the pages. Perpetrator services see a linked victim's
    # level through the people pages, never a checklist, plan or child's school.
    "risk.view_risk": has_role(*RISK_VIEW_ROLES),
    "risk.assess": has_role(Role.POLICE_OFFICER, Role.DA_CASEWORKER),
    "risk.record_reported_grade": has_role(Role.DA_CASEWORKER, Role.MARAC_COORDINATOR, Role.POLICE_OFFICER),
    "risk.view_tools": has_role(Role.POLICE_OFFICER, Role.DA_CASEWORKER, Role.MARAC_COORDINATOR),
    "risk.allocate": has_role(Role.DA_CASEWORKER, Role.MARAC_COORDINATOR),
    "risk.view_caseload": has_role(Role.DA_CASEWORKER),
    "risk.view_safety_plan": has_role(Role.DA_CASEWORKER),
    "risk.write_safety_plan": has_role(Role.DA_CASEWORKER),
    "risk.view_children": has_role(Role.POLICE_OFFICER, Role.DA_CASEWORKER, Role.CHILDRENS_SOCIAL_WORKER,
                                   Role.HOUSING_OFFICER),
    "risk.change_children": has_role(Role.POLICE_OFFICER, Role.DA_CASEWORKER, Role.CHILDRENS_SOCIAL_WORKER),
    "risk.notify_school": has_role(Role.POLICE_OFFICER, Role.DA_CASEWORKER, Role.CHILDRENS_SOCIAL_WORKER),
    "risk.view_school_notifications": has_role(Role.SCHOOL_SAFEGUARDING_LEAD),
    # --- marac (meetings, listed cases, research returns, actions) ---
    "marac.refer": has_role(*MARAC_REFERRING_ROLES),
    "marac.coordinate": has_role(Role.MARAC_COORDINATOR),
    # Attending agencies: meetings they are invited to, their research returns, their actions.
    # Never perpetrator services: research returns may hold a survivor's whereabouts.
    "marac.attend": has_role(Role.MARAC_COORDINATOR, *MARAC_REFERRING_ROLES),
    # --- support (needs, stock, donations, deliveries) ---
    # Charity workers run the store and the families' needs; each page is scoped to the acting
    # agency's own support records. Drivers (volunteers, or a worker) see only their own
    # deliveries on the day: the delivery address rule is in support/selectors.py.
    "support.view_needs": has_role(Role.CHARITY_WORKER),
    "support.allocate": has_role(Role.CHARITY_WORKER),
    "support.manage_stock": has_role(Role.CHARITY_WORKER),
    "support.record_donations": has_role(Role.CHARITY_WORKER),
    "support.view_dashboard": has_role(Role.CHARITY_WORKER),
    "support.drive": has_role(Role.DELIVERY_VOLUNTEER, Role.CHARITY_WORKER),
    # --- directory and public help site ---
    "directory.manage_directory": has_role(Role.PARTNERSHIP_ADMIN),
    "public.edit_help": has_role(Role.PARTNERSHIP_ADMIN),
    "public.review_held": has_role(Role.PARTNERSHIP_ADMIN),
    # --- api (partner systems) ---
    # Agency admins make and revoke their own agency's partner-system tokens.
    "api.manage_tokens": is_admin_of_agency,
}
for _name, _predicate in PERMISSIONS.items():
    rules.add_perm(_name, _predicate)
    rules.add_rule(_name, _predicate)


def roles_with(permission: str) -> list[str]:
    """Roles for which a permission can ever be true (for the access matrix)."""
    return [role for role in Role.values if role_may(role, permission)]


def role_may(role: str, permission: str) -> bool:
    """Whether a role could hold a permission, ignoring objects and relationships."""
    class _Probe:
        is_authenticated = True
        is_active = True

    probe = _Probe()
    probe.membership = Membership(role=role, agency_id=0)  # type: ignore[attr-defined]
    predicate = PERMISSIONS[permission]
    # Object predicates answer for "some object" when asked without one.
    return bool(predicate.test(probe, None))


# ---------------------------------------------------------------------------
# Question 2 and 3: relationships and seals, as queryset filters
# ---------------------------------------------------------------------------

def _live(qs, now):
    return qs.filter(starts_at__lte=now).filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))


def _agency_grants(user, membership, content_type, now, **lookup):
    """Live relationships of the acting agency that this user may act on.

    A grant naming a member (a driver's delivery) is that member's alone, not the agency's;
    volunteers see people only through such a delivery of their own, on its day.
    """
    grants = _live(AccessGrant.objects.filter(content_type=content_type, agency_id=membership.agency_id,
                                              **lookup), now)
    grants = grants.filter(Q(member__isnull=True) | Q(member_id=user.pk))
    if membership.role == Role.DELIVERY_VOLUNTEER:
        grants = grants.filter(kind=RelationshipKind.DELIVERY, member_id=user.pk)
    return grants


def _live_break_glass(user, membership, content_type, now):
    # Only roles that may break glass are ever let in by a grant, however it was made.
    if membership.role not in BREAK_GLASS_ROLES:
        return BreakGlassGrant.objects.none()
    return BreakGlassGrant.objects.filter(
        user=user, agency_id=membership.agency_id, role=membership.role,
        content_type=content_type, starts_at__lte=now, expires_at__gt=now,
    )


def visible_to(user, queryset: models.QuerySet) -> models.QuerySet:
    """The records of ``queryset`` the user may open, acting for their current agency.

    A record is visible through a live relationship of the acting agency, or a live
    break-glass grant of this user, or by being named on its restriction; a restricted
    record is hidden from everyone not named, whatever their relationship.
    """
    membership = acting(user)
    if membership is None or membership.role not in CASE_ROLES:
        return queryset.none()
    content_type = ContentType.objects.get_for_model(queryset.model)
    now = timezone.now()
    grants = _agency_grants(user, membership, content_type, now)
    break_glass = _live_break_glass(user, membership, content_type, now)
    restricted = RecordSeal.objects.filter(
        content_type=content_type, scope=SealScope.RECORD, lifted_at__isnull=True
    )
    named = restricted.filter(named_users=user)
    hidden = restricted.exclude(named_users=user)
    # Correlated EXISTS, not ``pk__in``: checking one record is then an index probe per
    # subquery (grant_lookup, breakglass_lookup, seal_by_record), where IN made PostgreSQL
    # hash every live grant of the agency (100k+ at a county's scale) to answer for one person.
    record = OuterRef("pk")
    return queryset.filter(
        Exists(grants.filter(object_id=record))
        | Exists(break_glass.filter(object_id=record))
        | Exists(named.filter(object_id=record))
    ).exclude(Exists(hidden.filter(object_id=record)))


def parts_for(user, obj) -> frozenset[str]:
    """The parts of ``obj`` this user may see now: role ∩ relationship − seals − never."""
    membership = acting(user)
    if membership is None:
        return frozenset()
    role_parts = ROLE_PARTS.get(membership.role, frozenset())
    content_type = ContentType.objects.get_for_model(obj)
    now = timezone.now()
    grants = _agency_grants(user, membership, content_type, now, object_id=obj.pk)
    related: set[str] = set()
    for grant in grants:
        related |= grant.granted_parts()
    seals = RecordSeal.objects.filter(
        content_type=content_type, object_id=obj.pk, lifted_at__isnull=True
    )
    named_on_record = seals.filter(scope=SealScope.RECORD, named_users=user).exists()
    if named_on_record:
        related |= role_parts
    glass = _live_break_glass(user, membership, content_type, now).filter(object_id=obj.pk).first()
    if glass is not None:
        related |= role_parts - ({P.SAFE_ADDRESS} if not glass.sealed_address_approved_by_id else set())
    parts = role_parts & related
    address_seal = seals.filter(scope=SealScope.SAFE_ADDRESS).first()
    if address_seal is not None and not address_seal.named_users.filter(pk=user.pk).exists():
        if not (glass is not None and glass.sealed_address_approved_by_id):
            parts -= {P.SAFE_ADDRESS}
    return frozenset(parts - NEVER_PARTS.get(membership.role, frozenset()))


def may(user, permission: str, obj=None) -> bool:
    """Ask the policy a yes/no question (used by views and templates).

    Asks the rules directly, not ``user.has_perm``: Django lets superusers pass every
    ``has_perm``, and nobody bypasses this policy.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    return bool(rules.test_rule(permission, user, obj)) if permission in PERMISSIONS else False


def require(user, permission: str, obj=None, *, object_type: str = "") -> None:
    """Refuse (``PermissionDenied``, with the refusal audited) unless ``may`` says yes: the one
    check every service makes before it changes anything. ``object_type`` names what was
    refused when there is no ``obj``."""
    if not may(user, permission, obj):
        is_record = hasattr(obj, "_meta")
        audit.deny(obj=obj if is_record else None, object_type="" if is_record else object_type,
                   reason=f"lacks {permission}")
        raise PermissionDenied(permission)


def get_visible_or_404(user, queryset: models.QuerySet, *, shown: frozenset[str] | None = None, **lookup):
    """Fetch one record the user may see, auditing the allow or the deny.

    Anything else is a 404 that does not confirm the record exists; if the record is
    restricted, its owner is told of the attempt. ``shown`` is every part the page can show
    (a change form, say): the audit row then lists exactly the parts the reader gets of those.
    """
    # A model may define its own visibility (referrals: sender and receiver); people use the grants.
    scoped = queryset.visible_to(user) if hasattr(queryset, "visible_to") else visible_to(user, queryset)
    try:
        obj = scoped.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        refuse(user, queryset.model, lookup)
        raise Http404 from None
    membership = acting(user)
    content_type = ContentType.objects.get_for_model(obj)
    related = _agency_grants(user, membership, content_type, timezone.now(), object_id=obj.pk).exists()
    glass = None if related else _live_break_glass(user, membership, content_type, timezone.now()).filter(
        object_id=obj.pk).first()
    parts = parts_for(user, obj)
    if shown is not None:
        parts &= shown
    # A read under break-glass names its grant and reason category, for the review; never the
    # reason in words (encrypted on the grant; audit rows are plain text and permanent).
    detail = {"parts": sorted(parts)}
    if glass:
        detail["grant"] = glass.pk
    audit.record(AuditAction.BREAK_GLASS if glass else AuditAction.VIEW, obj=obj,
                 reason=f"break-glass: {glass.reason_category}" if glass else "", detail=detail)
    return obj


def refuse(user, model, lookup, *, reason: str = "no access") -> None:
    """Audit a refused read; if the record is restricted, tell its owner of the attempt."""
    object_id = str(lookup.get("pk", lookup.get("id", "")))[:64]
    audit.deny(object_type=model._meta.label_lower, object_id=object_id, reason=reason)
    if not object_id.isdigit():
        return
    content_type = ContentType.objects.get_for_model(model)
    seal = RecordSeal.objects.filter(
        content_type=content_type, object_id=int(object_id), scope=SealScope.RECORD,
        lifted_at__isnull=True,
    ).select_related("owner").first()
    if seal is not None:
        ports.alert(
            recipient=seal.owner,
            subject="Attempt to open a restricted record",
            body=(
                f"{user.get_full_name() or user.get_username()} tried to open restricted "
                f"record {model._meta.verbose_name} {object_id} and was refused."
            ),
        )


# ---------------------------------------------------------------------------
# Writes to the policy's own data: relationships, seals, break-glass
# ---------------------------------------------------------------------------

# The writer lives in ``grants`` (the one module that writes AccessGrant); the old name stays.
grant_relationship = grants.relationship_grant


def referral_lapse_end(closed_at):
    """When a closed referral's access lapses (default 90 days after closing)."""
    return closed_at + timedelta(days=settings.HEARTH_REFERRAL_LAPSE_DAYS)
