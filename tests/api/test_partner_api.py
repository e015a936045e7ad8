"""The partner API: tokens, scopes, creating a referral with the same rules, reading only one's own."""

from __future__ import annotations

import datetime
import json

import pytest
from django.test import Client
from django.utils import timezone

from hearth.people.models import Person
from hearth.platform.models import AuditAction, AuditEvent
from hearth.referrals.models import Referral, Source, Status

from .conftest import make_token

SEALED = ["07700 900431", "Hartshill", "Text only, weekdays"]


def _mother():
    return Person.objects.get(given_name="Elizabeth", family_name="Walker")


def _body(**overrides):
    body = {
        "to_agency": "potteries-refuge", "person_id": _mother().pk, "reasons": ["safe_accommodation"],
        "urgency": "urgent", "risk_level": "high", "shared_parts": ["identity", "risk_level"],
        "lawful_basis": "consent", "consent_taken_on": timezone.localdate().isoformat(),
        "consent_taken_by": "PC 4411 Shaw", "text_ok": True, "safe_times": "after 6pm",
    }
    body.update(overrides)
    return body


def _post(client, body, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post("/api/referrals/", json.dumps(body), content_type="application/json", **headers)


def test_a_partner_system_sends_a_referral_that_lands_in_the_inbox(partner):
    response = _post(partner, _body(), key="niche-0001")
    assert response.status_code == 201, response.content
    data = response.json()
    referral = Referral.objects.get(pk=data["id"])
    assert referral.source == Source.PARTNER_API and referral.from_user is None
    assert referral.from_agency.slug == "stoke-north-hub" and referral.status == Status.SENT
    assert referral.consent_taken_by_name == "PC 4411 Shaw" and referral.consent_taken_by is None
    assert data["to_agency"] == {"slug": "potteries-refuge", "name": "Potteries Refuge"}
    assert [step["status"] for step in data["history"]] == ["draft", "sent"]


def test_the_inbox_shows_it_came_via_the_partner_system(partner, client_for):
    _post(partner, _body(), key="niche-0002")
    inbox = client_for("refuge.worker").get("/referrals/").content.decode()
    assert "(via partner system)" in inbox


def test_a_retry_with_the_same_idempotency_key_makes_one_referral(partner):
    first = _post(partner, _body(), key="niche-0003")
    again = _post(partner, _body(), key="niche-0003")
    assert first.status_code == 201 and again.status_code == 200
    assert again["Idempotent-Replayed"] == "true" and again.json()["id"] == first.json()["id"]
    assert Referral.objects.filter(to_agency__slug="potteries-refuge", person=_mother()).count() == 1


def test_a_retry_that_creates_the_person_makes_one_person(partner):
    body = _body(person={"given_name": "Roxana", "family_name": "Dumitru", "date_of_birth": "1991-04-02"})
    del body["person_id"]
    assert _post(partner, body, key="niche-0004").status_code == 201
    assert _post(partner, body, key="niche-0004").status_code == 200
    assert Person.objects.filter(given_name="Roxana", family_name="Dumitru").count() == 1


def test_an_idempotency_key_reused_for_another_referral_is_refused(partner):
    _post(partner, _body(), key="niche-0005")
    other = _post(partner, _body(to_agency="alice-charity", reasons=["practical_items"]), key="niche-0005")
    assert other.status_code == 422  # issue 11: another body under a used key is refused as 422


def test_an_idempotency_key_reused_for_another_person_is_refused_not_replayed(partner):
    body = _body(person={"given_name": "Roxana", "family_name": "Dumitru", "date_of_birth": "1991-04-02"})
    del body["person_id"]
    first = _post(partner, body, key="niche-0006")
    assert first.status_code == 201
    body["person"] = {"given_name": "Teodora", "family_name": "Lungu", "date_of_birth": "1988-11-20"}
    again = _post(partner, body, key="niche-0006")
    assert again.status_code == 422
    assert str(first.json()["id"]) not in again.content.decode()
    assert not Person.objects.filter(given_name="Teodora", family_name="Lungu").exists()


def test_an_open_duplicate_is_refused_unless_asked_for(partner):
    body = _body(to_agency="alice-charity", reasons=["practical_items"])  # the demo's Alice referral is open
    response = _post(partner, body)
    assert response.status_code == 409 and response.json()["to_agency"] == "alice-charity"
    assert _post(partner, {**body, "allow_duplicate": True}).status_code == 201


@pytest.mark.parametrize("change,field", [
    ({"lawful_basis": None}, "lawful_basis"),
    ({"consent_taken_on": (timezone.localdate() + datetime.timedelta(days=2)).isoformat()}, "consent_taken_on"),
    ({"consent_taken_on": None}, "consent_taken_on"),
    ({"consent_taken_by": ""}, "consent_taken_by_name"),
    ({"lawful_basis": "vital_interests", "basis_reason": ""}, "basis_reason"),
    ({"to_agency": "alice-charity", "reasons": ["safe_accommodation"]}, "reasons"),
    ({"to_agency": "stoke-north-hub"}, "to_agency"),
    ({"to_agency": "stoke-south-npt"}, "to_agency"),
    ({"shared_parts": ["identity", "notes"]}, "shared_parts"),
    ({"person_id": None}, "person"),
])
def test_bad_input_is_explained_by_field_and_nothing_is_saved(partner, change, field):
    body = {k: v for k, v in {**_body(), **change}.items() if v is not None}
    before = (Referral.objects.count(), Person.objects.count())
    response = _post(partner, body)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert (Referral.objects.count(), Person.objects.count()) == before


def test_a_refused_referral_leaves_no_new_person_behind(partner):
    body = _body(person={"given_name": "Ewa", "family_name": "Nowicka"}, lawful_basis="public_task")
    del body["person_id"]
    assert _post(partner, body).status_code == 400  # no reason given for sharing without consent
    assert not Person.objects.filter(given_name="Ewa", family_name="Nowicka").exists()


def test_a_person_the_agency_cannot_see_is_refused_without_saying_they_exist(partner):
    tariq = Person.objects.get(given_name="Tariq", family_name="Hussain")  # New Era's record
    response = _post(partner, _body(person_id=tariq.pk))
    missing = _post(partner, _body(person_id=99999999))
    assert response.status_code == missing.status_code == 400
    assert response.json() == missing.json()


def test_a_partner_reads_its_own_referrals_and_never_sealed_values(partner):
    response = partner.get("/api/referrals/?limit=200")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] >= 4
    ids = {r["id"] for r in data["results"]}
    mine = set(Referral.objects.filter(from_agency__slug="stoke-north-hub").exclude(status="draft")
               .values_list("pk", flat=True)[:100])
    assert ids <= mine
    body = response.content.decode()
    for value in SEALED + ["Elizabeth", "Walker", "beds"]:
        assert value not in body


