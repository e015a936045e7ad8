"""Match before create, identity links with undo, "not the same person", recognition."""

from __future__ import annotations

from django.urls import reverse

from hearth.people.models import Incident, NotSamePerson, Person
from hearth.platform.models import AuditAction, AuditEvent

NEW_LIZ = {"given_name": "Liz", "family_name": "Walker", "gender": "woman",
           "safe_address": "Room 4, 2 Lichfield Street, Hanley", "postcode": "ST1 3EA", "phone": ""}


def _mother():
    return Person.objects.get(given_name="Elizabeth", family_name="Walker")


def _liz_form():
    dob = _mother().date_of_birth
    return {**NEW_LIZ, "date_of_birth": f"{dob.day} {dob.month} {dob.year}"}


def test_a_nickname_and_new_address_still_finds_her(client_for):
    response = client_for("idva", "new-era-victims").post("/people/new/", _liz_form())
    body = response.content.decode()
    assert response.status_code == 200
    assert "Is this person already known?" in body
    candidates = response.context["candidates"]
    assert candidates[0].person_id == _mother().pk
    assert any("name" in reason for reason in candidates[0].reasons)
    # Her daughter and her sister share surname and an address: neither is offered.
    offered = {c.person_id for c in candidates}
    assert Person.objects.get(given_name="Mia", family_name="Walker").pk not in offered
    assert Person.objects.get(given_name="Jodie", family_name="Walker").pk not in offered
    assert AuditEvent.objects.filter(action=AuditAction.SEARCH, username="idva").exists()


def test_linking_joins_the_identity_without_copying_data(client_for):
    client = client_for("idva", "new-era-victims")
    response = client.post("/people/new/", {**_liz_form(), "decided": "1", "decision": str(_mother().pk)})
    assert response.status_code == 302
    new = Person.objects.get(given_name="Liz", family_name="Walker")
    assert new.identity_id == _mother().identity_id
    assert new.owner_agency.slug == "new-era-victims"
    assert new.phone == ""  # nothing copied from the police record


def test_choosing_nothing_is_an_error_that_keeps_what_was_typed(client_for):
    response = client_for("idva", "new-era-victims").post("/people/new/", {**_liz_form(), "decided": "1"})
    body = response.content.decode()
    assert "Choose a record to link to, or create a new record." in body
    assert 'value="Room 4, 2 Lichfield Street, Hanley"' in body


def test_a_link_to_a_record_not_offered_is_refused(client_for):
    jodie = Person.objects.get(given_name="Jodie", family_name="Walker")
    response = client_for("idva", "new-era-victims").post(
        "/people/new/", {**_liz_form(), "decided": "1", "decision": str(jodie.pk)})
    assert response.status_code == 200
    assert not Person.objects.filter(given_name="Liz").exists()


def test_records_the_user_cannot_open_show_no_details(client_for):
    response = client_for("charity.worker").post("/people/new/", {**_liz_form(), "given_name": "Elizabeth"})
    body = response.content.decode()
    candidates = response.context["candidates"]
    assert candidates  # the charity can see her (referral), so she shows with her name
    # A worker at an agency with no relationship sees only "held elsewhere".
    response = client_for("social.worker").post("/people/new/", _liz_form())
    body = response.content.decode()
    assert "A record with matching name and date of birth is held elsewhere" in body
    assert "Hartshill" not in body and "900431" not in body and "Elizabeth" not in body


def test_perpetrator_services_are_not_offered_survivors(client_for):
    response = client_for("perpetrator.worker").post("/people/new/", _liz_form())
    assert response.status_code == 302  # no candidates shown: a new record straight away
    assert Person.objects.filter(given_name="Liz", owner_agency__slug="new-era-perpetrators").exists()


def test_not_the_same_person_splits_a_link(client_for):
    idva = client_for("idva", "new-era-victims")
    idva.post("/people/new/", {**_liz_form(), "decided": "1", "decision": str(_mother().pk)})
    new = Person.objects.get(given_name="Liz", family_name="Walker")
    page = idva.get(f"/people/{new.pk}/").content.decode()
    assert "Other records of this person you can see" in page
    response = idva.post(reverse("people:person_not_same", args=[new.pk, _mother().pk]))
    assert response.status_code == 302
    new.refresh_from_db()
    assert new.identity_id != _mother().identity_id
    assert NotSamePerson.objects.filter(person_a=_mother(), person_b=new).exists()


def test_identity_link_service_can_be_undone(demo):
    from hearth.people import services
    from hearth.platform import context

    police = demo.user("police.officer")
    police.membership = demo.membership("police.officer")
    mother = _mother()
    jodie = Person.objects.get(given_name="Jodie", family_name="Walker")
    with context.acting_as(police, police.membership):
        merge = services.identity_link(actor=police, person=mother, other=jodie)
        jodie.refresh_from_db()
        assert jodie.identity_id == mother.identity_id
        services.identity_merge_undo(actor=police, merge=merge)
    jodie.refresh_from_db()
    assert jodie.identity_id != mother.identity_id
    assert AuditEvent.objects.filter(object_type="people.identitymerge", action=AuditAction.UPDATE).exists()


def test_repeat_victim_and_serial_perpetrator_are_recognised(client_for):
    body = client_for("police.officer").get(f"/people/{_mother().pk}/").content.decode()
    assert "Repeat victim" in body
    dean = Person.objects.get(given_name="Dean", family_name="Walker")
    assert "Serial perpetrator" in client_for("police.officer").get(f"/people/{dean.pk}/").content.decode()


def test_recognition_is_not_shown_to_roles_that_do_not_need_it(client_for):
    body = client_for("charity.worker").get(f"/people/{_mother().pk}/").content.decode()
    assert "Repeat victim" not in body and "Known to the partnership" not in body


def test_the_charity_sees_household_sizes_and_ages_not_childrens_names(client_for):
    body = client_for("charity.worker").get(f"/people/{_mother().pk}/").content.decode()
    assert "A child, aged 9" in body
    assert "Mia" not in body


def test_recording_an_incident_and_bad_input(client_for):
    client = client_for("police.officer")
    url = reverse("people:incident_create", args=[_mother().pk])
    bad = client.post(url, {"occurred_on": "31 13 2026", "summary": "He threw a cup."})
    body = bad.content.decode()
    assert "Enter a real date" in body and "Choose at least one kind of abuse" in body
    assert "He threw a cup." in body
    before = Incident.objects.count()
    ok = client.post(url, {"occurred_on": "1 11 2026", "abuse_types": ["coercive_controlling"],
                           "children_present": "on"})
    assert ok.status_code == 302
    assert Incident.objects.count() == before + 1


def test_only_the_owner_agency_changes_a_record_and_history_is_kept(client_for):
    mother = _mother()
    assert client_for("idva", "new-era-victims").get(reverse("people:person_edit", args=[mother.pk])).status_code == 403
    client = client_for("police.officer")
    data = {"given_name": "Elizabeth", "family_name": "Walker", "gender": "woman", "phone": "07700 900999",
            "postcode": "ST4 7NH"}
    assert client.post(reverse("people:person_edit", args=[mother.pk]), data).status_code == 302
    mother.refresh_from_db()
    assert mother.phone == "07700 900999"
    assert mother.history.first().previous["phone"] == "07700 900431"
