"""Data-protection officers review the audit and break-glass access."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from hearth.people.models import Person
from hearth.platform.models import BreakGlassGrant, User


def test_dpo_sees_who_opened_a_record_their_agency_owns(client_for):
    mother = Person.objects.get(given_name="Elizabeth", family_name="Walker")
    client_for("charity.worker").get(f"/people/{mother.pk}/")
    body = client_for("police.dpo").get(reverse("platform:audit_search"), {
        "object_type": "people.person", "object_id": str(mother.pk)}).content.decode()
    assert "charity.worker" in body


def test_dpo_does_not_see_other_agencies_staff_elsewhere(client_for):
    tariq = Person.objects.get(given_name="Tariq", family_name="Hussain")  # New Era's
    client_for("idva", "new-era-victims").get(f"/people/{tariq.pk}/")
    body = client_for("police.dpo").get(reverse("platform:audit_search"), {
        "object_type": "people.person", "object_id": str(tariq.pk)}).content.decode()
    assert "idva" not in body


def test_audit_search_rejects_bad_dates(client_for):
    response = client_for("police.dpo").get(reverse("platform:audit_search"), {
        "date_from": "5 11 2026", "date_to": "1 11 2026"})
    assert "must be the same as or after" in response.content.decode()
    bad = client_for("police.dpo").get(reverse("platform:audit_search"), {"date_from": "yesterday"})
    assert "govuk-error-summary" in bad.content.decode()
    assert 'value="yesterday"' in bad.content.decode()


def test_dpo_reviews_and_ends_break_glass(client_for):
    officer = User.objects.get(username="police.officer")
    grant = BreakGlassGrant.objects.create(
        user=officer, agency=officer.memberships.first().agency, role="police_officer",
        content_type=ContentType.objects.get_for_model(Person), object_id=1,
        reason="Emergency at the address", expires_at=timezone.now() + timedelta(hours=5))
    client = client_for("police.dpo")
    assert "Emergency at the address" in client.get(reverse("platform:break_glass_list")).content.decode()
    missing_note = client.post(reverse("platform:break_glass_review", args=[grant.pk]), {"end_now": "on"})
    assert "govuk-error-summary" in missing_note.content.decode()
    response = client.post(reverse("platform:break_glass_review", args=[grant.pk]),
                           {"outcome": "justified", "note": "Justified, but ended.", "end_now": "on"})
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.reviewed_by.username == "police.dpo" and grant.expires_at <= timezone.now()


def test_another_agencys_dpo_cannot_review_it(client_for):
    officer = User.objects.get(username="police.officer")
    grant = BreakGlassGrant.objects.create(
        user=officer, agency=officer.memberships.first().agency, role="police_officer",
        content_type=ContentType.objects.get_for_model(Person), object_id=1,
        reason="x" * 12, expires_at=timezone.now() + timedelta(hours=5))
    assert client_for("charity.dpo").get(
        reverse("platform:break_glass_review", args=[grant.pk])).status_code == 404
