"""Reads of practical support, scoped to the acting agency and recorded in the audit.

Support records belong to the agency that keeps the store; people and referrals are read
only through their own selectors. The delivery address follows one rule
(``delivery_address_visible``): the driver, on the delivery's day, until it closes; or
whoever the access policy gives the person's safe address. Nothing here returns why a
family is being helped to a driver or onto a delivery note.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from hearth.people import selectors as people_selectors
from hearth.people.models import Person
from hearth.platform import access, audit
from hearth.platform.models import AuditAction, Membership
from hearth.platform.roles import Part, Role
from hearth.referrals import selectors as referral_selectors

from .models import (
    URGENCY_ORDER,
    Allocation,
    AllocationStatus,
    Appeal,
    Delivery,
    DeliveryMethod,
    DeliveryStatus,
    Donation,
    DonationLine,
    DonorKind,
    ItemType,
    Need,
    NeedStatus,
    NeedUrgency,
    StockLine,
    StockMovement,
    Store,
    SupportCase,
)
from .services import DRIVER_ROLES, OPENABLE_REFERRAL_STATUSES, case_suggestions, need_outstanding


def _agency_id(actor) -> int:
    return access.acting(actor).agency_id


def _get_own(actor, queryset: QuerySet, pk, agency_lookup: str):
    """One of the acting agency's support records (else a 404 that confirms nothing). Audited."""
    try:
        obj = queryset.filter(**{agency_lookup: _agency_id(actor)}).get(pk=int(pk))
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        audit.deny(object_type=queryset.model._meta.label_lower, object_id=str(pk)[:64], reason="no access")
        raise Http404 from None
    audit.record(AuditAction.VIEW, obj=obj)
    return obj


def _person_view(actor, person_id: int):
    """The person's record as far as the user may see it now (audited), or None without a 404."""
    if not Person.objects.visible_to(actor).filter(pk=person_id).exists():
        return None
    return people_selectors.person_get(actor=actor, person_id=person_id)


def _label(view, *, first_name_only: bool = False) -> str:
    if view is None or Part.IDENTITY not in view.parts:
        return "Name not shown"
    return view.person.given_name if first_name_only else f"{view.person.given_name} {view.person.family_name}"


def _person_label(actor, person_id: int, *, first_name_only: bool = False) -> str:
    """The person's name as far as the user may see it now (identity part), else a placeholder."""
    return _label(_person_view(actor, person_id), first_name_only=first_name_only)


# ---------------------------------------------------------------------------
# Cases and needs
# ---------------------------------------------------------------------------

def case_list(*, actor) -> tuple[list[SupportCase], list]:
    """The agency's support cases, and accepted referrals still waiting for one."""
    cases = list(SupportCase.objects.filter(agency_id=_agency_id(actor)).annotate(
        open_needs=Count("needs", filter=Q(needs__status=NeedStatus.OPEN)),
        met_needs=Count("needs", filter=Q(needs__status=NeedStatus.MET))).order_by("-opened_at"))
    audit.record(AuditAction.LIST, object_type="support.supportcase")
    received, _ = referral_selectors.inbox(actor=actor, view="open")
    waiting = list(received.filter(status__in=OPENABLE_REFERRAL_STATUSES, support_case__isnull=True))
    # Names for the list in one query, under the same rule as a record page (identity part);
    # the list's own audit row covers them, not a record view per family.
    people = Person.objects.visible_to(actor).in_bulk([case.person_id for case in cases])
    for case in cases:
        person = people.get(case.person_id)
        named = person is not None and Part.IDENTITY in access.parts_for(actor, person)
        case.label = f"{person.given_name} {person.family_name}" if named else "Name not shown"
    return cases, waiting


@dataclass
class NeedRow:
    need: Need
    outstanding: int
    allocations: list[Allocation]


@dataclass
class CaseView:
    case: SupportCase
    person_label: str
    needs: list[NeedRow]
    deliveries: list[Delivery]
    suggestions: list
    feedback: str
    reserved_free: list[Allocation] = field(default_factory=list)


