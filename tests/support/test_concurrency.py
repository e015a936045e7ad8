"""Two workers allocating the same last item at once: one wins, the other is told, stock stays right.

Needs real row locks, so it runs on PostgreSQL (``DATABASE_URL=postgres://...``); SQLite has no
``SELECT ... FOR UPDATE`` and serialises whole-database writes instead, so there is nothing to race.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs PostgreSQL row locks (SELECT ... FOR UPDATE); SQLite has none to race"),
]


def _worker():
    from hearth.platform.models import Membership

    membership = Membership.objects.select_related("user", "agency").get(
        user__username="charity.worker", agency__slug="alice-charity")
    membership.user.membership = membership
    return membership


def _blocked_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0] > 0


def test_two_workers_allocating_the_last_item_one_wins_and_the_other_is_told():
    from django.contrib.contenttypes.models import ContentType

    from hearth.demo import world
    from hearth.platform import context
    from hearth.support import services
    from hearth.support.models import Allocation, Store, SupportCase

    ContentType.objects.clear_cache()
    world.load()  # transaction=True empties the database: load the demo again
    setup = _worker()
    case = SupportCase.objects.get(person__given_name="Andreea")
    store = Store.objects.get(name="Alice Charity store")
    with context.acting_as(setup.user, setup):
        last = services.item_type_create(actor=setup.user, name="Last double bed", category="furniture")
        services.stock_purchase(actor=setup.user, store=store, item=last, quantity=1)
        needs = [services.need_add(actor=setup.user, case=case, member=member, item=last, quantity=1)
                 for member in ("Adult", "Child aged 7")]

    first_holds_the_lock = threading.Event()
    outcomes: dict[str, str] = {}
    saw_the_second_wait = []

    def first():
        membership = _worker()
        try:
            with context.acting_as(membership.user, membership), transaction.atomic():
                services.stock_allocate(actor=membership.user, need=needs[0], store=store, quantity=1)
                first_holds_the_lock.set()
                # Hold the line's lock until the second worker is seen waiting for it.
                for _ in range(100):
                    if _blocked_on_a_lock():
                        saw_the_second_wait.append(True)
                        break
                    time.sleep(0.05)
            outcomes["first"] = "won"
        except ValidationError as exc:
            outcomes["first"] = " ".join(exc.messages)
        finally:
            first_holds_the_lock.set()
            connection.close()

    def second():
        membership = _worker()
        first_holds_the_lock.wait(timeout=20)
        try:
            with context.acting_as(membership.user, membership):
                services.stock_allocate(actor=membership.user, need=needs[1], store=store, quantity=1)
            outcomes["second"] = "won"
        except ValidationError as exc:
            outcomes["second"] = " ".join(exc.messages)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert outcomes["first"] == "won"
    assert outcomes["second"].startswith("Only 0 item(s) of Last double bed available")
    assert saw_the_second_wait, "the second worker never waited for the first one's lock"
    line = store.lines.get(item=last)
    balance = services.line_balance(line)
    assert (balance.on_hand, balance.reserved, balance.available) == (1, 1, 0)
    assert Allocation.objects.filter(line=line).count() == 1
