"""The keyed audit chain: a rogue superuser cannot shorten or re-hash the audit unnoticed.

Each test plays the attacker the penetration test described: a database superuser who switches
the append-only trigger off (``ALTER TABLE ... DISABLE TRIGGER ALL`` on PostgreSQL; SQLite has no
trigger) and knows the public SHA-256 recipe but not the audit key.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from hearth.platform import audit, context
from hearth.platform.models import AuditAction, AuditEvent


def _as_rogue_superuser(statements: list[tuple[str, list]]) -> None:
    """Run SQL with the append-only trigger switched off, as a superuser could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE platform_auditevent DISABLE TRIGGER ALL")
        for sql, params in statements:
            cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE platform_auditevent ENABLE TRIGGER ALL")


def _views(count: int) -> list[AuditEvent]:
    rows = [audit.record(AuditAction.VIEW, object_type="people.person", object_id=n) for n in range(count)]
    audit.seal()  # in use it runs after commit; the test's transaction never commits
    return [AuditEvent.objects.get(pk=row.pk) for row in rows]


def _rehash_with_sha256(rows: list[AuditEvent], after: AuditEvent, *, look_unkeyed: bool) -> list[tuple[str, list]]:
    """Re-link ``rows`` to ``after`` the only way possible without the key: plain SHA-256."""
    statements, prev, seq = [], after, after.seq
    for row in rows:
        row.prev_hash = prev.hash
        if look_unkeyed:  # pass the rows off as written before the keyed chain
            row.key_id, row.seq, row.mac = "", None, ""
        else:
            seq += 1
            row.seq = seq
        row.hash = audit.legacy_hash(row)
        statements.append(("UPDATE platform_auditevent SET prev_hash = %s, hash = %s, seq = %s, key_id = %s, "
                           "mac = %s WHERE id = %s", [row.prev_hash, row.hash, row.seq, row.key_id, row.mac, row.id]))
        prev = row
    return statements


def test_rows_are_sealed_with_an_hmac_under_the_audit_key(db, settings):
    (row,) = _views(1)
    key = settings.HEARTH_AUDIT_KEYS[0]
    assert row.key_id == audit.key_id_for(key)
    assert row.hash == audit.sealed_hash(row, key.encode())
    assert row.hash != audit.legacy_hash(row)
    assert row.seq == AuditEvent.objects.filter(seq__isnull=False).count()


@pytest.mark.parametrize("look_unkeyed", [False, True], ids=["keeping-key-id", "posing-as-unkeyed"])
def test_a_removed_middle_row_rehashed_with_plain_sha256_is_named(db, look_unkeyed):
    first, removed, third, fourth = _views(4)
    statements = [("DELETE FROM platform_auditevent WHERE id = %s", [removed.id])]
    statements += _rehash_with_sha256([third, fourth], after=first, look_unkeyed=look_unkeyed)
    _as_rogue_superuser(statements)

    result = audit.verify()
    assert not result.ok
    named = {problem.row_id for problem in result.problems}
    assert {third.id, fourth.id} <= named
    assert any("rewritten" in problem.text for problem in result.problems if problem.row_id == third.id)


def test_rows_read_back_from_the_database_still_match_their_mac(db):
    with context.acting_as(None, None) as ctx:
        ctx.ip = "2001:DB8:0:0:0:0:0:1"
        audit.record(AuditAction.SEARCH, object_type="people.person",
                     detail={"results": 3, "score": 0.87, "large": 1e20, "small": 1e-7, "fields": ["given_name"]})
    assert audit.seal() == 1
    assert audit.verify().ok


def test_a_removed_middle_row_is_named_with_its_neighbours(db):
    first, removed, third = _views(3)
    _as_rogue_superuser([("DELETE FROM platform_auditevent WHERE id = %s", [removed.id])])
    result = audit.verify()
    assert [p.row_id for p in result.problems] == [third.id]
    assert f"does not follow row {first.id}" in result.problem
    assert f"place {removed.seq} " in result.problem and "removed" in result.problem


