"""IDVA allocation: a named worker for a survivor at high risk."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from hearth.notify.services import notice_send
from hearth.people.models import Person
from hearth.platform import access, audit, grants
from hearth.platform.locks import lock_for_change
from hearth.platform.models import AuditAction, Membership
from hearth.platform.roles import Part, RelationshipKind, Role
from hearth.risk import permissions as risk_perms

from .. import ports, selectors
from ..models import (
    Allocation,
    Level,
)
from ._common import _require, _require_part


@transaction.atomic
def allocation_create(*, actor, person: Person, worker_membership: Membership) -> Allocation:
    """Allocate an IDVA or caseworker to a high-risk survivor.

    A DA service allocates its own workers; the MARAC coordinator allocates an IDVA from a
    DA service for a referred case, which gives that service a relationship to the survivor
    held on the allocation (the IDVA represents the survivor at MARAC).
    """
    _require(actor, risk_perms.ALLOCATE)
    _require_part(actor, person, Part.RISK_LEVEL)
    membership = access.acting(actor)
    level, _ = selectors.current_level(person)
    referred = ports.marac().referred(person)
    if level != Level.HIGH and not referred:
        raise ValidationError("Only a survivor assessed as high risk, or referred to MARAC, is allocated here.")
    if worker_membership.role != Role.DA_CASEWORKER or not worker_membership.is_active:
        raise ValidationError({"worker": "Choose an IDVA or caseworker."})
    if membership.role == Role.DA_CASEWORKER and worker_membership.agency_id != membership.agency_id:
        raise ValidationError({"worker": "Choose a worker in your own agency."})
    if Allocation.objects.filter(person=person, worker=worker_membership.user, ended_on__isnull=True).exists():
        raise ValidationError({"worker": "This worker is already allocated to this survivor."})
    allocation = Allocation.objects.create(person=person, worker=worker_membership.user,
                                           agency=worker_membership.agency, allocated_by=actor,
                                           allocated_on=timezone.localdate())
    grants.relationship_grant(agency=worker_membership.agency, obj=allocation, kind=RelationshipKind.MARAC,
                              cause=allocation, source="IDVA allocation for a high-risk survivor")
    audit.record(AuditAction.CREATE, obj=allocation, detail={"person": person.pk, "worker": worker_membership.user_id})
    notice_send(recipient=worker_membership.user, subject="A high-risk survivor has been allocated to you",
                body="Open your caseload in Hearth to see who.")
    return allocation


@transaction.atomic
def allocation_end(*, actor, allocation: Allocation) -> Allocation:
    """End an allocation (the survivor's case with the IDVA closes). The relationship the
    allocation gave ends with it; what the service wrote stays."""
    _require(actor, risk_perms.VIEW_CASELOAD)
    if allocation.agency_id != access.acting(actor).agency_id:
        audit.deny(obj=allocation, reason="another agency's allocation")
        raise PermissionDenied("another agency")
    lock_for_change(allocation)
    if allocation.ended_on is not None:
        raise ValidationError("This allocation has already ended.")
    allocation.ended_on = timezone.localdate()
    allocation.save(update_fields=["ended_on"])
    grants.relationship_end(obj=allocation, reason="allocation ended")
    audit.record(AuditAction.UPDATE, obj=allocation, detail={"ended": True})
    return allocation
