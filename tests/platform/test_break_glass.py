"""Accountable break-glass (issue 11, items 5 and 7): every opening reaches a reviewer, a
structured reason kept encrypted, a daily limit and repeat flags, the partnership's review
queue, and a break-glass page that does not tell which record numbers exist."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hearth.notify.models import Notice
from hearth.people.models import Person
from hearth.platform import context, crypto
from hearth.platform.models import (
    AccessGrant,
    AuditAction,
    AuditEvent,
    BreakGlassGrant,
    Membership,
    RecordSeal,
    SealScope,
    User,
)
from hearth.platform.roles import Role
from hearth.platform.services import record_seal

from ..conftest import sign_in

REASON = "Caller says he is at her door tonight; the owning agency is closed and she may be hurt."


def _unrelated(agency_slug: str, n: int = 0) -> Person:
    """The n-th person the agency has no relationship with, not restricted, not in a demo break-glass."""
    ct = ContentType.objects.get_for_model(Person)
    related = AccessGrant.objects.filter(content_type=ct, agency__slug=agency_slug).values("object_id")
    sealed = RecordSeal.objects.filter(content_type=ct).values("object_id")
    opened = BreakGlassGrant.objects.values("object_id")
    return (Person.objects.exclude(pk__in=related).exclude(pk__in=sealed).exclude(pk__in=opened)
            .order_by("pk")[n])


def _open(client: Client, person: Person, *, category: str = "risk_to_life", reason: str = REASON):
    return client.post(reverse("people:person_break_glass", args=[person.pk]),
                       {"reason_category": category, "reason": reason})


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 - fixed names
        return cursor.fetchone()[0]


# --- every break-glass reaches a reviewer ---

def test_a_housing_officer_s_break_glass_reaches_the_partnership_dpo(client_for):
    """Housing Options has no data-protection officer: the partnership's reviews it."""
    person = _unrelated("stoke-housing")
    response = _open(client_for("housing.officer"), person)
    assert response.status_code == 302
    grant = BreakGlassGrant.objects.get(user__username="housing.officer", object_id=person.pk)
    notice = Notice.objects.filter(recipient__username="partnership.dpo",
                                   subject="Break-glass access opened").latest("id")
    assert str(person.pk) in notice.body and "Immediate risk" in notice.body
    assert "at her door" not in notice.body  # notices are plain text: the category, not the words
    queue = client_for("partnership.dpo").get(reverse("platform:break_glass_list")).content.decode()
    assert reverse("platform:break_glass_review", args=[grant.pk]) in queue
    assert "Stoke-on-Trent City Council – Housing Options" in queue


def test_an_agency_with_its_own_dpo_is_reviewed_by_it(client_for):
    person = _unrelated("stoke-north-hub")
    before = Notice.objects.filter(recipient__username="partnership.dpo").count()
    assert _open(client_for("police.officer"), person).status_code == 302
    assert Notice.objects.filter(recipient__username="police.dpo", subject="Break-glass access opened").exists()
    assert Notice.objects.filter(recipient__username="partnership.dpo").count() == before


def test_no_reviewer_anywhere_means_no_break_glass(client_for):
    Membership.objects.filter(role=Role.DATA_PROTECTION_OFFICER, agency__kind="board").update(is_active=False)
    person = _unrelated("stoke-housing")
    response = _open(client_for("housing.officer"), person)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Break-glass is not available" in body
    assert "at her door tonight" in body  # what was typed is kept
    assert not BreakGlassGrant.objects.filter(object_id=person.pk).exists()
    refusal = AuditEvent.objects.filter(action=AuditAction.DENY, object_id=str(person.pk)).latest("id")
    assert refusal.detail == {"refused": ["no_reviewer"]}
    assert client_for("housing.officer").get(f"/people/{person.pk}/").status_code == 404


# --- structured reason ---

@pytest.mark.parametrize("reason", ["aaaaaaaaaa", "a" * 40, "need to see it", "urgent urgent urgent urgent urgent"])
def test_a_reason_that_says_nothing_is_refused_and_kept(client_for, reason):
    person = _unrelated("stoke-north-hub")
    response = _open(client_for("police.officer"), person, reason=reason)
    body = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in body
    assert "Describe the emergency in a sentence" in body
    assert f"{reason}</textarea>" in body
    assert not BreakGlassGrant.objects.filter(object_id=person.pk).exists()


def test_a_reason_needs_a_category(client_for):
    person = _unrelated("stoke-north-hub")
    response = client_for("police.officer").post(reverse("people:person_break_glass", args=[person.pk]),
                                                  {"reason": REASON})
    body = response.content.decode()
    assert "Choose why you need to open the record." in body and REASON in body
    bad = _open(client_for("police.officer"), person, category="curiosity")
    assert "govuk-error-summary" in bad.content.decode()
    assert not BreakGlassGrant.objects.filter(object_id=person.pk).exists()


