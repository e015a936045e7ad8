"""THE access policy: who may see and do what in Hearth (ACCESS.md). Nothing else decides.

Three questions for every read of case data:
1. Role: may someone in this role ever see this part of a record?  (``ROLE_PARTS``)
2. Relationship: does the acting agency hold a live ``AccessGrant`` for the record?
3. Seal: is the record restricted, or its address sealed, beyond both?  (``RecordSeal``)

Role permissions are ``rules`` predicates: each app declares its own named permissions
in ``<app>/permissions.py`` from the predicates here and registers them (``register``);
``may`` and ``require`` refuse to answer for a name nobody registered. Object visibility
is a queryset filter (``visible_to``) so lists, searches and exports obey the same rules as
pages. Views never filter by hand: they call selectors, which start from here.
"""

from __future__ import annotations

from datetime import timedelta

import rules
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
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
# Role predicates (rules): the parts apps build their permissions from
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


# ---------------------------------------------------------------------------
# The registry of named permissions: each app declares its own in ``<app>/permissions.py``
# and registers them from its ``AppConfig.ready()``. Every view declares one of these
# (or public/signed-in); asking for a name nobody registered is a bug, never a quiet "no".
# ---------------------------------------------------------------------------

class UnknownPermission(LookupError):
    """A permission name that no installed app registered (a typo, or a missing ``register``)."""


class Permission(str):
    """A named permission (``"<app label>.<codename>"``) and the predicate that decides it.

    A ``str``, so a declared policy, an audit reason or the access matrix prints its name
    exactly as before; declared once, as a constant in its app's ``permissions.py``.
    """

    predicate: rules.Predicate

    def __new__(cls, name: str, predicate):
        app_label, _, codename = name.partition(".")
        if not app_label or not codename:
            raise ValueError(f"a permission is named '<app label>.<codename>', not {name!r}")
        permission = super().__new__(cls, name)
        permission.predicate = predicate
        return permission

    def __reduce__(self):
        # Copies and pickles (exception arguments, say) are the plain name: ``may`` takes either.
        return (str, (str(self),))

    @property
    def app_label(self) -> str:
        return self.partition(".")[0]


PERMISSIONS: dict[str, Permission] = {}


def register(*permissions: Permission) -> None:
    """Register an app's permissions with the policy (from the app's ``AppConfig.ready()``).

    A name registered twice, or one whose app is not installed, is a configuration error.
    """
    from django.apps import apps

    for permission in permissions:
        if not isinstance(permission, Permission):
            raise ImproperlyConfigured(f"{permission!r} is not an access.Permission")
        if permission in PERMISSIONS:
            raise ImproperlyConfigured(f"permission {permission} is registered twice")
        try:
            apps.get_app_config(permission.app_label)
        except LookupError:
            raise ImproperlyConfigured(
                f"permission {permission} names app {permission.app_label!r}, which is not installed"
            ) from None
    if len(set(permissions)) != len(permissions):
        raise ImproperlyConfigured("the same permission is named twice in one registration")
    for permission in permissions:
        PERMISSIONS[str(permission)] = permission
        rules.add_perm(str(permission), permission.predicate)
        rules.add_rule(str(permission), permission.predicate)


def lookup(name: str) -> Permission:
    """The registered permission of this name; ``UnknownPermission`` if there is none."""
    try:
        return PERMISSIONS[name]
    except (KeyError, TypeError):
        raise UnknownPermission(f"no installed app registers the permission {name!r}") from None


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
    predicate = lookup(permission).predicate
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

    ``permission`` is a registered ``Permission`` (or its name); any other name raises
    ``UnknownPermission``.

    Asks the rules directly, not ``user.has_perm``: Django lets superusers pass every
    ``has_perm``, and nobody bypasses this policy.
    """
    predicate = lookup(permission).predicate  # an unknown name is a bug: raise, never deny quietly
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    return bool(predicate.test(user, obj))


def require(user, permission: str, obj=None, *, object_type: str = "") -> None:
    """Refuse (``PermissionDenied``, with the refusal audited) unless ``may`` says yes: the one
    check every service makes before it changes anything (an unknown name raises
    ``UnknownPermission``, unaudited: it is a bug, not a refusal). ``object_type`` names what was
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