def test_a_partner_sees_the_decision_on_its_referral(partner, client_for):
    new_era = Referral.objects.get(person=_mother(), to_agency__slug="new-era-victims")
    client_for("idva", "new-era-victims").post(f"/referrals/{new_era.pk}/decline/", {
        "reason": "No capacity in outreach this month."})
    data = partner.get(f"/api/referrals/{new_era.pk}/").json()
    assert data["status"] == "declined" and data["decline_reason"] == "No capacity in outreach this month."


def test_another_agencys_referral_is_not_found_and_the_refusal_is_audited(db):
    charity = make_token("alice-charity", name="Charity CRM")
    police_referral = Referral.objects.filter(from_agency__slug="stoke-north-hub").first()
    client = Client(HTTP_AUTHORIZATION=f"Bearer {charity.raw}")
    assert client.get(f"/api/referrals/{police_referral.pk}/").status_code == 404
    assert AuditEvent.objects.filter(action=AuditAction.DENY, object_id=str(police_referral.pk),
                                     username=charity.token.membership.user.username).exists()
    listed = {r["id"] for r in client.get("/api/referrals/?limit=100").json()["results"]}
    assert police_referral.pk not in listed


def test_a_received_referral_is_not_the_receivers_to_read_through_the_api(db):
    charity = make_token("alice-charity", name="Charity CRM")
    received = Referral.objects.get(person=_mother(), to_agency__slug="alice-charity")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {charity.raw}")
    assert client.get(f"/api/referrals/{received.pk}/").status_code == 404


