"""Allocation and fulfilment: stock reserved for a need, then delivered or collected.

The driver's agency sees the family only for the delivery's day; a delivered allocation never changes.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from hearth.platform import access, audit, grants
from hearth.platform.locks import locked
from hearth.platform.models import AuditAction, Membership
from hearth.platform.roles import Part, RelationshipKind, Role
from hearth.support import permissions as support_perms

from ..models import (
    Allocation,
    AllocationStatus,
    Delivery,
    DeliveryMethod,
    DeliveryStatus,
    MovementKind,
    Need,
    NeedStatus,
    Slot,
    StockLine,
    Store,
    SupportCase,
)
from ._common import _own, _positive, _require
from .cases import need_outstanding
from .ledger import _locked_line, _move

DRIVER_ROLES = (Role.DELIVERY_VOLUNTEER, Role.CHARITY_WORKER)


@transaction.atomic
def stock_allocate(*, actor, need: Need, store: Store, quantity: int) -> Allocation:
    """Reserve stock from one store for a need. Locks the store-and-item line first, so of two
    workers taking the last one at once, one wins and the other gets a ``ValidationError``."""
    _require(actor, support_perms.ALLOCATE)
    _own(actor, need, need.case.agency_id)
    _own(actor, store, store.agency_id)
    quantity = _positive(quantity)
    line = _locked_line(store, need.item)
    # Read under the lock: a need cannot be over-allocated, or allocated after it was met or
    # cancelled, by two workers at once either.
    need = locked(Need).get(pk=need.pk)
    if need.status != NeedStatus.OPEN:
        raise ValidationError("This need is no longer open.")
    outstanding = need_outstanding(need)
    if quantity > outstanding:
        raise ValidationError({"quantity": f"Only {outstanding} still needed – not {quantity}."})
    allocation = Allocation.objects.create(need=need, line=line, quantity=quantity, allocated_by=actor)
    _move(actor=actor, line=line, kind=MovementKind.RESERVED, quantity=quantity, allocation=allocation)
    audit.record(AuditAction.CREATE, obj=allocation, detail={"need": need.pk, "quantity": quantity})
    return allocation


@transaction.atomic
def allocation_release(*, actor, allocation: Allocation) -> Allocation:
    """Put reserved items back into stock. A delivered allocation cannot be changed."""
    _require(actor, support_perms.ALLOCATE)
    line = locked(StockLine).select_related("store", "item").get(pk=allocation.line_id)
    allocation = locked(Allocation).select_related("need__case").get(pk=allocation.pk)
    _own(actor, allocation, allocation.need.case.agency_id)
    if allocation.status == AllocationStatus.DELIVERED:
        raise ValidationError("These items have been delivered: a delivered allocation cannot be changed.")
    if allocation.status != AllocationStatus.RESERVED:
        raise ValidationError("These items were already released back to stock.")
    if allocation.delivery_id and allocation.delivery.is_open:
        raise ValidationError("These items are on a planned delivery: take them off it first by cancelling it.")
    _move(actor=actor, line=line, kind=MovementKind.RELEASED, quantity=allocation.quantity, allocation=allocation)
    allocation.status = AllocationStatus.RELEASED
    allocation.save(update_fields=["status"])
    audit.record(AuditAction.UPDATE, obj=allocation, detail={"status": allocation.status})
    return allocation


def contact_allowed(referral) -> bool:
    """Whether the driver may have a contact number: the referrer shared contact details and
    said phoning or texting is safe, and the survivor did not say they will make contact."""
    return (Part.CONTACT in referral.shared_parts and not referral.survivor_will_call
            and (referral.safe_to_call or referral.text_ok))


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


@transaction.atomic
def delivery_arrange(*, actor, case: SupportCase, allocations: list[Allocation], method: str, slot_date: date,
                     slot: str, driver=None, address: str = "") -> Delivery:
    """Put reserved items on a delivery (to a safe address, with a driver) or a collection.

    The driver's agency gets a delivery relationship to the person for the delivery's day
    only (first name and, where allowed, a contact number); it ends when the delivery closes.
    """
    _require(actor, support_perms.ALLOCATE)
    _own(actor, case, case.agency_id)
    errors: dict[str, str] = {}
    if method not in DeliveryMethod.values:
        errors["method"] = "Choose delivery or collection."
    if slot not in Slot.values:
        errors["slot"] = "Choose a morning or afternoon slot."
    if slot_date is None or slot_date < timezone.localdate():
        errors["slot_date"] = "The date must be today or later."
    ids = [a.pk for a in allocations]
    chosen = list(locked(Allocation).filter(pk__in=ids, need__case=case).order_by("pk"))
    if not chosen or len(chosen) != len(set(ids)):
        errors["allocations"] = "Choose the reserved items to take."
    elif any(a.status != AllocationStatus.RESERVED or (a.delivery_id and a.delivery.is_open) for a in chosen):
        errors["allocations"] = "Only reserved items not already on a planned delivery can be added."
    if method == DeliveryMethod.DELIVERY:
        if not address.strip():
            errors["address"] = "Enter the safe address to deliver to, or arrange a collection instead."
        if driver is None:
            errors["driver"] = "Choose the driver."
        elif not Membership.objects.active().filter(user=driver, agency_id=case.agency_id,
                                                    role__in=DRIVER_ROLES).exists():
            errors["driver"] = "Choose a driver or volunteer in your own agency."
    if errors:
        raise ValidationError(errors)
    is_delivery = method == DeliveryMethod.DELIVERY
    delivery = Delivery.objects.create(
        case=case, method=method, slot_date=slot_date, slot=slot, driver=driver if is_delivery else None,
        address=address.strip() if is_delivery else "", contact_allowed=is_delivery and contact_allowed(case.referral),
        arranged_by=actor)
    Allocation.objects.filter(pk__in=[a.pk for a in chosen]).update(delivery=delivery)
    if is_delivery:
        parts = [Part.IDENTITY, *([Part.CONTACT] if delivery.contact_allowed else [])]
        starts, ends = _day_bounds(slot_date)
        # The relationship is for the delivery's day only, not from the day it was arranged.
        grants.relationship_grant(agency=case.agency, obj=case.person, kind=RelationshipKind.DELIVERY,
                                  parts=parts, starts_at=starts, ends_at=ends, cause=delivery,
                                  source=f"delivery {delivery.pk}", member=driver)
    audit.record(AuditAction.CREATE, obj=delivery, detail={"method": method, "items": len(chosen),
                                                           "slot_date": slot_date.isoformat()})
    return delivery


def may_confirm(actor, delivery: Delivery) -> bool:
    """The driver on the delivery's day, or a charity worker of the agency (collections too)."""
    membership = access.acting(actor)
    if membership is None or membership.agency_id != delivery.case.agency_id:
        return False
    if membership.role == Role.CHARITY_WORKER:
        return True
    return delivery.driver_id == actor.pk and delivery.slot_date == timezone.localdate()


