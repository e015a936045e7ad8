"""Every write of practical support: checked, atomic, audited.

The stock rules callers may rely on:
- a balance is the sum of ledger movements; nothing edits a count;
- on hand, reserved and available (on hand − reserved) never go below zero: a movement
  that would make one negative is refused with a ``ValidationError`` and nothing is written;
- every movement is written while its store-and-item ``StockLine`` row is locked
  (``platform.locks.locked``: that row only, ``FOR NO KEY UPDATE``), so concurrent
  allocations of the same last item serialise: the first wins, the second is told how many are left;
- a delivered allocation never changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from hearth.notify.services import notice_send
from hearth.people import selectors as people_selectors
from hearth.platform import access, audit, grants
from hearth.platform.locks import lock_for_change, locked
from hearth.platform.models import AuditAction, Membership
from hearth.platform.roles import Part, RelationshipKind, Role
from hearth.referrals.models import Status as ReferralStatus
from hearth.support import permissions as support_perms

from .models import (
    MOVEMENT_EFFECT,
    Allocation,
    AllocationStatus,
    Appeal,
    AppealTarget,
    Category,
    Delivery,
    DeliveryMethod,
    DeliveryStatus,
    Donation,
    DonationLine,
    DonorKind,
    ItemType,
    MovementKind,
    Need,
    NeedStatus,
    NeedUrgency,
    Slot,
    StockLine,
    StockMovement,
    Store,
    SupportCase,
)

# Referrals a support case may be opened from: accepted and not yet closed.
OPENABLE_REFERRAL_STATUSES = (ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS)
DRIVER_ROLES = (Role.DELIVERY_VOLUNTEER, Role.CHARITY_WORKER)


_require = partial(access.require, object_type="support")


def _agency_id(actor) -> int:
    return access.acting(actor).agency_id


def _own(actor, obj, agency_id: int) -> None:
    """Refuse (and audit) work on another agency's support records."""
    if agency_id != _agency_id(actor):
        audit.deny(obj=obj, reason="another agency's support record")
        raise PermissionDenied("another agency's support record")


def _positive(quantity, field: str = "quantity") -> int:
    try:
        number = int(quantity)
    except (TypeError, ValueError):
        raise ValidationError({field: "Enter a whole number, like 2."}) from None
    if number != quantity and not isinstance(quantity, str):
        raise ValidationError({field: "Enter a whole number, like 2."})
    if number <= 0:
        raise ValidationError({field: "Enter a number of 1 or more."})
    return number


# ---------------------------------------------------------------------------
# Catalogue and stores
# ---------------------------------------------------------------------------

@transaction.atomic
def store_create(*, actor, name: str) -> Store:
    """Add a store location for the acting agency (names are unique within an agency)."""
    _require(actor, support_perms.MANAGE_STOCK)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Enter the store's name."})
    if Store.objects.filter(agency_id=_agency_id(actor), name__iexact=name).exists():
        raise ValidationError({"name": "There is already a store with this name."})
    store = Store.objects.create(agency_id=_agency_id(actor), name=name)
    audit.record(AuditAction.CREATE, obj=store)
    return store


@transaction.atomic
def item_type_create(*, actor, name: str, category: str, unit: str = "item", low_stock_level: int = 0,
                     has_size: bool = False) -> ItemType:
    """Add an item type to the acting agency's catalogue."""
    _require(actor, support_perms.MANAGE_STOCK)
    errors = {}
    name = name.strip()
    if not name:
        errors["name"] = "Enter the item's name."
    elif ItemType.objects.filter(agency_id=_agency_id(actor), name__iexact=name).exists():
        errors["name"] = "There is already an item with this name in the catalogue."
    if category not in Category.values:
        errors["category"] = "Choose a category."
    if low_stock_level is None or int(low_stock_level) < 0:
        errors["low_stock_level"] = "Enter 0 or more."
    if errors:
        raise ValidationError(errors)
    item = ItemType.objects.create(agency_id=_agency_id(actor), name=name, category=category,
                                   unit=(unit or "item").strip(), low_stock_level=int(low_stock_level),
                                   has_size=has_size)
    audit.record(AuditAction.CREATE, obj=item)
    return item


