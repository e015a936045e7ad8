"""The stock ledger: balances are sums of movements, written under the line's lock (see the package's rules)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum

from hearth.notify.services import notice_send
from hearth.platform import audit
from hearth.platform.locks import locked
from hearth.platform.models import AuditAction, Membership
from hearth.platform.roles import Role
from hearth.support import permissions as support_perms

from ..models import (
    MOVEMENT_EFFECT,
    ItemType,
    MovementKind,
    StockLine,
    StockMovement,
    Store,
)
from ._common import _own, _positive, _require


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
