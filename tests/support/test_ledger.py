"""The stock ledger: balances are sums of append-only movements, and never go wrong."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction

from hearth.notify.models import Notice
from hearth.platform.models import AuditEvent
from hearth.support import services
from hearth.support.models import Allocation, AllocationStatus, MovementKind, StockLine, StockMovement

from .conftest import item

pytestmark = pytest.mark.django_db


def _balance(store, name):
    line = StockLine.objects.filter(store=store, item=item(name)).first()
    return services.line_balance(line) if line else services.Balance()


def _ledger_sum(store, name):
    rows = StockMovement.objects.filter(line__store=store, line__item=item(name))
    return sum(m.on_hand_change for m in rows), sum(m.reserved_change for m in rows)


def test_a_balance_is_the_sum_of_its_movements(store):
    for name in ("Easter egg", "Bedding set (single)", "School uniform", "Toiletries pack"):
        balance = _balance(store, name)
        assert (balance.on_hand, balance.reserved) == _ledger_sum(store, name)


def test_the_demo_easter_appeal_put_156_eggs_in_the_store(store):
    assert _balance(store, "Easter egg").on_hand == 156


def test_a_purchase_adds_to_stock_and_is_audited(worker, store):
    before = _balance(store, "Food parcel")
    with worker as actor:
        movement = services.stock_purchase(actor=actor, store=store, item=item("Food parcel"), quantity=4)
    assert _balance(store, "Food parcel").on_hand == before.on_hand + 4
    assert AuditEvent.objects.filter(object_type="support.stockmovement", object_id=str(movement.pk)).exists()


@pytest.mark.parametrize("quantity", [0, -3, 2.5, "lots", None])
def test_zero_negative_and_non_numbers_are_refused_and_nothing_is_written(worker, store, quantity):
    count = StockMovement.objects.count()
    with worker as actor, pytest.raises(ValidationError):
        services.stock_purchase(actor=actor, store=store, item=item("Food parcel"), quantity=quantity)
    assert StockMovement.objects.count() == count


def test_writing_off_more_than_is_available_is_refused(worker, store):
    available = _balance(store, "Toys").available
    with worker as actor, pytest.raises(ValidationError) as refused:
        services.stock_write_off(actor=actor, store=store, item=item("Toys"), quantity=available + 1, note="broken")
    assert f"Only {available}" in str(refused.value)
    assert _balance(store, "Toys").available == available


def test_a_write_off_needs_a_reason(worker, store):
    with worker as actor, pytest.raises(ValidationError):
        services.stock_write_off(actor=actor, store=store, item=item("Toys"), quantity=1, note="  ")


def test_reserved_stock_cannot_be_written_off(worker, store, fresh_case):
    with worker as actor:
        need = services.need_add(actor=actor, case=fresh_case, member="Adult", item=item("Cot bedding"), quantity=1)
        services.stock_purchase(actor=actor, store=store, item=item("Cot bedding"), quantity=1)
        services.stock_allocate(actor=actor, need=need, store=store, quantity=1)
        with pytest.raises(ValidationError):
            services.stock_write_off(actor=actor, store=store, item=item("Cot bedding"), quantity=1, note="torn")
    balance = _balance(store, "Cot bedding")
    assert (balance.on_hand, balance.reserved, balance.available) == (1, 1, 0)


def test_allocating_more_than_in_stock_is_refused_and_stock_is_unchanged(worker, store, fresh_case):
    with worker as actor:
        need = services.need_add(actor=actor, case=fresh_case, member="Adult", item=item("Easter egg"), quantity=500)
        before = _balance(store, "Easter egg")
        with pytest.raises(ValidationError) as refused:
            services.stock_allocate(actor=actor, need=need, store=store, quantity=before.available + 1)
    assert "available" in str(refused.value)
    assert _balance(store, "Easter egg") == before
    assert not Allocation.objects.filter(need=need).exists()


def test_allocating_more_than_the_need_is_refused(worker, store, fresh_case):
    with worker as actor:
        need = services.need_add(actor=actor, case=fresh_case, member="Adult", item=item("Easter egg"), quantity=2)
        with pytest.raises(ValidationError) as refused:
            services.stock_allocate(actor=actor, need=need, store=store, quantity=3)
    assert "Only 2 still needed" in str(refused.value)


def test_reserve_release_and_deliver_move_the_balances_as_expected(worker, store, fresh_case, tomorrow):
    with worker as actor:
        need = services.need_add(actor=actor, case=fresh_case, member="Adult", item=item("Toiletries pack"),
                                 quantity=2)
        start = _balance(store, "Toiletries pack")
        first = services.stock_allocate(actor=actor, need=need, store=store, quantity=1)
        assert _balance(store, "Toiletries pack").available == start.available - 1
        services.allocation_release(actor=actor, allocation=first)
        assert _balance(store, "Toiletries pack") == start
        second = services.stock_allocate(actor=actor, need=need, store=store, quantity=2)
        delivery = services.delivery_arrange(actor=actor, case=fresh_case, allocations=[second],
                                             method="collection", slot_date=tomorrow, slot="morning")
        services.delivery_confirm(actor=actor, delivery=delivery, received_by="Sam", confirmed=True)
    end = _balance(store, "Toiletries pack")
    assert (end.on_hand, end.reserved) == (start.on_hand - 2, start.reserved)
    need.refresh_from_db()
    assert need.status == "met"
    kinds = list(StockMovement.objects.filter(allocation__need=need).order_by("pk").values_list("kind", flat=True))
    assert kinds == [MovementKind.RESERVED, MovementKind.RELEASED, MovementKind.RESERVED, MovementKind.DELIVERED]


def test_a_delivered_allocation_cannot_be_released(worker, walker_case):
    delivered = Allocation.objects.filter(need__case=walker_case, status=AllocationStatus.DELIVERED).first()
    count = StockMovement.objects.count()
    with worker as actor, pytest.raises(ValidationError) as refused:
        services.allocation_release(actor=actor, allocation=delivered)
    assert "delivered allocation cannot be changed" in str(refused.value)
    assert StockMovement.objects.count() == count


def test_a_delivered_delivery_cannot_be_confirmed_again(worker, walker_case):
    delivery = walker_case.deliveries.get()
    count = StockMovement.objects.count()
    with worker as actor, pytest.raises(ValidationError):
        services.delivery_confirm(actor=actor, delivery=delivery, received_by="Liz", confirmed=True)
    assert StockMovement.objects.count() == count


def test_a_movement_cannot_be_changed_or_deleted_through_the_orm(store):
    movement = StockMovement.objects.filter(line__store=store).first()
    for attempt in (lambda: movement.save(), lambda: movement.delete(),
                    lambda: StockMovement.objects.filter(pk=movement.pk).update(quantity=999),
                    lambda: StockMovement.objects.filter(pk=movement.pk).delete()):
        with pytest.raises(ValueError):
            attempt()
    assert StockMovement.objects.get(pk=movement.pk).quantity == movement.quantity


def test_the_database_refuses_to_change_a_movement(store):
    movement = StockMovement.objects.filter(line__store=store).first()
    table = StockMovement._meta.db_table
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET quantity = 999 WHERE id = %s", [movement.pk])  # noqa: S608 - constant
    assert StockMovement.objects.get(pk=movement.pk).quantity == movement.quantity


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="SQLite test databases are emptied with DELETE, so only PostgreSQL refuses it")
def test_postgresql_refuses_to_delete_a_movement(store):
    movement = StockMovement.objects.filter(line__store=store).first()
    table = StockMovement._meta.db_table
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [movement.pk])  # noqa: S608 - constant
    assert StockMovement.objects.filter(pk=movement.pk).exists()


def test_falling_below_the_low_stock_level_tells_the_charity_team(worker, store):
    packs = item("Toiletries pack")
    available = services.item_available(packs)
    assert available >= packs.low_stock_level
    with worker as actor:
        services.stock_write_off(actor=actor, store=store, item=packs, quantity=available - packs.low_stock_level,
                                 note="water damage")
        assert not Notice.objects.filter(recipient=worker.user, subject="Low stock: Toiletries pack").exists()
        services.stock_write_off(actor=actor, store=store, item=packs, quantity=1, note="water damage")
    assert Notice.objects.filter(recipient=worker.user, subject="Low stock: Toiletries pack").count() == 1


def test_another_agencys_worker_cannot_touch_the_store(demo, store):
    from django.core.exceptions import PermissionDenied

    from .conftest import Acting

    police = Acting(demo, "police.officer", "stoke-north-hub")
    with police as actor, pytest.raises(PermissionDenied):
        services.stock_purchase(actor=actor, store=store, item=item("Toys"), quantity=1)


def test_the_walker_delivery_took_beds_bedding_and_a_cooker_from_donated_stock(walker_case):
    delivered = StockMovement.objects.filter(kind=MovementKind.DELIVERED, allocation__need__case=walker_case)
    taken = {}
    for movement in delivered.select_related("line__item"):
        taken[movement.line.item.name] = taken.get(movement.line.item.name, 0) + movement.quantity
    assert taken == {"Single bed": 2, "Bedding set (single)": 2, "Cooker": 1, "School uniform": 1}
    # The beds and the cooker came in as a donation to the furniture unit; what is left adds up.
    unit = walker_case.deliveries.get().allocations.filter(need__item__name="Cooker").get().line.store
    assert StockMovement.objects.filter(line__store=unit, line__item=item("Cooker"), kind="received").exists()
    assert (_balance(unit, "Single bed").on_hand, _balance(unit, "Cooker").on_hand) == (2, 1)
    assert walker_case.needs.filter(status="met").count() == walker_case.needs.count() == 6
