"""The one writer of relationships (``AccessGrant``), and of break-glass windows moved for the demo.

Domain services say *that* a relationship starts, ends or moves; only this module writes the
table, and every write is audited. A relationship names the record that caused it (``cause``:
the referral, the delivery, the MARAC meeting) as a generic foreign key, so it is found by that
record, never by a formatted ``source`` string; ``source`` is the words shown to people.

Seals and break-glass grants are written by the kernel's own services (``platform.services``);
a test (tests/platform/test_kernel_boundary.py) fails on any write to these three tables from
outside the kernel.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from . import audit
from .models import AccessGrant, AuditAction, BreakGlassGrant, RecordSeal

OBJECT_TYPE = "platform.accessgrant"


def _label(obj) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


def caused_by(obj) -> QuerySet[AccessGrant]:
    """Every relationship ``obj`` caused, live or not (for the services and tests that ask)."""
    return AccessGrant.objects.filter(cause_type=ContentType.objects.get_for_model(obj), cause_id=obj.pk)


@transaction.atomic
def relationship_grant(
    *, agency, obj, kind: str, parts=(), starts_at: datetime | None = None, ends_at: datetime | None = None,
    cause=None, source: str = "", member=None,
) -> AccessGrant:
    """Give an agency a legitimate relationship to a record (called by domain services).

    ``cause`` is the record whose life the relationship follows (ended with
    ``relationship_end(obj=cause)``); without one the relationship lasts until ``ends_at``.
    With ``member`` the relationship is that one member's (a driver for their delivery), not
    the whole agency's.
    """
    cause_fields = {}
    if cause is not None:
        cause_fields = {"cause_type": ContentType.objects.get_for_model(cause), "cause_id": cause.pk}
    grant = AccessGrant.objects.create(
        agency=agency, content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk,
        kind=kind, parts=sorted(parts), starts_at=starts_at or timezone.now(), ends_at=ends_at, source=source,
        member=member, **cause_fields,
    )
    detail = {"record": _label(obj), "agency": agency.pk, "kind": kind, "member": getattr(member, "pk", None)}
    if cause is not None:
        detail["cause"] = _label(cause)
    audit.record(AuditAction.CREATE, object_type=OBJECT_TYPE, object_id=grant.pk, detail=detail)
    return grant


@transaction.atomic
def relationship_end(*, obj, reason: str, at: datetime | None = None) -> int:
    """End the relationships ``obj`` caused at ``at`` (now by default); returns how many.

    Only ever shortens: a relationship already ended (or lapsing) before ``at`` keeps its end,
    so ending can never give back access that has lapsed.
    """
    at = at or timezone.now()
    ended = 0
    for grant in caused_by(obj).filter(Q(ends_at__isnull=True) | Q(ends_at__gt=at)).select_for_update():
        AccessGrant.objects.filter(pk=grant.pk).update(ends_at=at)
        audit.record(AuditAction.UPDATE, object_type=OBJECT_TYPE, object_id=grant.pk,
                     detail={"cause": _label(obj), "ends_at": at.isoformat(), "reason": reason})
        ended += 1
    return ended


@transaction.atomic
def relationship_move_start(*, obj, starts_at: datetime, reason: str) -> int:
    """Move the start of the relationships ``obj`` caused (a rescheduled delivery day); returns how many."""
    moved = 0
    for grant in caused_by(obj).select_for_update():
        AccessGrant.objects.filter(pk=grant.pk).update(starts_at=starts_at)
        audit.record(AuditAction.UPDATE, object_type=OBJECT_TYPE, object_id=grant.pk,
                     detail={"cause": _label(obj), "starts_at": starts_at.isoformat(), "reason": reason})
        moved += 1
    return moved


@transaction.atomic
def break_glass_backdate(*, grant: BreakGlassGrant, by: timedelta, reason: str) -> BreakGlassGrant:
    """Move a break-glass window into the past (demo data: an emergency already over, awaiting review)."""
    BreakGlassGrant.objects.filter(pk=grant.pk).update(starts_at=grant.starts_at - by,
                                                       expires_at=grant.expires_at - by)
    audit.record(AuditAction.UPDATE, obj=grant, detail={"backdated_seconds": int(by.total_seconds()),
                                                        "reason": reason})
    grant.refresh_from_db()
    return grant


@transaction.atomic
def seal_place(*, obj, scope: str, reason: str, owner, named_users) -> RecordSeal:
    """Restrict a record (or seal its address) to named users, without a policy check (demo data;
    staff seal through ``platform.services.record_seal``, which checks the actor may)."""
    seal = RecordSeal.objects.create(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk,
                                     scope=scope, reason=reason, owner=owner)
    seal.named_users.set(named_users)
    audit.record(AuditAction.SEAL, obj=obj, detail={"seal": seal.pk, "scope": scope,
                                                    "named": sorted(u.pk for u in named_users)})
    return seal


def held_on(obj) -> QuerySet[AccessGrant]:
    """Every relationship held on ``obj``, live or not (for the services and tests that ask)."""
    return AccessGrant.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)