# ---------------------------------------------------------------------------
# The ledger
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Balance:
    on_hand: int = 0
    reserved: int = 0

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


def line_balance(line: StockLine) -> Balance:
    """The balance of one store-and-item line: the sum of its movements."""
    sums = line.movements.aggregate(on_hand=Sum("on_hand_change"), reserved=Sum("reserved_change"))
    return Balance(sums["on_hand"] or 0, sums["reserved"] or 0)


def item_available(item: ItemType) -> int:
    """Available (on hand, not reserved) across every store of the item's agency."""
    sums = StockMovement.objects.filter(line__item=item).aggregate(
        on_hand=Sum("on_hand_change"), reserved=Sum("reserved_change"))
    return (sums["on_hand"] or 0) - (sums["reserved"] or 0)


def _locked_line(store: Store, item: ItemType) -> StockLine:
    """The store-and-item row, locked until the transaction ends (made on first use)."""
    if store.agency_id != item.agency_id:
        raise ValidationError("That item is not in this store's catalogue.")
    line = StockLine.objects.filter(store=store, item=item).first()
    if line is None:
        try:
            with transaction.atomic():  # a savepoint: another worker may create it first
                line = StockLine.objects.create(store=store, item=item)
        except IntegrityError:
            line = StockLine.objects.get(store=store, item=item)
    # Everything that changes this line's ledger waits here for the one before it. Only the
    # line itself is locked: locking the store and item rows too (as select_related would)
    # deadlocked with the foreign-key checks of other writers and the audit chain's lock.
    return locked(StockLine).select_related("store", "item").get(pk=line.pk)


def _move(*, actor, line: StockLine, kind: str, quantity: int, donation=None, allocation=None,
          note: str = "") -> StockMovement:
    """Append one movement to a locked line, refusing any that would make a balance negative."""
    quantity = _positive(quantity)
    on_hand_sign, reserved_sign = MOVEMENT_EFFECT[kind]
    before = line_balance(line)
    after = Balance(before.on_hand + on_hand_sign * quantity, before.reserved + reserved_sign * quantity)
    if after.on_hand < 0 or after.reserved < 0 or after.available < 0:
        left = before.available if kind in (MovementKind.RESERVED, MovementKind.WRITTEN_OFF) else before.on_hand
        raise ValidationError({"quantity": (
            f"Only {left} {line.item.unit}(s) of {line.item.name} available at {line.store.name}"
            f" – not {quantity}. Someone may have just allocated them; the stock was not changed.")})
    movement = StockMovement.objects.create(
        line=line, kind=kind, quantity=quantity, on_hand_change=on_hand_sign * quantity,
        reserved_change=reserved_sign * quantity, donation=donation, allocation=allocation,
        note=note[:300], by=actor)
    audit.record(AuditAction.CREATE, obj=movement,
                 detail={"kind": kind, "quantity": quantity, "item": line.item_id, "store": line.store_id})
    if after.available < before.available:
        _low_stock_check(line.item, drop=before.available - after.available)
    return movement


def _low_stock_check(item: ItemType, *, drop: int) -> None:
    """Tell the charity team when an item falls below its low-stock level (once, as it crosses)."""
    if not item.low_stock_level:
        return
    now_available = item_available(item)
    if now_available < item.low_stock_level <= now_available + drop:
        team = Membership.objects.active().filter(agency_id=item.agency_id, role=Role.CHARITY_WORKER)
        for membership in team.select_related("user"):
            notice_send(recipient=membership.user, subject=f"Low stock: {item.name}",
                        body=f"{now_available} {item.unit}(s) of {item.name} left across the stores "
                             f"(low-stock level {item.low_stock_level}). Consider a purchase or an appeal.")


@transaction.atomic
def stock_purchase(*, actor, store: Store, item: ItemType, quantity: int, note: str = "") -> StockMovement:
    """Record items bought into a store."""
    _require(actor, support_perms.MANAGE_STOCK)
    _own(actor, store, store.agency_id)
    return _move(actor=actor, line=_locked_line(store, item), kind=MovementKind.PURCHASED, quantity=quantity,
                 note=note)


