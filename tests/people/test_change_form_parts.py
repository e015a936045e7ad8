"""The one rendering rule on change forms: a form shows (and changes) only the parts the reader
may see, and the read's audit row lists exactly the parts it showed (issue 11, finding 1)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

from hearth.people import services
from hearth.people.models import Person
from hearth.platform.models import AuditAction, AuditEvent, RecordSeal, SealScope, User


def _mother():
    return Person.objects.get(given_name="Elizabeth", family_name="Walker")


def _seal_address(person, *, named):
    seal = RecordSeal.objects.create(content_type=ContentType.objects.get_for_model(Person), object_id=person.pk,
                                     scope=SealScope.SAFE_ADDRESS, reason="Named worker only", owner=named)
    seal.named_users.set([named])
    return seal


def test_a_sealed_address_is_not_in_the_owning_agencys_change_form(client_for, demo):
    mother = _mother()
    officer = demo.user("police.officer")
    another = User.objects.exclude(pk=officer.pk).filter(memberships__agency__slug="stoke-north-hub").first()
    _seal_address(mother, named=another)
    client = client_for("police.officer")
    response = client.get(f"/people/{mother.pk}/change/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Hartshill Road" not in body
    assert 'name="safe_address"' not in body and 'name="postcode"' not in body
    read = AuditEvent.objects.filter(username="police.officer", object_id=str(mother.pk),
                                     action=AuditAction.VIEW).latest("id")
    assert "safe_address" not in read.detail["parts"]
    assert set(read.detail["parts"]) <= {"identity", "contact"}


def test_a_change_form_cannot_overwrite_a_sealed_address(client_for, demo):
    mother = _mother()
    before = mother.safe_address
    another = User.objects.exclude(username="police.officer").filter(
        memberships__agency__slug="stoke-north-hub").first()
    _seal_address(mother, named=another)
    response = client_for("police.officer").post(f"/people/{mother.pk}/change/", {
        "given_name": mother.given_name, "family_name": mother.family_name, "gender": mother.gender,
        "safe_address": "1 Overwritten Street"})
    assert response.status_code == 302
    mother.refresh_from_db()
    assert mother.safe_address == before


def test_a_role_without_the_address_part_does_not_see_it_in_its_own_records_change_form(client_for, demo):
    worker = demo.actor("charity.worker")
    person = services.person_create(actor=worker, given_name="Mirela", family_name="Dobre",
                                    safe_address="4 Quiet Mews, Fenton", postcode="ST4 3QQ", phone="07700 900777")
    body = client_for("charity.worker").get(f"/people/{person.pk}/change/").content.decode()
    assert "Quiet Mews" not in body and "ST4 3QQ" not in body
    assert 'name="given_name"' in body


def test_an_error_re_render_shows_no_hidden_part(client_for, demo):
    worker = demo.actor("charity.worker")
    person = services.person_create(actor=worker, given_name="Mirela", family_name="Dobre",
                                    safe_address="4 Quiet Mews, Fenton", postcode="ST4 3QQ")
    response = client_for("charity.worker").post(f"/people/{person.pk}/change/", {
        "given_name": "", "family_name": "Dobre", "date_of_birth": "31 2 1990"})
    body = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in body
    assert "Quiet Mews" not in body and "ST4 3QQ" not in body


def test_the_service_refuses_a_change_to_a_part_the_actor_may_not_see(demo):
    import pytest
    from django.core.exceptions import PermissionDenied

    worker = demo.actor("charity.worker")
    person = services.person_create(actor=worker, given_name="Mirela", family_name="Dobre",
                                    safe_address="4 Quiet Mews, Fenton")
    with pytest.raises(PermissionDenied):
        services.person_update(actor=worker, person=person, safe_address="4 Quiet Mews, Fenton")
    person.refresh_from_db()
    assert person.safe_address == "4 Quiet Mews, Fenton"


def test_a_form_with_a_field_of_no_declared_part_refuses_to_build():
    import pytest
    from django import forms

    from hearth.platform.forms import GovukForm, PartsFormMixin

    class Careless(PartsFormMixin, GovukForm):
        field_parts = {"name": "identity"}
        name = forms.CharField()
        address = forms.CharField()

    with pytest.raises(TypeError, match="address"):
        Careless(parts={"identity"})
