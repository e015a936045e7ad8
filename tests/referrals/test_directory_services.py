"""Referring to a service in the directory: a service of an agency on Hearth goes to that
agency's inbox with the service named; any other service is refused with its contact route."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from hearth.directory.models import Service
from hearth.directory.models import Status as ServiceStatus
from hearth.notify.models import Notice
from hearth.people.models import Person
from hearth.platform.models import Agency
from hearth.referrals import services
from hearth.referrals.models import Referral, Status

from ..conftest import DemoLookup


def _mother():
    return Person.objects.get(given_name="Elizabeth", family_name="Walker")


def _as(username, slug=None):
    return DemoLookup().actor(username, slug)


def _service(name_start: str) -> Service:
    return Service.objects.get(name__startswith=name_start)


def _alice_service() -> Service:
    """The demo's Alice Charity entry, linked here to the charity's Hearth agency."""
    service = _service("The Alice Charity")
    service.agency = Agency.objects.get(slug="alice-charity")
    service.save()
    return service


def _form(**overrides):
    data = {
        "to_agency": "", "reasons": ["practical_items"], "urgency": "routine", "risk_level": "high",
        "shared_parts": ["identity", "risk_level"], "lawful_basis": "consent", "consent_taken_on": "1 11 2026",
        "idempotency_key": uuid.uuid4().hex, "needs": "Two beds and a cooker", "send_anyway": "on",
    }
    data.update(overrides)
    return data


def _url():
    return reverse("referrals:referral_new", args=[_mother().pk])


def test_a_service_of_an_onboarded_agency_becomes_a_referral_to_that_agency_with_the_service_named(client_for):
    service = _alice_service()
    response = client_for("police.officer").post(_url(), _form(to_service=service.pk))
    referral = Referral.objects.get(to_service=service)
    assert response.status_code == 302 and referral.to_agency.slug == "alice-charity"
    assert referral.status == Status.SENT
    label = "The Alice Charity – family support (The Alice Charity)"
    assert referral.receiver_label == label
    detail = client_for("police.officer").get(reverse("referrals:referral_detail", args=[referral.pk]))
    assert label in detail.content.decode()
    assert label in client_for("police.officer").get(reverse("referrals:sent")).content.decode()
    inbox = client_for("charity.worker").get(reverse("referrals:inbox") + "?view=open").content.decode()
    assert label in inbox


def test_the_receiving_inbox_is_told_which_service_was_chosen(client_for):
    service = _alice_service()
    client_for("police.officer").post(_url(), _form(to_service=service.pk))
    referral = Referral.objects.get(to_service=service)
    # Notice bodies are encrypted at rest: read them, not searched in SQL.
    assert any(f"referral {referral.pk} for {service.name}" in n.body for n in Notice.objects.all())


def test_a_service_not_on_hearth_is_refused_with_its_contact_route(client_for):
    helpline = _service("Men's Advice Line")
    assert helpline.agency is None
    before = Referral.objects.count()
    response = client_for("police.officer").post(_url(), _form(to_service=helpline.pk, reasons=["specialist_support"]))
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert "Men&#x27;s Advice Line does not take referrals through Hearth" in body
    assert "phone 0808 8010 327 (Free)" in body and "website https://mensadviceline.org.uk/" in body
    assert "Two beds and a cooker" in body  # what was typed is kept
    assert Referral.objects.count() == before


def test_a_service_of_an_agency_not_yet_onboarded_is_refused_with_its_contact_route(demo):
    police = _service("Staffordshire Police")
    police.agency = Agency.objects.get(slug="stoke-south-npt")
    police.save()
    with pytest.raises(ValidationError) as refused:
        services.agency_for_service(to_service=police)
    assert "does not take referrals through Hearth" in str(refused.value)
    assert "phone 999 (Emergency. Silent call: press 55)" in str(refused.value)


def test_an_unknown_service_is_refused_and_nothing_is_saved(client_for):
    before = Referral.objects.count()
    body = client_for("police.officer").post(_url(), _form(to_service=uuid.uuid4())).content.decode()
    assert "govuk-error-summary" in body and "Choose a service that is open in the directory" in body
    assert Referral.objects.count() == before


@pytest.mark.parametrize("status", [ServiceStatus.DEFUNCT, ServiceStatus.INACTIVE])
def test_an_inactive_or_defunct_service_cannot_be_chosen(client_for, status):
    service = _alice_service()
    Service.objects.filter(pk=service.pk).update(status=status)
    body = client_for("police.officer").post(_url(), _form(to_service=service.pk)).content.decode()
    assert "govuk-error-summary" in body and "Choose a service that is open in the directory" in body
    assert not Referral.objects.filter(to_service=service).exists()


def test_a_temporarily_closed_service_is_refused_by_the_service_layer(client_for):
    service = _alice_service()
    Service.objects.filter(pk=service.pk).update(status=ServiceStatus.TEMPORARILY_CLOSED)
    body = client_for("police.officer").post(_url(), _form(to_service=service.pk)).content.decode()
    assert "is temporarily closed in the directory" in body
    assert not Referral.objects.filter(to_service=service).exists()


def test_naming_both_an_agency_and_a_service_or_neither_is_refused(client_for):
    officer = client_for("police.officer")
    both = officer.post(_url(), _form(to_agency=Agency.objects.get(slug="alice-charity").pk,
                                      to_service=_alice_service().pk)).content.decode()
    assert "Choose an agency or a service from the directory, not both" in both
    neither = officer.post(_url(), _form()).content.decode()
    assert "Choose the agency or service to refer to" in neither
    assert not Referral.objects.filter(to_service__isnull=False).exists()


def test_what_an_agency_offers_still_applies_through_its_service(client_for):
    body = client_for("police.officer").post(_url(), _form(to_service=_alice_service().pk,
                                                           reasons=["safe_accommodation"])).content.decode()
    assert "The Alice Charity does not offer safe accommodation" in body


def test_the_perpetrator_service_wall_still_applies_through_its_service(client_for):
    service = _service("New Era – perpetrator services")
    assert service.agency.slug == "new-era-perpetrators"
    body = client_for("police.officer").post(_url(), _form(to_service=service.pk,
                                                           reasons=["specialist_support"])).content.decode()
    assert "A perpetrator service only takes behaviour change referrals" in body
    assert not Referral.objects.filter(to_service=service).exists()


def test_a_service_of_ones_own_agency_is_refused(demo):
    service = _alice_service()
    charity = _as("charity.worker")
    with pytest.raises(ValidationError) as refused:
        services.referral_create(actor=charity, request=services.ReferralRequest(
            person=Person.objects.visible_to(charity).first(), to_service=service, reasons=["practical_items"],
            shared_parts=["identity"], lawful_basis="vital_interests", basis_reason="Danger to life"))
    assert "you cannot refer to your own" in str(refused.value.message_dict["to_service"])


def test_a_duplicate_open_referral_to_the_services_agency_is_warned_about(client_for):
    service = _service("New Era – victim services")
    assert Referral.objects.filter(person=_mother(), to_agency=service.agency, status__in=["sent", "received"])
    body = client_for("police.officer").post(_url(), _form(to_service=service.pk, reasons=["specialist_support"],
                                                           send_anyway="")).content.decode()
    assert "There is already an open referral of this person to New Era" in body
    assert not Referral.objects.filter(to_service=service).exists()


def test_a_redirected_service_referral_goes_to_the_new_agency_without_the_service(demo):
    service = _alice_service()
    officer = _as("police.officer")
    referral = services.referral_create(actor=officer, request=services.ReferralRequest(
        person=_mother(), to_service=service, reasons=["practical_items"], shared_parts=["identity"],
        lawful_basis="vital_interests", basis_reason="Fled with nothing"))
    onward = services.referral_redirect(actor=_as("charity.worker"), referral=referral,
                                        to_agency=Agency.objects.get(slug="stoke-housing"), note="")
    assert onward.to_service is None and onward.receiver_label == onward.to_agency.name


def test_the_form_says_which_services_are_not_on_hearth(client_for):
    _alice_service()
    body = client_for("police.officer").get(_url()).content.decode()
    assert "The Alice Charity – family support (The Alice Charity)" in body
    assert "Men&#x27;s Advice Line (not on Hearth)" in body