@transaction.atomic
def stock_write_off(*, actor, store: Store, item: ItemType, quantity: int, note: str) -> StockMovement:
    """Record damaged or unusable items taken out of stock; reserved items cannot be written off."""
    _require(actor, support_perms.MANAGE_STOCK)
    _own(actor, store, store.agency_id)
    if not note.strip():
        raise ValidationError({"note": "Say why the items are written off, for example damaged in the van."})
    return _move(actor=actor, line=_locked_line(store, item), kind=MovementKind.WRITTEN_OFF, quantity=quantity,
                 note=note.strip())


# ---------------------------------------------------------------------------
# Appeals and donations
# ---------------------------------------------------------------------------

@transaction.atomic
def appeal_create(*, actor, name: str, starts_on: date, ends_on: date, description: str = "",
                  targets: list[tuple[ItemType, int]] = ()) -> Appeal:
    """Start an appeal for particular donations between two dates."""
    _require(actor, support_perms.RECORD_DONATIONS)
    errors = {}
    if not name.strip():
        errors["name"] = "Enter the appeal's name, for example Winter coats 2026."
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = "The end date must be on or after the start date."
    for item, quantity in targets:
        if item.agency_id != _agency_id(actor):
            errors["targets"] = "Choose items from your own catalogue."
        elif not isinstance(quantity, int) or quantity <= 0:
            errors["targets"] = "Each target needs a number of 1 or more."
    if errors:
        raise ValidationError(errors)
    appeal = Appeal.objects.create(agency_id=_agency_id(actor), name=name.strip(), description=description.strip(),
                                   starts_on=starts_on, ends_on=ends_on, created_by=actor)
    for item, quantity in targets:
        AppealTarget.objects.create(appeal=appeal, item=item, quantity=quantity)
    audit.record(AuditAction.CREATE, obj=appeal, detail={"targets": len(targets)})
    return appeal


@transaction.atomic
def donation_record(*, actor, donor_kind: str, received_on: date, store: Store, lines: list[tuple[ItemType, int]],
                    donor_name: str = "", donor_address: str = "", collected_by: str = "", appeal=None,
                    money_amount: Decimal | None = None, gift_aid: bool = False) -> Donation:
    """Record a donation: who gave it, who brought it in, where it went; its items join the ledger.

    Gift Aid applies only to money given by a member of the public (a business or an
    anonymous donor cannot make a Gift Aid declaration).
    """
    _require(actor, support_perms.RECORD_DONATIONS)
    _own(actor, store, store.agency_id)
    errors: dict[str, str] = {}
    if donor_kind not in DonorKind.values:
        errors["donor_kind"] = "Choose who gave the donation."
    elif donor_kind != DonorKind.ANONYMOUS and not donor_name.strip():
        errors["donor_name"] = "Enter the donor's name, or choose anonymous."
    if received_on and received_on > timezone.localdate():
        errors["received_on"] = "The date received must be today or in the past."
    if appeal is not None and appeal.agency_id != store.agency_id:
        errors["appeal"] = "Choose one of your own appeals."
    if money_amount is not None and money_amount <= 0:
        errors["money_amount"] = "Enter an amount more than £0, or leave it blank."
    if gift_aid and (money_amount is None or donor_kind != DonorKind.PERSON):
        errors["gift_aid"] = "Gift Aid is only for money given by a member of the public."
    if not lines and money_amount is None:
        errors["lines"] = "Enter at least one item, or an amount of money."
    for item, quantity in lines:
        if item.agency_id != store.agency_id:
            errors["lines"] = "Choose items from your own catalogue."
        elif not isinstance(quantity, int) or quantity <= 0:
            errors["lines"] = "Each item needs a number of 1 or more."
    if errors:
        raise ValidationError(errors)
    anonymous = donor_kind == DonorKind.ANONYMOUS
    donation = Donation.objects.create(
        agency_id=store.agency_id, appeal=appeal, donor_kind=donor_kind,
        donor_name="" if anonymous else donor_name.strip(), donor_address="" if anonymous else donor_address.strip(),
        received_on=received_on, collected_by=collected_by.strip(), store=store, money_amount=money_amount,
        gift_aid=gift_aid, recorded_by=actor)
    for item, quantity in lines:
        DonationLine.objects.create(donation=donation, item=item, quantity=quantity)
        _move(actor=actor, line=_locked_line(store, item), kind=MovementKind.RECEIVED, quantity=quantity,
              donation=donation)
    audit.record(AuditAction.CREATE, obj=donation, detail={"lines": len(lines), "money": money_amount is not None})
    return donation