def case_get(*, actor, support_case_id) -> CaseView:
    """One support case of the acting agency with its needs, allocations and deliveries."""
    case = _get_own(actor, SupportCase.objects.select_related("referral"), support_case_id, "agency_id")
    needs = []
    for need in case.needs.select_related("item").order_by("member", "pk"):
        allocations = list(need.allocations.select_related("line__store", "delivery"))
        needs.append(NeedRow(need, need_outstanding(need) if need.status == NeedStatus.OPEN else 0, allocations))
    needs.sort(key=lambda r: (r.need.status != NeedStatus.OPEN, URGENCY_ORDER.get(r.need.urgency, 9)))
    free = [a for row in needs for a in row.allocations
            if a.status == AllocationStatus.RESERVED and not (a.delivery_id and a.delivery.is_open)]
    return CaseView(case=case, person_label=_person_label(actor, case.person_id), needs=needs,
                    deliveries=list(case.deliveries.select_related("driver")),
                    suggestions=case_suggestions(case), feedback=feedback_for_case(case), reserved_free=free)


def allocations_free(*, view: CaseView) -> QuerySet[Allocation]:
    """The case's reserved items not yet on a planned delivery (to put on one)."""
    return Allocation.objects.filter(pk__in=[a.pk for a in view.reserved_free]).select_related(
        "need__item", "line__store")


def need_get(*, actor, need_id) -> Need:
    return _get_own(actor, Need.objects.select_related("case", "item"), need_id, "case__agency_id")


def allocation_get(*, actor, allocation_id) -> Allocation:
    return _get_own(actor, Allocation.objects.select_related("need__case", "line"), allocation_id,
                    "need__case__agency_id")


def referral_for_case(*, actor, support_referral_id):
    """A referral this agency received, read through the referrals selectors (audited, 404 otherwise)."""
    view = referral_selectors.referral_get(actor=actor, referral_id=support_referral_id)
    if not view.is_receiver:
        audit.deny(obj=view.referral, reason="support case for a referral this agency sent")
        raise Http404
    return view.referral


@dataclass
class StoreOption:
    store: Store
    available: int


def allocation_options(*, need: Need) -> list[StoreOption]:
    """Stores holding the need's item with some available, most first: the suggestion a worker confirms."""
    rows = (StockMovement.objects.filter(line__item=need.item, line__store__is_active=True)
            .values("line__store").annotate(on_hand=Sum("on_hand_change"), reserved=Sum("reserved_change")))
    stores = {s.pk: s for s in Store.objects.filter(agency_id=need.case.agency_id)}
    options = [StoreOption(stores[r["line__store"]], r["on_hand"] - r["reserved"]) for r in rows
               if r["line__store"] in stores and r["on_hand"] - r["reserved"] > 0]
    return sorted(options, key=lambda o: -o.available)


def drivers(*, actor):
    """Members of the acting agency who may drive a delivery."""
    from hearth.platform.models import User

    return User.objects.filter(memberships__in=Membership.objects.active().filter(
        agency_id=_agency_id(actor), role__in=DRIVER_ROLES)).distinct().order_by("first_name")


# ---------------------------------------------------------------------------
# Deliveries: the address rule
# ---------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------
# Stock
# ---------------------------------------------------------------------------

@dataclass
class StockRow:
    item: ItemType
    by_store: dict[str, tuple[int, int]]  # store name -> (on hand, reserved)
    on_hand: int = 0
    reserved: int = 0

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    @property
    def is_low(self) -> bool:
        return self.item.low_stock_level > 0 and self.available < self.item.low_stock_level


def stock_levels(*, actor) -> list[StockRow]:
    """Every catalogue item with its balance per store (sums of the ledger) and a low-stock flag."""
    agency_id = _agency_id(actor)
    rows = {item.pk: StockRow(item, {}) for item in ItemType.objects.filter(agency_id=agency_id, is_active=True)}
    sums = (StockMovement.objects.filter(line__item__agency_id=agency_id)
            .values("line__item", "line__store__name")
            .annotate(on_hand=Sum("on_hand_change"), reserved=Sum("reserved_change")))
    for s in sums:
        row = rows.get(s["line__item"])
        if row is None:
            continue
        row.by_store[s["line__store__name"]] = (s["on_hand"], s["reserved"])
        row.on_hand += s["on_hand"]
        row.reserved += s["reserved"]
    audit.record(AuditAction.LIST, object_type="support.stockmovement", detail={"stock_levels": True})
    return sorted(rows.values(), key=lambda r: (r.item.category, r.item.name))


def stores(*, actor) -> QuerySet[Store]:
    return Store.objects.filter(agency_id=_agency_id(actor), is_active=True)


def catalogue(*, actor) -> QuerySet[ItemType]:
    return ItemType.objects.filter(agency_id=_agency_id(actor), is_active=True)


