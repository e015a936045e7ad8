"""People's records: parts shown by role and relationship, restriction, break-glass, seals."""

from __future__ import annotations

from django.urls import reverse

from hearth.notify.models import Notice
from hearth.people.models import Person
from hearth.platform.models import AuditAction, AuditEvent, BreakGlassGrant, RecordSeal


def _mother():
    return Person.objects.get(given_name="Elizabeth", family_name="Walker")


def _restricted():
    return Person.objects.get(given_name="Agnieszka", family_name="Nowak")


def test_the_owner_sees_every_part_its_role_allows(client_for):
    body = client_for("police.officer").get(f"/people/{_mother().pk}/").content.decode()
    assert "07700 900431" in body and "Hartshill Road" in body


def test_the_charity_sees_only_the_parts_shared_with_it(client_for):
    response = client_for("charity.worker").get(f"/people/{_mother().pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Elizabeth" in body
    assert "07700 900431" not in body and "Hartshill Road" not in body
    assert "Some parts of this record are not shown to you" in body


def test_housing_sees_the_safe_address_it_was_given(client_for):
    body = client_for("housing.officer").get(f"/people/{_mother().pk}/").content.decode()
    assert "Hartshill Road" in body


def test_an_agency_with_no_relationship_gets_a_404_and_an_audit_row(client_for):
    response = client_for("perpetrator.worker").get(f"/people/{_mother().pk}/")
    assert response.status_code == 404
    assert "Elizabeth" not in response.content.decode()
    denial = AuditEvent.objects.filter(action=AuditAction.DENY, object_id=str(_mother().pk)).latest("id")
    assert denial.username == "perpetrator.worker" and denial.outcome == "deny"


def test_lists_obey_the_same_rules_as_pages(client_for):
    body = client_for("charity.worker").get("/people/?q=walker").content.decode()
    assert "Elizabeth" in body
    assert "Dean" not in body  # the alleged perpetrator was not referred to the charity
    assert AuditEvent.objects.filter(action=AuditAction.SEARCH, username="charity.worker").exists()


def test_a_restricted_record_is_refused_to_others_and_its_owner_told(client_for):
    person = _restricted()
    seal = RecordSeal.objects.get(object_id=person.pk)
    before = Notice.objects.filter(recipient=seal.owner).count()
    # Another New Era worker at the same agency, not named, is refused as well.
    from hearth.platform.models import Membership, User

    colleague = User.objects.create_user("newera.other", "other@example.invalid", "x" * 20)
    Membership.objects.create(user=colleague, agency=seal.owner.memberships.first().agency,
                              role="da_caseworker")
    from django.test import Client

    from tests.conftest import sign_in

    client = sign_in(Client(), colleague.memberships.first())
    assert client.get(f"/people/{person.pk}/").status_code == 404
    assert Notice.objects.filter(recipient=seal.owner).count() == before + 1
    named = client_for("caseworker").get(f"/people/{person.pk}/")
    assert named.status_code == 200


def test_a_restricted_record_is_left_out_of_lists(client_for):
    from django.test import Client

    from hearth.platform.models import Membership, User
    from tests.conftest import sign_in

    colleague = User.objects.create_user("newera.other2", "other2@example.invalid", "x" * 20)
    Membership.objects.create(user=colleague, agency=_restricted().owner_agency, role="da_caseworker")
    body = sign_in(Client(), colleague.memberships.first()).get("/people/?q=nowak").content.decode()
    assert "Agnieszka" not in body


def test_break_glass_needs_a_reason_and_alerts_the_dpo(client_for):
    client = client_for("police.officer")
    person = Person.objects.filter(owner_agency__slug="stoke-childrens").first()
    assert client.get(f"/people/{person.pk}/").status_code == 404
    url = reverse("people:person_break_glass", args=[person.pk])
    short = client.post(url, {"reason_category": "safeguarding_child", "reason": "need"})
    assert "Describe the emergency in a sentence" in short.content.decode()
    assert 'need</textarea>' in short.content.decode()  # what was typed is kept
    response = client.post(url, {"reason_category": "safeguarding_child",
                                 "reason": "Officer at the address now; children may be at risk."})
    assert response.status_code == 302
    assert client.get(f"/people/{person.pk}/").status_code == 200
    grant = BreakGlassGrant.objects.get(object_id=person.pk)
    assert (grant.expires_at - grant.starts_at).total_seconds() <= 24 * 3600
    assert Notice.objects.filter(recipient__username="police.dpo",
                                 subject="Break-glass access opened").exists()
    # The opening and every read under it name the grant and the reason's category; the
    # reason in words stays encrypted on the grant (audit rows are plain text and permanent).
    rows = AuditEvent.objects.filter(action=AuditAction.BREAK_GLASS, object_id=str(person.pk))
    assert rows.count() == 2
    assert all(row.reason == "break-glass: safeguarding_child" and row.detail["grant"] == grant.pk for row in rows)


def test_break_glass_does_not_open_a_restricted_record(client_for):
    client = client_for("police.officer")
    url = reverse("people:person_break_glass", args=[_restricted().pk])
    response = client.post(url, {"reason_category": "risk_to_life",
                                 "reason": "Caller says she is in danger at the address tonight."})
    assert response.status_code == 200
    assert "cannot be opened by break-glass" in response.content.decode()
    assert not BreakGlassGrant.objects.filter(object_id=_restricted().pk).exists()
    assert client.get(f"/people/{_restricted().pk}/").status_code == 404


def test_break_glass_does_not_show_a_sealed_address(client_for):
    from hearth.platform import context
    from hearth.platform.models import SealScope, User
    from hearth.platform.services import record_seal

    person = _mother()
    police = User.objects.get(username="police.officer")
    police.membership = police.memberships.first()
    with context.acting_as(police, police.membership):
        record_seal(actor=police, obj=person, scope=SealScope.SAFE_ADDRESS,
                    reason="Perpetrator is searching for her.", named_users=[])
    body = client_for("housing.officer").get(f"/people/{person.pk}/").content.decode()
    assert "Hartshill Road" not in body
    assert "Hartshill Road" in client_for("police.officer").get(f"/people/{person.pk}/").content.decode()


def test_perpetrator_services_never_see_contact_or_address_even_by_break_glass(client_for):
    assert client_for("perpetrator.worker").get(
        reverse("people:person_break_glass", args=[_mother().pk])).status_code == 403


def test_recording_a_person_makes_the_agency_its_owner(client_for):
    client = client_for("charity.worker")
    response = client.post("/people/new/", {"given_name": "Ioana", "family_name": "Zamfirescu",
                                            "date_of_birth": "2 4 1991", "phone": "07700 811222"})
    assert response.status_code == 302
    person = Person.objects.get(given_name="Ioana", family_name="Zamfirescu", phone__isnull=False,
                                date_of_birth__year=1991)
    assert person.owner_agency.slug == "alice-charity"
    assert client.get(response["Location"]).status_code == 200
    assert client_for("police.officer").get(response["Location"]).status_code == 404


def test_bad_person_input_is_explained_and_kept(client_for):
    response = client_for("police.officer").post("/people/new/", {
        "given_name": "", "family_name": "Okafor", "date_of_birth": "31 2 1990",
        "phone": "call me", "email": "not-an-email", "safe_address": "12 Some Street"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body
    assert "Enter a real date of birth" in body
    assert "Enter a phone number" in body
    assert 'value="Okafor"' in body and "12 Some Street" in body


def test_roles_that_do_not_record_people_cannot(client_for):
    assert client_for("school.lead").get("/people/new/").status_code == 403
    assert client_for("analyst").post("/people/new/", {"given_name": "A", "family_name": "B"}).status_code == 403


def test_long_lists_are_paged_keeping_the_search(client_for):
    body = client_for("police.officer").get("/people/?q=a&page=2").content.decode()
    assert "Page 2 of" in body
    assert "?q=a&amp;page=1" in body
