"""Writes of the kernel: memberships, sign-out everywhere, seals and break-glass.

Every function takes the acting user, checks the policy, runs in a transaction and audits.
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from hearth.platform import permissions as platform_perms

from . import access, audit, ports, selectors
from .models import (
    Agency,
    AuditAction,
    BreakGlassGrant,
    BreakGlassOutcome,
    BreakGlassReason,
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
    _require(actor, platform_perms.MANAGE_MEMBERS, agency)
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
    _require(actor, platform_perms.MANAGE_MEMBERS, membership.agency)
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
    """Restrict a record (or seal its address) to named users; the actor is always named.

    The reason is stored encrypted and kept out of the audit row (audit rows are plain
    text and permanent): the row names the scope and who is named. The permission is the
    record's app's ``<app>.seal_<model>`` (``people.seal_person``): an app lets its records be
    sealed by registering it, and the kernel names no app.
    """
    _require(actor, f"{obj._meta.app_label}.seal_{obj._meta.model_name}", obj)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the record is being restricted."})
    if scope not in SealScope.values:
        raise ValidationError({"scope": "Choose what to seal."})
    seal = RecordSeal.objects.create(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, scope=scope,
        reason=reason.strip(), owner=actor,
    )
    seal.named_users.set({actor, *named_users})
    audit.record(AuditAction.SEAL, obj=obj,
                 detail={"seal": seal.pk, "scope": scope, "named": sorted(u.pk for u in {actor, *named_users})})
    return seal


BREAK_GLASS_REASON_MIN_LENGTH = 20


def break_glass_reason_problem(reason: str) -> str:
    """What is wrong with a break-glass reason, or "" when it will do.

    A reviewer must be able to judge the emergency from it: a sentence, not a few letters or
    one character held down ("aaaaaaaaaa" passed before).
    """
    words = {word.lower() for word in re.findall(r"[^\W\d_]{2,}", reason)}
    if len(reason.strip()) < BREAK_GLASS_REASON_MIN_LENGTH or len(words) < 4:
        return (f"Describe the emergency in a sentence (at least {BREAK_GLASS_REASON_MIN_LENGTH} characters and "
                "four different words): your reviewer reads it.")
    return ""


def break_glass_open(*, actor: User, obj, reason_category: str, reason: str,
                     hours: int | None = None) -> BreakGlassGrant:
    """Open emergency access to a record without a relationship.

    Needs a reason category and a reason in words (stored encrypted; the audit keeps only
    the category and the grant's id). Lasts at most ``HEARTH_BREAK_GLASS_HOURS`` (never over
    24). Its reviewer (the agency's data-protection officer, or the partnership's when the
    agency has none) is told at once; with no reviewer at all it is refused. A user may open
    at most ``HEARTH_BREAK_GLASS_DAILY_LIMIT`` in 24 hours (the reviewer is alerted when the
    limit is reached), and not a second one on a record while one is live; an opening of a
    record the user opened within ``HEARTH_BREAK_GLASS_REPEAT_DAYS`` is flagged as a repeat.
    It does not open restricted records or sealed addresses. Refusals raise
    ``ValidationError`` and are audited as denies.
    """
    try:
        return _break_glass_open(actor=actor, obj=obj, reason_category=reason_category, reason=reason,
                                 hours=hours)
    except ValidationError as exc:
        # Written after the opening's transaction rolled back, so the refusal stays on record.
        audit.deny(obj=obj, reason="break-glass refused",
                   detail={"refused": sorted({e.code or "invalid" for e in _error_list(exc)})})
        raise


def _error_list(exc: ValidationError) -> list[ValidationError]:
    if hasattr(exc, "error_dict"):
        return [e for errors in exc.error_dict.values() for e in errors]
    return exc.error_list


@transaction.atomic
def _break_glass_open(*, actor: User, obj, reason_category: str, reason: str, hours: int | None) -> BreakGlassGrant:
    _require(actor, platform_perms.USE_BREAK_GLASS)
    reason = reason.strip()
    if reason_category not in BreakGlassReason.values:
        raise ValidationError({"reason_category": "Choose why you need to open the record."}, code="category")
    if problem := break_glass_reason_problem(reason):
        raise ValidationError({"reason": problem}, code="reason")
    membership = access.acting(actor)
    reviewers = list(selectors.break_glass_reviewers(agency=membership.agency, exclude=actor))
    if not reviewers:
        raise ValidationError(
            "Break-glass is not available: neither your agency nor the partnership has a data-protection "
            "officer to review it. Ask the agency that holds the record, or your manager.", code="no_reviewer")
    # Serialise this user's openings so two at once cannot both pass the limit.
    User.objects.select_for_update().get(pk=actor.pk)
    now = timezone.now()
    content_type = ContentType.objects.get_for_model(obj)
    mine = BreakGlassGrant.objects.filter(user=actor)
    live = mine.filter(content_type=content_type, object_id=obj.pk, starts_at__lte=now,
                       expires_at__gt=now).order_by("-expires_at").first()
    if live is not None:
        until = timezone.localtime(live.expires_at)
        raise ValidationError(f"You already have break-glass access to this record until {until:%H:%M on %-d %B}.",
                              code="live")
    limit = settings.HEARTH_BREAK_GLASS_DAILY_LIMIT
    opened_today = mine.filter(starts_at__gt=now - timedelta(hours=24)).count()
    if opened_today >= limit:
        raise ValidationError(
            f"You have opened {limit} records by break-glass in the last 24 hours, the most allowed. "
            "Ask the agency that holds the record, or your data-protection officer.", code="daily_limit")
    is_repeat = mine.filter(
        content_type=content_type, object_id=obj.pk,
        starts_at__gt=now - timedelta(days=settings.HEARTH_BREAK_GLASS_REPEAT_DAYS)).exists()
    hours = min(hours or settings.HEARTH_BREAK_GLASS_HOURS, settings.HEARTH_BREAK_GLASS_HOURS, 24)
    grant = BreakGlassGrant(
        user=actor, agency=membership.agency, role=membership.role, content_type=content_type,
        object_id=obj.pk, reason_category=reason_category, reason=reason, starts_at=now,
        expires_at=now + timedelta(hours=hours), is_repeat=is_repeat,
        reached_daily_limit=opened_today + 1 >= limit,
    )
    grant.full_clean()
    grant.save()
    audit.record(AuditAction.BREAK_GLASS, obj=obj, reason=f"break-glass: {reason_category}",
                 detail={"grant": grant.pk, "category": reason_category, "hours": hours,
                         "repeat": is_repeat, "reached_daily_limit": grant.reached_daily_limit})
    who = f"{actor.get_full_name() or actor.username} ({membership.agency.name})"
    flags = ([f"REPEAT: they opened this record by break-glass within the last "
              f"{settings.HEARTH_BREAK_GLASS_REPEAT_DAYS} days."] if is_repeat else [])
    # The notice names the category, never the reason in words: notices are stored in plain text.
    body = (f"{who} opened break-glass access to {obj._meta.verbose_name} {obj.pk} for {hours} hours. "
            f"Reason given: {grant.get_reason_category_display()}. " + " ".join(flags)
            + " Review it under 'Break-glass access to review'.")
    for reviewer in reviewers:
        ports.alert(recipient=reviewer, subject="Break-glass access opened", body=body.strip(), email=True)
        if grant.reached_daily_limit:
            ports.alert(
                recipient=reviewer, subject="Break-glass daily limit reached",
                body=(f"{who} has opened {limit} records by break-glass in 24 hours, the most allowed. "
                      "Any further attempt is refused until the oldest is a day old."),
                email=True,
            )
    return grant


@transaction.atomic
def break_glass_review(*, actor: User, grant: BreakGlassGrant, outcome: str, note: str,
                       end_now: bool) -> BreakGlassGrant:
    """A reviewer records the outcome of a break-glass access, and may end it now.

    The reviewer is a data-protection officer of the grant's agency or of the partnership;
    never the person who opened it, and each grant is reviewed once. The note is stored
    encrypted; the audit row keeps the outcome only. "Referred" tells the agency's admins.
    """
    _require(actor, platform_perms.REVIEW_BREAK_GLASS)
    grant = BreakGlassGrant.objects.select_for_update().select_related("agency", "user").get(pk=grant.pk)
    if not selectors.break_glass_scope(actor=actor).filter(pk=grant.pk).exists():
        raise PermissionDenied("Not a break-glass access you review.")
    if grant.user_id == actor.pk:
        raise ValidationError("You cannot review your own break-glass access: another data-protection "
                              "officer must.")
    if grant.reviewed_at is not None:
        raise ValidationError("This break-glass access has already been reviewed.")
    if outcome not in BreakGlassOutcome.values:
        raise ValidationError({"outcome": "Choose the outcome of your review."})
    if not note.strip():
        raise ValidationError({"note": "Write a review note: what you checked and why you decided so."})
    now = timezone.now()
    ended = end_now and grant.expires_at > now
    grant.reviewed_by, grant.reviewed_at = actor, now
    grant.review_outcome, grant.review_note = outcome, note.strip()
    if ended:
        grant.expires_at = now
    grant.save()
    audit.record(AuditAction.UPDATE, obj=grant,
                 detail={"reviewed": True, "outcome": outcome, "ended": ended})
    if outcome == BreakGlassOutcome.REFERRED:
        for admin in User.objects.filter(memberships__agency_id=grant.agency_id, memberships__is_active=True,
                                         memberships__role=Role.AGENCY_ADMIN, is_active=True):
            ports.alert(
                recipient=admin, subject="Break-glass access referred to your agency",
                body=(f"{actor.get_full_name() or actor.username} reviewed a break-glass access by "
                      f"{grant.user.get_full_name() or grant.user.username} on "
                      f"{timezone.localtime(grant.starts_at):%-d %B %Y} and referred it to your agency "
                      "to follow up with them. Ask your data-protection officer or the reviewer for details."),
                email=True,
            )
    return grant