def item_get(*, actor, item_type_id) -> ItemType:
    return _get_own(actor, ItemType.objects.all(), item_type_id, "agency_id")


def ledger(*, actor, item: ItemType) -> list[StockMovement]:
    """The item's ledger, newest first, with the running balance after each movement."""
    movements = list(StockMovement.objects.filter(line__item=item).select_related("line__store", "by")
                     .order_by("at", "pk"))
    on_hand = reserved = 0
    for movement in movements:
        on_hand += movement.on_hand_change
        reserved += movement.reserved_change
        movement.on_hand_after, movement.reserved_after = on_hand, reserved
    return list(reversed(movements))


@dataclass
class UnmetRow:
    item: ItemType
    outstanding: int
    families: int
    available: int

    @property
    def shortfall(self) -> int:
        return max(self.outstanding - self.available, 0)


def unmet_needs(*, actor) -> list[UnmetRow]:
    """Open needs not yet covered by a reservation, by item, against what is in stock: what to
    buy or appeal for."""
    by_item: dict[int, UnmetRow] = {}
    families: dict[int, set[int]] = defaultdict(set)
    stock = {row.item.pk: row.available for row in stock_levels(actor=actor)}
    for need in Need.objects.filter(case__agency_id=_agency_id(actor), status=NeedStatus.OPEN).select_related("item"):
        outstanding = need_outstanding(need)
        if outstanding <= 0:
            continue
        row = by_item.setdefault(need.item_id, UnmetRow(need.item, 0, 0, stock.get(need.item_id, 0)))
        row.outstanding += outstanding
        families[need.item_id].add(need.case_id)
    for item_id, row in by_item.items():
        row.families = len(families[item_id])
    return sorted(by_item.values(), key=lambda r: (-r.shortfall, r.item.name))


# ---------------------------------------------------------------------------
# Appeals and donations
# ---------------------------------------------------------------------------

def appeal_list(*, actor) -> QuerySet[Appeal]:
    audit.record(AuditAction.LIST, object_type="support.appeal")
    return Appeal.objects.filter(agency_id=_agency_id(actor)).annotate(donation_count=Count("donations"))


def appeal_get(*, actor, appeal_id) -> Appeal:
    return _get_own(actor, Appeal.objects.all(), appeal_id, "agency_id")


def appeal_progress(appeal: Appeal) -> list[tuple[ItemType, int, int]]:
    """Each target item with its target and how many the appeal's donations brought in."""
    received = dict(DonationLine.objects.filter(donation__appeal=appeal).values("item")
                    .annotate(n=Sum("quantity")).values_list("item", "n"))
    return [(t.item, t.quantity, received.get(t.item_id, 0)) for t in appeal.targets.select_related("item")]


def appeal_donations(appeal: Appeal) -> QuerySet[Donation]:
    """The donations given to an appeal (its page)."""
    return appeal.donations.select_related("store")


def donation_lines(donation: Donation) -> QuerySet[DonationLine]:
    """What a donation brought in, item by item (its page)."""
    return donation.lines.select_related("item")


def donation_list(*, actor) -> QuerySet[Donation]:
    audit.record(AuditAction.LIST, object_type="support.donation")
    return Donation.objects.filter(agency_id=_agency_id(actor)).select_related("appeal", "store")


def donation_get(*, actor, donation_id) -> Donation:
    return _get_own(actor, Donation.objects.select_related("appeal", "store", "agency"), donation_id, "agency_id")


def thank_you_letter(donation: Donation) -> str:
    """A thank-you letter ready to send, in the charity's voice; nothing about any family."""
    if donation.donor_kind == DonorKind.ANONYMOUS:
        return ""
    lines = [f"{line.quantity} × {line.item.name}" for line in donation.lines.select_related("item")]
    gift = []
    if lines:
        gift.append(", ".join(lines))
    if donation.money_amount is not None:
        gift.append(f"£{donation.money_amount:,.2f}")
    appeal = f" to our {donation.appeal.name} appeal" if donation.appeal_id else ""
    collected = f" Thank you too to {donation.collected_by} for bringing it to us." if donation.collected_by else ""
    gift_aid = (" Because you asked us to claim Gift Aid, your gift is worth 25% more to us at no cost to you."
                if donation.gift_aid else "")
    address = f"{donation.donor_address}\n\n" if donation.donor_address else ""
    return (
        f"{address}{donation.received_on:%-d %B %Y}\n\n"
        f"Dear {donation.donor_name},\n\n"
        f"Thank you for your generous donation{appeal}: {' and '.join(gift)}.{collected}\n\n"
        f"Families across Stoke-on-Trent who have had to leave home with very little will have what "
        f"they need sooner because of you. Everything you gave goes straight to local families.{gift_aid}\n\n"
        f"With our thanks,\n\n{donation.agency.name}"
    )