@transaction.atomic
def donation_mark_thanked(*, actor, donation: Donation) -> Donation:
    """Record that the thank-you letter went out."""
    _require(actor, support_perms.RECORD_DONATIONS)
    _own(actor, donation, donation.agency_id)
    if donation.donor_kind == DonorKind.ANONYMOUS:
        raise ValidationError("An anonymous donor cannot be sent a letter.")
    if donation.thanked_at is None and lock_for_change(donation).thanked_at is None:
        donation.thanked_at = timezone.now()
        donation.save(update_fields=["thanked_at"])
        audit.record(AuditAction.UPDATE, obj=donation, detail={"thanked": True})
    return donation


# ---------------------------------------------------------------------------
# Support cases and needs
# ---------------------------------------------------------------------------

@transaction.atomic
def case_open(*, actor, referral) -> SupportCase:
    """Open (or return the already open) support case for an accepted referral to this agency.

    The household's shape comes from what the people app lets this worker see: the number
    of adults and the children's ages, never the children's names.
    """
    _require(actor, support_perms.VIEW_NEEDS)
    if referral.to_agency_id != _agency_id(actor):
        audit.deny(obj=referral, reason="support case for another agency's referral")
        raise PermissionDenied("not this agency's referral")
    # Two workers opening it at once: the second waits here, then finds the first one's case.
    lock_for_change(referral)
    existing = SupportCase.objects.filter(referral_id=referral.pk).first()
    if existing is not None:
        return existing
    if referral.status not in OPENABLE_REFERRAL_STATUSES:
        raise ValidationError("Only an accepted referral can become a support case: accept it first.")
    adults, ages = 1, []
    view = people_selectors.person_get(actor=actor, person_id=referral.person_id)
    for member in view.household:
        if member["is_child"]:
            if member["age"] is not None:
                ages.append(member["age"])
        else:
            adults += 1
    case = SupportCase.objects.create(agency_id=referral.to_agency_id, referral=referral, person_id=referral.person_id,
                                      referred_at=referral.sent_at or referral.created_at, adults=adults,
                                      children_ages=sorted(ages, reverse=True), opened_by=actor)
    audit.record(AuditAction.CREATE, obj=case, detail={"referral": referral.pk})
    return case


@transaction.atomic
def case_household_set(*, actor, case: SupportCase, adults: int, children_ages: list[int]) -> SupportCase:
    """Correct the household's shape (adults, children's ages) that drives suggestions."""
    _require(actor, support_perms.VIEW_NEEDS)
    _own(actor, case, case.agency_id)
    if not isinstance(adults, int) or adults < 1 or adults > 10:
        raise ValidationError({"adults": "Enter the number of adults, from 1 to 10."})
    if any(not isinstance(a, int) or a < 0 or a > 17 for a in children_ages):
        raise ValidationError({"children_ages": "Enter each child's age from 0 to 17, separated by commas."})
    case.adults, case.children_ages = adults, sorted(children_ages, reverse=True)
    case.save(update_fields=["adults", "children_ages"])
    audit.record(AuditAction.UPDATE, obj=case, detail={"fields": ["adults", "children_ages"]})
    return case


@dataclass(frozen=True)
class Suggestion:
    member: str
    item: ItemType
    quantity: int
    size: str
    urgency: str

    @property
    def key(self) -> str:
        return f"{self.item.pk}|{self.member}|{self.size}"