def test_reasons_are_encrypted_and_kept_out_of_the_audit(client_for):
    person = _unrelated("stoke-north-hub")
    client = client_for("police.officer")
    assert _open(client, person, category="out_of_hours").status_code == 302
    client.get(f"/people/{person.pk}/")  # a read under it
    grant = BreakGlassGrant.objects.get(object_id=person.pk)
    assert grant.reason == REASON and grant.reason_category == "out_of_hours"
    stored = _raw("platform_breakglassgrant", "reason", grant.pk)
    assert "door" not in stored and crypto.decrypt(stored) == REASON
    rows = AuditEvent.objects.filter(object_id=str(person.pk), action=AuditAction.BREAK_GLASS)
    assert rows.count() == 2
    for row in rows:
        assert row.reason == "break-glass: out_of_hours" and row.detail["grant"] == grant.pk
    assert not AuditEvent.objects.filter(reason__contains="door tonight").exists()
    assert not any("door tonight" in repr(d) for d in AuditEvent.objects.values_list("detail", flat=True))


def test_a_restriction_reason_is_encrypted_and_kept_out_of_the_audit(demo):
    police = demo.actor("police.officer")
    person = Person.objects.get(given_name="Elizabeth", family_name="Walker")
    words = "Her new partner works at the housing office."
    with context.acting_as(police, police.membership):
        seal = record_seal(actor=police, obj=person, scope=SealScope.RECORD, reason=words, named_users=[])
    stored = _raw("platform_recordseal", "reason", seal.pk)
    assert "housing office" not in stored and crypto.decrypt(stored) == words
    row = AuditEvent.objects.filter(action=AuditAction.SEAL, object_id=str(person.pk)).latest("id")
    assert row.reason == "" and "housing office" not in repr(row.detail)
    assert RecordSeal.objects.get(pk=seal.pk).reason == words


def test_the_migration_encrypts_existing_reasons_in_place(db):
    """Rows written as plain text before 0005 read back the same after it, and are ciphertext."""
    migration = __import__("hearth.platform.migrations.0005_break_glass_review", fromlist=["x"])
    before = MigrationLoader(connection).project_state(("platform", "0003_access_grant_member")).apps
    person = Person.objects.order_by("pk").first()
    ct = ContentType.objects.get_for_model(Person)
    officer = User.objects.get(username="police.officer")
    old_grant = BreakGlassGrant.objects.create(
        user=officer, agency=officer.memberships.first().agency, role="police_officer", content_type=ct,
        object_id=person.pk, reason="x", expires_at=timezone.now(), review_note="x")
    old_seal = RecordSeal.objects.create(content_type=ct, object_id=person.pk, scope="record", reason="x",
                                         owner=officer)
    # As they were stored before 0005: plain text.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE platform_breakglassgrant SET reason = %s, review_note = %s WHERE id = %s",
                       ["Plain reason from before", "Plain note from before", old_grant.pk])
        cursor.execute("UPDATE platform_recordseal SET reason = %s WHERE id = %s", ["Plain seal reason", old_seal.pk])
        # Rows written since 0005 are already encrypted; the migration runs before any exist.
        cursor.execute("DELETE FROM platform_breakglassgrant WHERE id <> %s", [old_grant.pk])
        cursor.execute("DELETE FROM platform_recordseal_named_users WHERE recordseal_id <> %s", [old_seal.pk])
        cursor.execute("DELETE FROM platform_recordseal WHERE id <> %s", [old_seal.pk])
    migration.encrypt_existing(before, None)
    assert "Plain" not in _raw("platform_breakglassgrant", "reason", old_grant.pk)
    assert "Plain" not in _raw("platform_breakglassgrant", "review_note", old_grant.pk)
    assert "Plain" not in _raw("platform_recordseal", "reason", old_seal.pk)
    grant = BreakGlassGrant.objects.get(pk=old_grant.pk)
    assert (grant.reason, grant.review_note) == ("Plain reason from before", "Plain note from before")
    assert RecordSeal.objects.get(pk=old_seal.pk).reason == "Plain seal reason"
    migration.decrypt_existing(before, None)
    assert _raw("platform_recordseal", "reason", old_seal.pk) == "Plain seal reason"


# --- daily limit and repeats ---