# ---------------------------------------------------------------------------
# Referrer feedback and the dashboard
# ---------------------------------------------------------------------------

NEEDS_MET, PARTLY_MET, NOT_YET_MET = "Needs met", "Partly met", "Not yet met"


def feedback_for_case(case: SupportCase) -> str:
    """Needs met / partly met / not yet met: counts only, never the charity's notes."""
    statuses = list(case.needs.exclude(status=NeedStatus.CANCELLED).values_list("status", flat=True))
    if not statuses:
        return NOT_YET_MET
    met = sum(1 for s in statuses if s == NeedStatus.MET)
    if met == len(statuses):
        return NEEDS_MET
    return PARTLY_MET if met else NOT_YET_MET


def referral_feedback(*, referral) -> str:
    """The practical-support answer for a referral's page, or "" when there is no support case."""
    case = SupportCase.objects.filter(referral_id=getattr(referral, "pk", None)).first()
    return feedback_for_case(case) if case is not None else ""


def _percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (the value at or below which pct% of the values lie)."""
    ordered = sorted(values)
    rank = max(math.ceil(pct / 100 * len(ordered)), 1)
    return ordered[rank - 1]


@dataclass
class Dashboard:
    open_by_urgency: list[tuple[str, int]]
    days_to_delivery: list[float]
    median_days: float | None
    p90_days: float | None
    stock: list[StockRow]
    low_stock: list[StockRow]
    by_appeal: list[tuple[str, int, int]]  # appeal, donations, items
    families_this_month: int
    month: date


def dashboard(*, actor) -> Dashboard:
    """The charity's figures: open needs by urgency, referral-to-delivery times (median, 90th
    percentile), stock, donations by appeal and families helped this month."""
    agency_id = _agency_id(actor)
    counts = dict(Need.objects.filter(case__agency_id=agency_id, status=NeedStatus.OPEN)
                  .values("urgency").annotate(n=Count("pk")).values_list("urgency", "n"))
    open_by_urgency = [(label, counts.get(value, 0)) for value, label in NeedUrgency.choices]
    first_delivered: dict[int, tuple] = {}
    for case_id, referred_at, closed_at in (Delivery.objects.filter(case__agency_id=agency_id,
                                                                     status=DeliveryStatus.DELIVERED)
                                            .values_list("case_id", "case__referred_at", "closed_at")):
        if case_id not in first_delivered or closed_at < first_delivered[case_id][1]:
            first_delivered[case_id] = (referred_at, closed_at)
    days = sorted(round((closed - referred).total_seconds() / 86400, 1)
                  for referred, closed in first_delivered.values())
    stock = stock_levels(actor=actor)
    by_appeal = []
    donations = Donation.objects.filter(agency_id=agency_id)
    for appeal in Appeal.objects.filter(agency_id=agency_id).order_by("-starts_on"):
        mine = donations.filter(appeal=appeal)
        by_appeal.append((appeal.name, mine.count(),
                          DonationLine.objects.filter(donation__in=mine).aggregate(n=Sum("quantity"))["n"] or 0))
    loose = donations.filter(appeal__isnull=True)
    if loose.exists():
        by_appeal.append(("Not part of an appeal", loose.count(),
                          DonationLine.objects.filter(donation__in=loose).aggregate(n=Sum("quantity"))["n"] or 0))
    today = timezone.localdate()
    month_start = today.replace(day=1)
    families = (Delivery.objects.filter(case__agency_id=agency_id, status=DeliveryStatus.DELIVERED,
                                        closed_at__date__gte=month_start).values("case").distinct().count())
    audit.record(AuditAction.LIST, object_type="support.dashboard")
    return Dashboard(open_by_urgency, days, statistics.median(days) if days else None,
                     _percentile(days, 90) if days else None, stock, [r for r in stock if r.is_low], by_appeal,
                     families, month_start)


def store_line(*, store: Store, item: ItemType) -> StockLine | None:
    return StockLine.objects.filter(store=store, item=item).first()
