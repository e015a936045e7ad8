"""The audit: append-only, hash-chained ``AuditEvent`` rows for every read, search, export
and write of case data, and for sign-in events.

Call ``audit.record(...)`` from services and selectors. The request context (who, which
agency, request id, IP) is picked up from the current request by ``RequestContextMiddleware``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from .context import current
from .models import AuditAction, AuditEvent

GENESIS = "0" * 64
# Any constant: all audit writers take the same transaction-level lock on PostgreSQL,
# so no two rows ever claim the same predecessor.
_CHAIN_LOCK_KEY = 0x4845415254  # "HEART"

HASHED_FIELDS = (
    "at", "user_id", "username", "agency_id", "agency_name", "role", "action", "outcome",
    "object_type", "object_id", "reason", "detail", "request_id", "ip", "prev_hash",
)


def _canonical(event: AuditEvent) -> bytes:
    values = {}
    for name in HASHED_FIELDS:
        value = getattr(event, name)
        if name == "at":
            value = value.astimezone(timezone.UTC).isoformat(timespec="microseconds")
        values[name] = value
    return json.dumps(values, sort_keys=True, separators=(",", ":"), default=str).encode()


def event_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical(event)).hexdigest()


def record(
    action: str,
    *,
    obj=None,
    object_type: str = "",
    object_id: str | int = "",
    outcome: str = "allow",
    reason: str = "",
    detail: dict | None = None,
    user=None,
    membership=None,
) -> AuditEvent:
    """Append one audit row and return it.

    ``obj`` (a model instance) names the record; otherwise ``object_type``/``object_id``.
    The acting user and membership default to the current request's. ``detail`` must never
    hold case data values (names, addresses, answers): only ids, counts and field names.
    """
    ctx = current()
    user = user if user is not None else ctx.user
    membership = membership if membership is not None else ctx.membership
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    event = AuditEvent(
        at=timezone.now(),
        user_id=user.pk if user else None,
        username=user.get_username() if user else ctx.username_attempted,
        agency_id=membership.agency_id if membership else None,
        agency_name=membership.agency.name if membership else "",
        role=membership.role if membership else "",
        action=action,
        outcome=outcome,
        object_type=object_type,
        object_id=str(object_id) if object_id != "" else "",
        reason=reason,
        detail=detail or {},
        request_id=ctx.request_id,
        ip=ctx.ip,
    )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # No ORM spelling for an advisory lock; a constant, no user input.
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])  # nosemgrep: hearth-no-raw-sql
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        event.prev_hash = last or GENESIS
        event.hash = event_hash(event)
        event.save(force_insert=True)
    return event


def deny(*, obj=None, object_type: str = "", object_id="", reason: str = "", detail=None):
    """Record a refused access (every deny of a case read is an audit row)."""
    return record(
        AuditAction.DENY, obj=obj, object_type=object_type, object_id=object_id,
        outcome="deny", reason=reason, detail=detail,
    )


@dataclass
class VerifyResult:
    rows: int
    first_bad_id: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.first_bad_id is None


def _rows(batch: int = 5000) -> Iterator[AuditEvent]:
    last_id = 0
    while True:
        chunk = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch])
        if not chunk:
            return
        yield from chunk
        last_id = chunk[-1].id


def verify() -> VerifyResult:
    """Walk the chain from the first row; report the first row whose hash or link is wrong."""
    expected_prev = GENESIS
    count = 0
    for event in _rows():
        if event.prev_hash != expected_prev:
            return VerifyResult(count, event.id, "does not follow the row before it (a row was removed or inserted)")
        if event_hash(event) != event.hash:
            return VerifyResult(count, event.id, "was changed after it was written")
        expected_prev = event.hash
        count += 1
    return VerifyResult(count)