def test_every_call_is_audited_as_the_partner_system(partner, police_token):
    account = police_token.token.membership.user.username
    partner.get("/api/referrals/")
    _post(partner, _body(), key="niche-0006")
    actions = set(AuditEvent.objects.filter(username=account).values_list("action", flat=True))
    assert {AuditAction.LIST, AuditAction.CREATE} <= actions


@pytest.mark.parametrize("headers", [{}, {"HTTP_AUTHORIZATION": "Bearer hearth_0000_nope"},
                                     {"HTTP_AUTHORIZATION": "Basic dXNlcjpwYXNz"},
                                     {"HTTP_AUTHORIZATION": "Bearer"}])
def test_no_token_or_a_bad_one_gets_401_never_a_redirect_or_data(db, headers):
    client = Client(**headers)
    for method, url in (("get", "/api/referrals/"), ("post", "/api/referrals/"), ("get", "/api/referrals/1/")):
        response = getattr(client, method)(url)
        assert response.status_code == 401, (method, url, response.status_code)
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert "results" not in response.json()


def test_a_signed_in_browser_session_opens_nothing_in_the_api(client_for):
    assert client_for("police.officer").get("/api/referrals/").status_code == 401


def test_a_token_without_the_scope_is_refused(db):
    reader = make_token(scopes=["referrals:read"], name="Dashboard")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {reader.raw}")
    assert client.get("/api/referrals/").status_code == 200
    assert _post(client, _body()).status_code == 403


def test_a_revoked_token_stops_working_at_once(partner, police_token):
    from hearth.api.services import token_revoke

    assert partner.get("/api/referrals/").status_code == 200
    token_revoke(actor=None, token=police_token.token)
    assert partner.get("/api/referrals/").status_code == 401


def test_only_a_hash_of_the_token_is_stored(police_token):
    from hearth.api.models import ApiToken

    row = ApiToken.objects.get(pk=police_token.token.pk)
    assert police_token.raw not in json.dumps([row.token_hash, row.prefix, row.name])
    assert len(row.token_hash) == 64


def test_floods_without_a_token_are_refused_with_retry_after(db, settings):
    settings.HEARTH_API_ANON_RATE = "3/min"
    client = Client()
    statuses = [client.get("/api/referrals/").status_code for _ in range(5)]
    assert statuses[:3] == [401, 401, 401] and statuses[3:] == [429, 429]
    assert "Retry-After" in client.get("/api/referrals/")


def test_the_partner_account_cannot_sign_in_and_gets_no_notices(police_token):
    from hearth.notify.models import Notice

    account = police_token.token.membership.user
    assert not account.has_usable_password()
    assert not Notice.objects.filter(recipient=account).exists()


def test_the_schema_is_an_openapi_3_document(db):
    response = Client().get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {"/api/referrals/", "/api/referrals/{api_referral_id}/"}
    assert schema["components"]["securitySchemes"]["agencyToken"]["scheme"] == "bearer"


def test_refusals_are_audited_although_the_refused_referral_is_undone(partner):
    # The referral and its rows are rolled back; the audit of the refusal must survive that.
    tariq = Person.objects.get(given_name="Tariq", family_name="Hussain")  # New Era's record
    assert _post(partner, _body(person_id=tariq.pk)).status_code == 400
    assert AuditEvent.objects.filter(action=AuditAction.DENY, object_type="people.person",
                                     object_id=str(tariq.pk)).exists()
    duplicate = _post(partner, _body(to_agency="alice-charity", reasons=["practical_items"]))
    assert duplicate.status_code == 409
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, outcome="deny", object_type="referrals.referral",
                                     detail__duplicate_of__isnull=False).exists()