def test_a_changed_row_is_named_as_rewritten(db):
    _, changed, _ = _views(3)
    _as_rogue_superuser([("UPDATE platform_auditevent SET object_id = %s WHERE id = %s", ["99", changed.id])])
    result = audit.verify()
    assert [(p.row_id, p.text) for p in result.problems] == [(changed.id, "was rewritten: its HMAC does not match")]


def test_rows_removed_from_the_end_are_named_against_the_checkpoint(db, tmp_path):
    path = tmp_path / "checkpoints.log"
    kept, *newest = _views(3)
    checkpoint = audit.checkpoint_write(path=path)
    assert checkpoint.row_id == newest[-1].id
    _as_rogue_superuser([("DELETE FROM platform_auditevent WHERE id IN (%s, %s)", [r.id for r in newest])])

    assert audit.verify().ok, "without a checkpoint a shortened chain still looks whole"
    result = audit.verify(checkpoint=audit.latest_checkpoint(path))
    assert result.first_bad_id == newest[-1].id
    assert f"the audit ends at row {kept.id}" in result.problem
    assert "removed from its end" in result.problem
    with pytest.raises(CommandError, match=f"row {newest[-1].id}"):
        call_command("audit_verify", "--checkpoint", str(path))


def test_a_rewritten_checkpointed_head_is_named(db, tmp_path):
    path = tmp_path / "checkpoints.log"
    *_, head = _views(2)
    audit.checkpoint_write(path=path)
    head.username = "someone.else"
    _as_rogue_superuser([("UPDATE platform_auditevent SET username = %s, hash = %s WHERE id = %s",
                          [head.username, audit.legacy_hash(head), head.id])])
    result = audit.verify(checkpoint=audit.latest_checkpoint(path))
    texts = [p.text for p in result.problems if p.row_id == head.id]
    assert "was rewritten: its HMAC does not match" in texts
    assert any("rewritten after the checkpoint" in text for text in texts)


def test_the_checkpoint_is_appended_signed_and_logged(db, tmp_path, caplog):
    path = tmp_path / "checkpoints.log"
    path.write_text("an earlier line\n")
    *_, head = _views(2)
    with caplog.at_level(logging.INFO, logger="hearth.audit.checkpoint"):
        call_command("audit_checkpoint", "--file", str(path))
    lines = path.read_text().splitlines()
    assert lines[0] == "an earlier line" and len(lines) == 2
    written = json.loads(lines[1])
    assert written["row_id"] == head.id and written["hash"] == head.hash
    assert written["rows"] == AuditEvent.objects.filter(hash__isnull=False).count()
    assert any(lines[1] in message for message in caplog.messages)
    assert audit.verify(checkpoint=audit.latest_checkpoint(path)).ok


def test_a_checkpoint_altered_to_match_a_shorter_audit_is_refused(db, tmp_path):
    path = tmp_path / "checkpoints.log"
    _views(2)
    audit.checkpoint_write(path=path)
    line = json.loads(path.read_text())
    line["rows"] -= 1
    path.write_text(json.dumps(line) + "\n")
    result = audit.verify(checkpoint=audit.latest_checkpoint(path))
    assert "not signed by any key" in result.problem


def test_the_periodic_runner_writes_a_checkpoint(db, settings):
    call_command("run_periodic", "--once", stdout=None)
    checkpoint = audit.latest_checkpoint(settings.HEARTH_AUDIT_CHECKPOINT_FILE)
    assert checkpoint.rows == AuditEvent.objects.filter(hash__isnull=False).count()


def test_audit_verify_reports_intact_against_the_default_checkpoint(db, settings, capsys):
    _views(1)
    call_command("audit_checkpoint")
    call_command("audit_verify")
    assert "Audit chain intact up to the checkpoint" in capsys.readouterr().out