@transaction.atomic
def delivery_confirm(*, actor, delivery: Delivery, received_by: str, confirmed: bool) -> Delivery:
    """Record that the items reached the family: the ledger takes them out of stock, the needs
    they cover are met, and the driver's view of the family ends now."""
    _require(actor, support_perms.DRIVE)
    delivery = locked(Delivery).select_related("case").get(pk=delivery.pk)
    if not may_confirm(actor, delivery):
        audit.deny(obj=delivery, reason="not this delivery's driver today")
        raise PermissionDenied("not this delivery's driver today")
    if delivery.status != DeliveryStatus.PLANNED:
        raise ValidationError("This delivery is already closed: it cannot be changed.")
    errors = {}
    if not received_by.strip():
        errors["received_by"] = "Enter the first name of the person who took the items in."
    if not confirmed:
        errors["confirmed"] = "Confirm that every item on the list was handed over."
    if errors:
        raise ValidationError(errors)
    for allocation in delivery.allocations.select_related("line").order_by("line_id"):
        if allocation.status != AllocationStatus.RESERVED:
            continue
        line = locked(StockLine).select_related("store", "item").get(pk=allocation.line_id)
        _move(actor=actor, line=line, kind=MovementKind.DELIVERED, quantity=allocation.quantity,
              allocation=allocation, note=delivery.reference)
        Allocation.objects.filter(pk=allocation.pk).update(status=AllocationStatus.DELIVERED)
    now = timezone.now()
    for need in Need.objects.filter(allocations__delivery=delivery).distinct():
        delivered = need.allocations.filter(status=AllocationStatus.DELIVERED).aggregate(n=Sum("quantity"))["n"] or 0
        if delivered >= need.quantity and need.status == NeedStatus.OPEN:
            Need.objects.filter(pk=need.pk).update(status=NeedStatus.MET, met_at=now)
    delivery.status, delivery.received_by = DeliveryStatus.DELIVERED, received_by.strip()[:120]
    delivery.closed_at, delivery.closed_by = now, actor
    # Nobody may see it again through the delivery, so it is not kept: the person's record holds
    # the safe address for those allowed it.
    delivery.address = ""
    delivery.save()
    grants.relationship_end(obj=delivery, reason="delivered", at=now)
    audit.record(AuditAction.UPDATE, obj=delivery, detail={"status": delivery.status})
    return delivery


@transaction.atomic
def delivery_cancel(*, actor, delivery: Delivery) -> Delivery:
    """Call off a planned delivery: its items stay reserved for the family; the driver's view ends."""
    _require(actor, support_perms.ALLOCATE)
    delivery = locked(Delivery).select_related("case").get(pk=delivery.pk)
    _own(actor, delivery, delivery.case.agency_id)
    if delivery.status != DeliveryStatus.PLANNED:
        raise ValidationError("This delivery is already closed: it cannot be changed.")
    now = timezone.now()
    delivery.status, delivery.closed_at, delivery.closed_by = DeliveryStatus.CANCELLED, now, actor
    delivery.address = ""  # as on delivery: a closed delivery keeps no address
    delivery.save()
    Allocation.objects.filter(delivery=delivery, status=AllocationStatus.RESERVED).update(delivery=None)
    grants.relationship_end(obj=delivery, reason="delivery cancelled", at=now)
    audit.record(AuditAction.UPDATE, obj=delivery, detail={"status": delivery.status})
    return delivery