def test_a_user_may_break_glass_only_so_often_and_the_reviewer_is_alerted(client_for, settings):
    settings.HEARTH_BREAK_GLASS_DAILY_LIMIT = 2
    client = client_for("police.officer")
    first, second, third = (_unrelated("stoke-north-hub", n) for n in range(3))
    assert _open(client, first).status_code == 302
    assert not Notice.objects.filter(subject="Break-glass daily limit reached").exists()
    assert _open(client, second).status_code == 302
    assert BreakGlassGrant.objects.get(object_id=second.pk).reached_daily_limit
    assert Notice.objects.filter(recipient__username="police.dpo", subject="Break-glass daily limit reached").exists()
    refused = _open(client, third)
    assert refused.status_code == 200
    assert "the most allowed" in refused.content.decode()
    assert not BreakGlassGrant.objects.filter(object_id=third.pk).exists()
    # A day later the oldest no longer counts.
    BreakGlassGrant.objects.filter(object_id=first.pk).update(starts_at=timezone.now() - timedelta(hours=25))
    assert _open(client, third).status_code == 302


def test_a_second_break_glass_while_one_is_live_is_refused(client_for):
    client = client_for("police.officer")
    person = _unrelated("stoke-north-hub")
    assert _open(client, person).status_code == 302
    again = _open(client, person)
    assert "You already have break-glass access to this record until" in again.content.decode()
    assert BreakGlassGrant.objects.filter(object_id=person.pk).count() == 1


def test_a_repeat_on_the_same_record_is_flagged_for_the_reviewer(client_for):
    client = client_for("police.officer")
    person = _unrelated("stoke-north-hub")
    assert _open(client, person).status_code == 302
    first = BreakGlassGrant.objects.get(object_id=person.pk)
    assert not first.is_repeat
    # Over, and a few days old: opening the same record again is allowed but flagged.
    BreakGlassGrant.objects.filter(pk=first.pk).update(starts_at=timezone.now() - timedelta(days=5),
                                                       expires_at=timezone.now() - timedelta(days=4))
    assert _open(client, person).status_code == 302
    repeat = BreakGlassGrant.objects.filter(object_id=person.pk).latest("starts_at")
    assert repeat.is_repeat
    notice = Notice.objects.filter(recipient__username="police.dpo").latest("id")
    assert "REPEAT" in notice.body
    assert "Repeat" in client_for("police.dpo").get(reverse("platform:break_glass_list")).content.decode()


# --- the review queue ---

def test_the_partnership_dpo_sees_every_agency_s_break_glass_unreviewed_first(client_for):
    _open(client_for("police.officer"), _unrelated("stoke-north-hub"))
    _open(client_for("housing.officer"), _unrelated("stoke-housing"))
    police_grant = BreakGlassGrant.objects.get(user__username="police.officer")
    BreakGlassGrant.objects.filter(pk=police_grant.pk).update(
        reviewed_at=timezone.now(), reviewed_by=User.objects.get(username="police.dpo"), review_outcome="justified")
    housing_grants = BreakGlassGrant.objects.filter(user__username="housing.officer")
    queue = client_for("partnership.dpo").get(reverse("platform:break_glass_list")).content.decode()
    assert "Hannah Whitmore" in queue and "Bogdan Popescu" in queue
    # Every waiting grant is listed before the reviewed one.
    assert max(queue.index(reverse("platform:break_glass_review", args=[g.pk])) for g in housing_grants) \
        < queue.index("Justified, by")
    assert AuditEvent.objects.filter(action=AuditAction.LIST, username="partnership.dpo",
                                     object_type="platform.breakglassgrant").exists()
    # An agency's own DPO sees only their agency's.
    own = client_for("police.dpo").get(reverse("platform:break_glass_list")).content.decode()
    assert "Hannah Whitmore" in own and "Bogdan Popescu" not in own
    housing = housing_grants.first()
    assert client_for("police.dpo").get(reverse("platform:break_glass_review", args=[housing.pk])).status_code == 404


def test_a_review_records_the_outcome_and_can_end_access_now(client_for):
    _open(client_for("housing.officer"), _unrelated("stoke-housing"))
    grant = BreakGlassGrant.objects.filter(user__username="housing.officer").latest("starts_at")
    client = client_for("partnership.dpo")
    url = reverse("platform:break_glass_review", args=[grant.pk])
    page = client.get(url).content.decode()
    assert REASON in page and "Immediate risk" in page
    response = client.post(url, {"outcome": "not_justified", "note": "No emergency: he wanted the address.",
                                 "end_now": "on"})
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.review_outcome == "not_justified" and grant.reviewed_by.username == "partnership.dpo"
    assert grant.expires_at <= timezone.now() and not grant.is_live
    assert "wanted the address" not in _raw("platform_breakglassgrant", "review_note", grant.pk)
    assert grant.review_note == "No emergency: he wanted the address."
    row = AuditEvent.objects.filter(object_type="platform.breakglassgrant", object_id=str(grant.pk),
                                    action=AuditAction.UPDATE).latest("id")
    assert row.detail == {"reviewed": True, "outcome": "not_justified", "ended": True}
    assert "wanted the address" not in row.reason
    # Reviewed once: a second review is refused.
    again = client.post(url, {"outcome": "justified", "note": "Changed my mind."})
    assert "already been reviewed" in again.content.decode()
    grant.refresh_from_db()
    assert grant.review_outcome == "not_justified"