def test_after_a_key_rotation_old_rows_still_verify(db, settings):
    development_keys = list(settings.HEARTH_AUDIT_KEYS)
    settings.HEARTH_AUDIT_KEYS = ["first-audit-key", *development_keys]
    (old,) = _views(1)
    settings.HEARTH_AUDIT_KEYS = ["second-audit-key", "first-audit-key", *development_keys]
    (new,) = _views(1)
    assert old.key_id == audit.key_id_for("first-audit-key")
    assert new.key_id == audit.key_id_for("second-audit-key")
    assert new.prev_hash == old.hash
    assert audit.verify().ok

    settings.HEARTH_AUDIT_KEYS = ["second-audit-key", *development_keys]
    result = audit.verify()
    assert result.first_bad_id == old.id
    assert "not in HEARTH_AUDIT_KEYS" in result.problem


def test_rows_from_before_the_keyed_chain_still_verify(db):
    # Rebuild the table as an older Hearth left it: unkeyed rows, plain SHA-256, no place.
    statements = [("DELETE FROM platform_auditevent", [])]
    prev_hash, legacy = audit.GENESIS, []
    for n in range(3):
        row = AuditEvent(id=n + 1, at=timezone.now() - timedelta(days=30 - n), action=AuditAction.VIEW,
                         object_type="people.person", object_id=str(n), prev_hash=prev_hash)
        row.hash = prev_hash = audit.legacy_hash(row)
        legacy.append(row)
        statements.append(("INSERT INTO platform_auditevent (id, at, username, agency_name, role, action, outcome, "
                           "object_type, object_id, reason, detail, request_id, prev_hash, hash, key_id, mac) "
                           "VALUES (%s, %s, '', '', '', %s, 'allow', %s, %s, '', '{}', '', %s, %s, '', '')",
                           [row.id, row.at, row.action, row.object_type, row.object_id, row.prev_hash, row.hash]))
    _as_rogue_superuser(statements)
    (keyed,) = _views(1)
    assert keyed.prev_hash == legacy[-1].hash and keyed.seq == 1
    result = audit.verify()
    assert result.ok and result.rows == 4

    _as_rogue_superuser([("UPDATE platform_auditevent SET object_id = '9' WHERE id = %s", [legacy[1].id])])
    assert audit.verify().first_bad_id == legacy[1].id


def test_a_row_not_written_by_hearth_is_not_sealed_and_is_named(db):
    forged = AuditEvent.objects.create(action=AuditAction.VIEW, object_type="people.person", object_id="1",
                                       key_id=audit.key_id_for("dev"), mac="0" * 64)
    assert audit.seal() == 0
    forged.refresh_from_db()
    assert forged.hash is None
    result = audit.verify()
    assert result.first_bad_id == forged.id and "not written by Hearth" in result.problem


def test_audit_verify_names_every_problem_and_exits_non_zero(db, capsys):
    _, changed, _ = _views(3)
    _as_rogue_superuser([("UPDATE platform_auditevent SET reason = 'x' WHERE id = %s", [changed.id])])
    with pytest.raises(CommandError, match=f"row {changed.id}: was rewritten"):
        call_command("audit_verify")
    assert f"Audit problem: row {changed.id}: was rewritten" in capsys.readouterr().err


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_lets_a_row_be_sealed_once_and_nothing_else(db):
    unsealed = audit.record(AuditAction.VIEW, object_type="people.person", object_id=1)
    for statement in ("UPDATE platform_auditevent SET hash = 'x', reason = 'changed' WHERE id = %s",
                      "UPDATE platform_auditevent SET hash = 'x', key_id = 'other' WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement, [unsealed.id])
    audit.seal()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE platform_auditevent SET hash = 'y' WHERE id = %s", [unsealed.id])


def test_production_refuses_the_development_audit_key():
    from hearth import settings as development
    from tests.platform.test_security import PRODUCTION_ENV, _manage

    result = _manage("check", env_extra=dict(PRODUCTION_ENV, HEARTH_AUDIT_KEYS=development._DEV_AUDIT_KEY))
    assert result.returncode != 0 and "development keys" in result.stderr