# What a family that left with little usually needs, by who they are (names in the catalogue).
def _suggested_names(case: SupportCase) -> list[tuple[str, str, int, str, str]]:
    rows = []
    adult_labels = [c for c in case.member_choices() if c.startswith("Adult")]
    for label in adult_labels:
        rows += [(label, "Single bed", 1, "", NeedUrgency.TODAY), (label, "Bedding set (single)", 1, "",
                                                                    NeedUrgency.TODAY)]
    for age in case.children_ages:
        label = f"Child aged {age}"
        if age < 2:
            rows += [(label, "Cot", 1, "", NeedUrgency.TODAY), (label, "Cot bedding", 1, "", NeedUrgency.TODAY),
                     (label, "Baby essentials pack", 1, "", NeedUrgency.TODAY)]
        else:
            rows += [(label, "Single bed", 1, "", NeedUrgency.TODAY),
                     (label, "Bedding set (single)", 1, "", NeedUrgency.TODAY)]
        if 4 <= age <= 16:
            rows.append((label, "School uniform", 1, f"age {age}–{age + 1}", NeedUrgency.THIS_WEEK))
        if age >= 2:
            rows.append((label, "Clothes bundle", 1, f"age {age}–{age + 1}", NeedUrgency.THIS_WEEK))
    rows += [("Whole household", "Cooker", 1, "", NeedUrgency.THIS_WEEK),
             ("Whole household", "Toiletries pack", 1, "", NeedUrgency.TODAY)]
    return rows


def case_suggestions(case: SupportCase) -> list[Suggestion]:
    """Needs the household's shape suggests (bed and bedding per person, a cot under 2,
    uniform from 4 to 16), for items in the catalogue and not already recorded."""
    catalogue = {i.name: i for i in ItemType.objects.filter(agency_id=case.agency_id, is_active=True)}
    recorded = set(case.needs.exclude(status=NeedStatus.CANCELLED).values_list("item__name", "member"))
    found = []
    for member, name, quantity, size, urgency in _suggested_names(case):
        if name in catalogue and (name, member) not in recorded:
            found.append(Suggestion(member, catalogue[name], quantity, size, urgency))
    return found


@transaction.atomic
def need_add(*, actor, case: SupportCase, member: str, item: ItemType, quantity: int, size: str = "",
             urgency: str = NeedUrgency.THIS_WEEK, notes: str = "") -> Need:
    """Record one need of one household member."""
    _require(actor, support_perms.VIEW_NEEDS)
    _own(actor, case, case.agency_id)
    errors = {}
    if case.closed_at is not None:
        raise ValidationError("This support case is closed.")
    if member not in case.member_choices():
        errors["member"] = "Choose who in the household it is for."
    if item is None or item.agency_id != case.agency_id:
        errors["item"] = "Choose an item from your catalogue."
    try:
        quantity = _positive(quantity)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if urgency not in NeedUrgency.values:
        errors["urgency"] = "Choose how soon it is needed."
    if item is not None and item.has_size and not size.strip():
        errors["size"] = f"Enter the size or age for {item.name}."
    if errors:
        raise ValidationError(errors)
    need = Need.objects.create(case=case, member=member, item=item, quantity=quantity, size=size.strip(),
                               urgency=urgency, notes=notes.strip(), created_by=actor)
    audit.record(AuditAction.CREATE, obj=need, detail={"item": item.pk, "quantity": quantity})
    return need


@transaction.atomic
def needs_add_suggested(*, actor, case: SupportCase, keys: list[str]) -> list[Need]:
    """Record the suggestions the worker ticked (by their keys)."""
    by_key = {s.key: s for s in case_suggestions(case)}
    chosen = [by_key[k] for k in keys if k in by_key]
    if not chosen:
        raise ValidationError({"suggestions": "Tick at least one suggested need."})
    return [need_add(actor=actor, case=case, member=s.member, item=s.item, quantity=s.quantity, size=s.size,
                     urgency=s.urgency) for s in chosen]


def need_outstanding(need: Need) -> int:
    """How many of a need are not yet reserved or delivered."""
    covered = need.allocations.exclude(status=AllocationStatus.RELEASED).aggregate(n=Sum("quantity"))["n"] or 0
    return max(need.quantity - covered, 0)


# ---------------------------------------------------------------------------
# Allocation and fulfilment
# ---------------------------------------------------------------------------

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
