"""Writes of the kernel: memberships, sign-out everywhere, seals and break-glass.

Every function takes the acting user, checks the policy, runs in a transaction and audits.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from hearth.notify.services import notice_send

from . import access, audit
from .models import (
    Agency,
    AuditAction,
    BreakGlassGrant,
    Membership,
    RecordSeal,
    SealScope,
    Team,
    User,
)
from .roles import Role

_require = access.require


@transaction.atomic
def member_add(
    *, actor: User, agency: Agency, username: str, email: str, first_name: str,
    last_name: str, role: str, team: Team | None = None,
) -> Membership:
    """Add a member to the actor's own agency, creating the user if new.

    A new user has no usable password until they set one through a reset link, and must
    enrol a second factor at first sign-in.
    """
    _require(actor, "platform.manage_members", agency)
    if team is not None and team.agency_id != agency.pk:
        raise ValidationError({"team": "Choose a team in your own agency."})
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User(username=username, email=email, first_name=first_name, last_name=last_name)
        user.set_unusable_password()
        user.full_clean()
        user.save()
    if Membership.objects.filter(user=user, agency=agency).exists():
        raise ValidationError({"email": "This person is already a member of your agency."})
    membership = Membership(user=user, agency=agency, role=role, team=team)
    membership.full_clean()
    membership.save()
    audit.record(AuditAction.CREATE, obj=membership, detail={"role": role, "user": user.pk})
    return membership


@transaction.atomic
def member_update(*, actor: User, membership: Membership, role: str, team: Team | None,
                  is_active: bool) -> Membership:
    """Change a member's role, team or active state within the actor's own agency."""
    _require(actor, "platform.manage_members", membership.agency)
    if team is not None and team.agency_id != membership.agency_id:
        raise ValidationError({"team": "Choose a team in your own agency."})
    if membership.user_id == actor.pk and (not is_active or role != membership.role):
        raise ValidationError("You cannot change your own role or deactivate yourself.")
    changed = [
        name for name, value in (("role", role), ("team_id", team.pk if team else None),
                                 ("is_active", is_active))
        if getattr(membership, name) != value
    ]
    membership.role, membership.team, membership.is_active = role, team, is_active
    membership.full_clean()
    membership.save()
    audit.record(AuditAction.UPDATE, obj=membership, detail={"changed": changed})
    return membership


@transaction.atomic
def sign_out_everywhere(*, actor: User) -> None:
    """End every session of the actor, on every device, at its next request."""
    User.objects.filter(pk=actor.pk).update(session_generation=actor.session_generation + 1)
    audit.record(AuditAction.SIGN_OUT_EVERYWHERE, obj=actor)


@transaction.atomic
def record_seal(*, actor: User, obj, scope: str, reason: str, named_users: list[User]) -> RecordSeal:
    """Restrict a record (or seal its address) to named users; the actor is always named."""
    _require(actor, "people.seal_person", obj)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the record is being restricted."})
    if scope not in SealScope.values:
        raise ValidationError({"scope": "Choose what to seal."})
    seal = RecordSeal.objects.create(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, scope=scope,
        reason=reason, owner=actor,
    )
    seal.named_users.set({actor, *named_users})
    audit.record(AuditAction.SEAL, obj=obj, reason=reason,
                 detail={"scope": scope, "named": sorted(u.pk for u in {actor, *named_users})})
    return seal


def _dpos_of(agency_id: int):
    return User.objects.filter(
        memberships__agency_id=agency_id, memberships__role=Role.DATA_PROTECTION_OFFICER,
        memberships__is_active=True, is_active=True,
    )


@transaction.atomic
def break_glass_open(*, actor: User, obj, reason: str, hours: int | None = None) -> BreakGlassGrant:
    """Open emergency access to a record without a relationship.

    Needs a reason; lasts at most ``HEARTH_BREAK_GLASS_HOURS`` (never over 24); each read
    under it is audited with the reason, and the agency's data-protection officers are told
    at once. It does not open restricted records or sealed addresses.
    """
    _require(actor, "platform.use_break_glass")
    reason = reason.strip()
    if len(reason) < 10:
        raise ValidationError({"reason": "Give the reason in a sentence: it is sent to your data-protection officer."})
    membership = access.acting(actor)
    hours = min(hours or settings.HEARTH_BREAK_GLASS_HOURS, settings.HEARTH_BREAK_GLASS_HOURS, 24)
    now = timezone.now()
    grant = BreakGlassGrant.objects.create(
        user=actor, agency=membership.agency, role=membership.role,
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, reason=reason,
        starts_at=now, expires_at=now + timedelta(hours=hours),
    )
    audit.record(AuditAction.BREAK_GLASS, obj=obj, reason=reason,
                 detail={"grant": grant.pk, "hours": hours})
    for dpo in _dpos_of(membership.agency_id):
        notice_send(
            recipient=dpo,
            subject="Break-glass access opened",
            body=(f"{actor.get_full_name() or actor.username} opened break-glass access to "
                  f"{obj._meta.verbose_name} {obj.pk} for {hours} hours. Reason: {reason}"),
            email=True,
        )
    return grant


@transaction.atomic
def break_glass_review(*, actor: User, grant: BreakGlassGrant, note: str, end_now: bool) -> BreakGlassGrant:
    """A data-protection officer records their review of a break-glass access."""
    _require(actor, "platform.review_break_glass")
    if grant.agency_id != access.acting(actor).agency_id:
        raise PermissionDenied("Not your agency's break-glass access.")
    grant.reviewed_by, grant.reviewed_at, grant.review_note = actor, timezone.now(), note
    if end_now and grant.expires_at > timezone.now():
        grant.expires_at = timezone.now()
    grant.save()
    audit.record(AuditAction.UPDATE, obj=grant, detail={"reviewed": True, "ended": end_now})
    return grant
