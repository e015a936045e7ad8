"""Concurrent audited transactions neither break the chain nor deadlock on it (issue 13).

Needs PostgreSQL (``DATABASE_URL=postgres://...``): the chain lock is a PostgreSQL advisory
lock and the deadlocks came from it meeting row locks; SQLite serialises whole-database writes.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from hearth.platform import audit
from hearth.platform.models import AuditAction, AuditEvent, User

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs PostgreSQL's advisory and row locks; SQLite has none to race"),
]


def _run(*targets) -> list[BaseException]:
    errors: list[BaseException] = []

    def guarded(target):
        try:
            target()
        except BaseException as exc:  # noqa: BLE001 - reported by the test, not swallowed
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=guarded, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a writer never finished"
    return errors


def _sealed() -> int:
    return AuditEvent.objects.filter(hash__isnull=False).count()


def test_a_writer_that_audited_first_and_one_holding_a_row_lock_do_not_deadlock():
    row = User.objects.create(username="row.to.lock", email="row.to.lock@example.org")
    before = _sealed()
    audited, locked = threading.Event(), threading.Event()

    def audits_then_locks_the_row():
        with transaction.atomic():
            audit.record(AuditAction.VIEW, object_type="test", object_id=1)
            audited.set()
            locked.wait(timeout=20)
            User.objects.select_for_update().get(pk=row.pk)

    def locks_the_row_then_audits():
        with transaction.atomic():
            User.objects.select_for_update().get(pk=row.pk)
            locked.set()
            audited.wait(timeout=20)
            audit.record(AuditAction.VIEW, object_type="test", object_id=2)

    assert _run(audits_then_locks_the_row, locks_the_row_then_audits) == []
    result = audit.verify()
    assert result.ok, result.problems
    assert result.rows == before + 2 and result.unsealed == 0


def test_many_concurrent_audited_transactions_leave_one_intact_chain():
    rows = [User.objects.create(username=f"contended.{n}", email=f"contended.{n}@example.org") for n in range(3)]
    before = _sealed()
    writers, transactions_each = 6, 15

    def writer(number: int):
        def run():
            for n in range(transactions_each):
                contended = rows[(number + n) % len(rows)]
                with transaction.atomic():
                    # Half audit before taking the row lock, half after: the order issue 13 deadlocked on.
                    if number % 2:
                        audit.record(AuditAction.VIEW, object_type="test", object_id=f"{number}-{n}")
                    User.objects.select_for_update().get(pk=contended.pk)
                    audit.record(AuditAction.UPDATE, object_type="test", object_id=f"{number}-{n}")
                    if not number % 2:
                        audit.record(AuditAction.VIEW, object_type="test", object_id=f"{number}-{n}")
        return run

    assert _run(*(writer(number) for number in range(writers))) == []
    # No explicit seal: each transaction's rows were sealed just after it committed.
    result = audit.verify()
    assert result.ok, result.problems
    assert result.unsealed == 0
    assert result.rows == before + writers * transactions_each * 2
    places = list(AuditEvent.objects.filter(seq__isnull=False).order_by("seq").values_list("seq", flat=True))
    assert places == list(range(1, len(places) + 1))