def test_a_referred_review_tells_the_agency_s_admins(client_for):
    _open(client_for("police.officer"), _unrelated("stoke-north-hub"))
    grant = BreakGlassGrant.objects.get(user__username="police.officer")
    response = client_for("police.dpo").post(reverse("platform:break_glass_review", args=[grant.pk]),
                                             {"outcome": "referred", "note": "Talk to her about the policy."})
    assert response.status_code == 302
    notice = Notice.objects.get(recipient__username="police.admin",
                                subject="Break-glass access referred to your agency")
    assert "Talk to her" not in notice.body
    grant.refresh_from_db()
    assert grant.review_outcome == "referred" and grant.is_live  # not ended: only when asked


def test_the_review_form_refuses_bad_input_and_keeps_it(client_for):
    _open(client_for("police.officer"), _unrelated("stoke-north-hub"))
    grant = BreakGlassGrant.objects.get(user__username="police.officer")
    url = reverse("platform:break_glass_review", args=[grant.pk])
    response = client_for("police.dpo").post(url, {"note": "Checked the call log.", "end_now": "on"})
    body = response.content.decode()
    assert response.status_code == 200 and "Choose the outcome of your review." in body
    assert "Checked the call log.</textarea>" in body
    no_note = client_for("police.dpo").post(url, {"outcome": "justified"}).content.decode()
    assert "Write a review note" in no_note
    grant.refresh_from_db()
    assert grant.reviewed_at is None


def test_a_reviewer_cannot_review_their_own_break_glass(client_for):
    """An officer who is also the partnership's DPO still cannot pass their own break-glass."""
    officer = User.objects.get(username="police.officer")
    board_dpo = Membership.objects.create(user=officer, agency=Membership.objects.get(
        user__username="partnership.dpo").agency, role=Role.DATA_PROTECTION_OFFICER)
    _open(client_for("police.officer", "stoke-north-hub"), _unrelated("stoke-north-hub"))
    grant = BreakGlassGrant.objects.get(user=officer)
    as_reviewer = sign_in(Client(), board_dpo)
    url = reverse("platform:break_glass_review", args=[grant.pk])
    assert "another data-protection officer must review it" in as_reviewer.get(url).content.decode()
    response = as_reviewer.post(url, {"outcome": "justified", "note": "Fine by me."})
    assert "You cannot review your own break-glass access" in response.content.decode()
    grant.refresh_from_db()
    assert grant.reviewed_at is None


# --- the same answer for a missing record and a forbidden one ---

def _shape(response, person_id) -> str:
    """The page with what differs per request anyway (token, nonce, the number asked) blanked."""
    body = response.content.decode()
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value=""', body)
    body = re.sub(r'nonce="[^"]+"', 'nonce=""', body)
    body = re.sub(r'content="[A-Za-z0-9]{64}"', 'content=""', body)  # the CSRF token for htmx
    return body.replace(f"/people/{person_id}/", "/people/N/").replace(f"record {person_id}<", "record N<")


def test_the_break_glass_page_answers_alike_for_missing_and_forbidden_records(client_for):
    client = client_for("police.officer")
    restricted = Person.objects.get(given_name="Agnieszka", family_name="Nowak")
    openable = _unrelated("stoke-north-hub")
    missing = Person.objects.order_by("-pk").first().pk + 1000

    def ask(method, person_id):
        url = reverse("people:person_break_glass", args=[person_id])
        if method == "get":
            return client.get(url)
        return client.post(url, {"reason_category": "risk_to_life", "reason": REASON})

    for method in ("get", "post"):
        gone, sealed = ask(method, missing), ask(method, restricted.pk)
        assert gone.status_code == sealed.status_code == 200, method
        assert _shape(gone, missing) == _shape(sealed, restricted.pk), method
    # The form itself does not tell a record that exists from one that does not.
    assert _shape(client.get(reverse("people:person_break_glass", args=[openable.pk])), openable.pk) \
        == _shape(ask("get", missing), missing)
    for person_id in (missing, restricted.pk):
        assert AuditEvent.objects.filter(action=AuditAction.DENY, outcome="deny", username="police.officer",
                                         object_id=str(person_id)).count() >= 2
    assert not BreakGlassGrant.objects.filter(object_id__in=[missing, restricted.pk]).exists()
