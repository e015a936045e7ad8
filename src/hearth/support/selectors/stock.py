"""Reads of stock: levels, stores, the catalogue, an item's ledger and the needs stock cannot meet yet."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import QuerySet, Sum

from hearth.platform import audit
from hearth.platform.models import AuditAction

from ..models import (
    ItemType,
    Need,
    NeedStatus,
    StockLine,
    StockMovement,
    Store,
)
from ..services import need_outstanding
from ._common import _agency_id, _get_own


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


def store_line(*, store: Store, item: ItemType) -> StockLine | None:
    return StockLine.objects.filter(store=store, item=item).first()
