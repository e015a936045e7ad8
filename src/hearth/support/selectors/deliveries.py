"""Reads of deliveries, under the address rule (``delivery_address_visible``): van sheets, pick lists."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone

from hearth.people.models import Person
from hearth.platform import access, audit
from hearth.platform.models import AuditAction
from hearth.platform.roles import Part, Role

from ..models import (
    Delivery,
    DeliveryMethod,
    DeliveryStatus,
)
from ._common import _agency_id, _get_own, _label, _person_view


def delivery_address_visible(actor, delivery: Delivery) -> bool:
    """The delivery's safe address may be shown to this user now.

    Only to its driver, on its day, while it is still open; or to a user the access policy
    gives the person's safe address. Never after the delivery closes for the driver.
    """
    if delivery.method != DeliveryMethod.DELIVERY or not delivery.address:
        return False
    if (delivery.driver_id == actor.pk and delivery.is_open
            and delivery.slot_date == timezone.localdate()
            and access.acting(actor).agency_id == delivery.case.agency_id):
        return True
    person = Person.objects.visible_to(actor).filter(pk=delivery.case.person_id).first()
    return person is not None and Part.SAFE_ADDRESS in access.parts_for(actor, person)


def delivery_get(*, actor, delivery_id) -> Delivery:
    """A delivery: a charity worker sees the agency's; a volunteer only their own, on its day, while open."""
    membership = access.acting(actor)
    queryset = Delivery.objects.select_related("case__referral", "driver")
    if membership.role == Role.DELIVERY_VOLUNTEER:
        queryset = queryset.filter(driver=actor, slot_date=timezone.localdate(), status=DeliveryStatus.PLANNED)
    delivery = _get_own(actor, queryset, delivery_id, "case__agency_id")
    if delivery_address_visible(actor, delivery):
        # The safe address is about to be shown: its own audit row, as for a person's part.
        audit.record(AuditAction.VIEW, obj=delivery, detail={"parts": [Part.SAFE_ADDRESS]})
    return delivery


@dataclass
class DeliverySheet:
    """What a driver or a delivery note may show: never the reason, never the referral."""

    delivery: Delivery
    first_name: str
    address: str
    phone: str
    items: list[tuple[str, int, str, str]]  # item, quantity, size, store


def delivery_sheet(*, actor, delivery: Delivery) -> DeliverySheet:
    address = delivery.address if delivery_address_visible(actor, delivery) else ""
    # One read of the person serves the name and the phone (one audit row, not two).
    view = _person_view(actor, delivery.case.person_id)
    first_name = _label(view, first_name_only=True)
    phone = ""
    if delivery.contact_allowed and delivery.is_open and view is not None:
        phone = view.fields.get("phone", "") or ""
    items = [(a.need.item.name, a.quantity, a.need.size, a.line.store.name)
             for a in delivery.allocations.select_related("need__item", "line__store").order_by("line__store__name")]
    return DeliverySheet(delivery, first_name, address, phone, items)


def van_sheet(*, actor) -> list[DeliverySheet]:
    """Today's open deliveries for this driver, with what they may see for each."""
    today = timezone.localdate()
    deliveries = Delivery.objects.filter(driver=actor, slot_date=today, status=DeliveryStatus.PLANNED,
                                         case__agency_id=_agency_id(actor)).select_related("case")
    audit.record(AuditAction.LIST, object_type="support.delivery", detail={"van_sheet": today.isoformat()})
    sheets = [delivery_sheet(actor=actor, delivery=d) for d in deliveries]
    for sheet in sheets:
        if sheet.address:
            audit.record(AuditAction.VIEW, obj=sheet.delivery, detail={"parts": [Part.SAFE_ADDRESS]})
    return sheets


def pick_list(*, actor, delivery: Delivery) -> dict[str, list[tuple[str, int, str]]]:
    """The delivery's items grouped by store, to fetch from the shelves."""
    grouped: dict[str, list[tuple[str, int, str]]] = defaultdict(list)
    for allocation in delivery.allocations.select_related("need__item", "line__store"):
        grouped[allocation.line.store.name].append((allocation.need.item.name, allocation.quantity,
                                                    allocation.need.size))
    return dict(grouped)
