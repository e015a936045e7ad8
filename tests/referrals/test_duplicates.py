"""Duplicate checks within what the sender may see (issue 11, item 4).

The sender is warned only of open referrals its own agency sent or received; another agency's
referral of the same person is the receiver's to spot, shown to it as a possible duplicate.
"""

from __future__ import annotations

import json

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hearth.people.models import Person
from hearth.platform import context
from hearth.platform.models import Agency
from hearth.referrals import services
from hearth.referrals.models import Referral

from ..api.conftest import make_token
from ..conftest import DemoLookup


def _mother():
    return Person.objects.get(given_name="Elizabeth", family_name="Walker")


def _police_referral_to_new_era():
    return Referral.objects.get(person=_mother(), to_agency__slug="new-era-victims")


def _charity_refers_to_new_era(client_for):
    return client_for("charity.worker").post(reverse("referrals:referral_new", args=[_mother().pk]), {
        "to_agency": Agency.objects.get(slug="new-era-victims").pk, "reasons": ["specialist_support"],
        "urgency": "routine", "risk_level": "high", "shared_parts": ["identity"], "lawful_basis": "consent",
        "consent_taken_on": "1 11 2026", "needs": "Support from an IDVA.", "idempotency_key": "dup-1"})


def test_the_sender_is_not_told_of_another_agencys_referral(client_for):
    police_referral = _police_referral_to_new_era()
    assert police_referral.is_open and police_referral.from_agency.slug == "stoke-north-hub"
    response = _charity_refers_to_new_era(client_for)
    assert response.status_code == 302, "no warning naming the police's referral to New Era"
    assert "There is already an open referral" not in response.content.decode()
    assert Referral.objects.filter(from_agency__slug="alice-charity", to_agency__slug="new-era-victims",
                                   person=_mother()).exists()


def test_the_receiver_sees_the_possible_duplicate_on_the_referral_and_in_its_inbox(client_for):
    police_referral = _police_referral_to_new_era()
    sent = _charity_refers_to_new_era(client_for)
    charity_referral = Referral.objects.get(pk=sent["Location"].strip("/").split("/")[-1])
    idva = client_for("idva", "new-era-victims")
    page = idva.get(reverse("referrals:referral_detail", args=[charity_referral.pk])).content.decode()
    assert f"Possible duplicate of <a class=\"govuk-link\" href=\"/referrals/{police_referral.pk}/\">" \
           f"referral {police_referral.pk}</a>" in page
    inbox = idva.get(reverse("referrals:inbox") + "?view=open").content.decode()
    assert f"Possible duplicate of referral {police_referral.pk}" in inbox
    # The senders see no such line: neither may see the other's referral.
    sender_page = client_for("charity.worker").get(
        reverse("referrals:referral_detail", args=[charity_referral.pk])).content.decode()
    assert "Possible duplicate" not in sender_page and f"referral {police_referral.pk}" not in sender_page


def test_the_partner_api_does_not_refuse_for_another_agencys_referral(db):
    charity = DemoLookup().actor("charity.worker")
    context.current().user, context.current().membership = charity, charity.membership
    theirs = services.referral_create(actor=charity, request=services.ReferralRequest(
        person=_mother(), to_agency=Agency.objects.get(slug="potteries-refuge"),
        reasons=["safe_accommodation"], shared_parts=["identity"],
        lawful_basis="vital_interests", basis_reason="Danger to life"))
    context.current().user = context.current().membership = None
    partner = Client(HTTP_AUTHORIZATION=f"Bearer {make_token().raw}")
    body = {"person_id": _mother().pk, "to_agency": "potteries-refuge", "reasons": ["safe_accommodation"],
            "shared_parts": ["identity", "risk_level"], "lawful_basis": "consent",
            "consent_taken_on": timezone.localdate().isoformat(), "consent_taken_by": "PC 4411 Shaw"}
    response = partner.post("/api/referrals/", json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    text = response.content.decode()
    assert "duplicate" not in text.lower() and f"/{theirs.pk}/" not in text
    # Its own open referral is still refused as a duplicate.
    again = partner.post("/api/referrals/", json.dumps(body), content_type="application/json")
    assert again.status_code == 409
