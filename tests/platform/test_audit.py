"""The audit is append-only and hash-chained; tampering is found and named."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.utils import DatabaseError

from hearth.platform import audit, context
from hearth.platform.models import AuditAction, AuditEvent


def _tamper(sql: str, params) -> None:
    """Change the table behind the application's back, as a rogue superuser could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")  # skips triggers
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def test_rows_chain_to_their_predecessor(db):
    first = audit.record(AuditAction.VIEW, object_type="people.person", object_id=1)
    second = audit.record(AuditAction.VIEW, object_type="people.person", object_id=2)
    audit.seal()  # done after commit in use; the test's transaction never commits
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.prev_hash == first.hash
    assert audit.verify().ok


def test_verify_counts_every_row(db):
    before = AuditEvent.objects.count()
    audit.record(AuditAction.SEARCH, object_type="people.person")
    audit.seal()
    result = audit.verify()
    assert result.ok and result.rows == before + 1


def test_a_changed_row_is_named(db):
    audit.record(AuditAction.VIEW, object_type="people.person", object_id=7)
    victim = audit.record(AuditAction.VIEW, object_type="people.person", object_id=8)
    audit.record(AuditAction.VIEW, object_type="people.person", object_id=9)
    audit.seal()
    _tamper("UPDATE platform_auditevent SET username = %s WHERE id = %s", ["someone.else", victim.id])
    result = audit.verify()
    assert not result.ok
    assert result.first_bad_id == victim.id
    with pytest.raises(CommandError, match=f"row {victim.id}"):
        call_command("audit_verify")


def test_a_removed_row_is_found(db):
    audit.record(AuditAction.VIEW, object_type="people.person", object_id=1)
    removed = audit.record(AuditAction.VIEW, object_type="people.person", object_id=2)
    after = audit.record(AuditAction.VIEW, object_type="people.person", object_id=3)
    audit.seal()
    _tamper("DELETE FROM platform_auditevent WHERE id = %s", [removed.id])
    result = audit.verify()
    assert result.first_bad_id == after.id
    assert "removed" in result.problem


def test_audit_verify_passes_on_the_demo(db, capsys):
    call_command("audit_verify")
    assert "rows verified" in capsys.readouterr().out


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_refuses_updates_and_deletes(db):
    event = audit.record(AuditAction.VIEW, object_type="people.person", object_id=1)
    for statement in ("UPDATE platform_auditevent SET reason = 'x' WHERE id = %s",
                      "DELETE FROM platform_auditevent WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement, [event.id])


def test_rows_carry_the_request_context(db, demo):
    membership = demo.membership("police.officer")
    with context.acting_as(membership.user, membership) as ctx:
        ctx.ip = "192.0.2.10"
        event = audit.record(AuditAction.VIEW, object_type="people.person", object_id=5, reason="r")
    assert event.username == "police.officer"
    assert event.agency_id == membership.agency_id
    assert event.role == membership.role
    assert event.ip == "192.0.2.10"
    assert len(event.request_id) == 36


def test_a_page_view_writes_one_audit_row_with_the_request_id(client_for, demo):
    from hearth.people.models import Person

    client = client_for("police.officer")
    person = Person.objects.get(given_name="Elizabeth", family_name="Walker")
    response = client.get(f"/people/{person.pk}/")
    assert response.status_code == 200
    event = AuditEvent.objects.filter(action=AuditAction.VIEW, object_id=str(person.pk)).latest("id")
    assert event.request_id == response["X-Request-ID"]
    assert event.username == "police.officer"
