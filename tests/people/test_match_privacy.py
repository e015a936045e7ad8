"""Search before create reveals nothing the user did not type (issue 11, items 3 and 4).

A record the user cannot open is offered only as "a record with matching name and date of
birth is held elsewhere": no score, no id, no agency, and nothing on the page moves when that
record's address, postcode or phone change. Choosing it asks the holding agency to confirm a
link; until then nothing crosses. Repeated searches alert the data-protection officer.
"""

from __future__ import annotations

import json
import re

from django.urls import reverse

from hearth.notify.models import Notice
from hearth.people import services
from hearth.people.models import IdentityLinkRequest, LinkRequestStatus, Person
from hearth.platform import context, crypto
from hearth.platform.models import AuditAction, AuditEvent

from ..conftest import DemoLookup

NEW_LIZ = {"given_name": "Liz", "family_name": "Walker", "gender": "woman"}


def _mother():
    return Person.objects.get(given_name="Elizabeth", family_name="Walker")


def _typed(**extra):
    dob = _mother().date_of_birth
    return {**NEW_LIZ, "date_of_birth": f"{dob.day} {dob.month} {dob.year}", **extra}


def _typed_a_year_out(**extra):
    """Her name and birthday with the year mistyped: on their own a likely match, not a certain one."""
    dob = _mother().date_of_birth
    return {**NEW_LIZ, "date_of_birth": f"{dob.day} {dob.month} {dob.year + 1}", **extra}


def _move_mother(**fields):
    """The police (who hold her record) change her address, postcode or phone."""
    police = DemoLookup().actor("police.officer")
    context.current().user, context.current().membership = police, police.membership
    services.person_update(actor=police, person=_mother(), **fields)


def _page(response) -> str:
    """The page without what differs on every response anyway (CSRF token, CSP nonces)."""
    body = response.content.decode()
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken"', body)
    body = re.sub(r'nonce="[^"]*"', "", body)
    return re.sub(r'content="[A-Za-z0-9]{32,}"', "", body)


def _without_typed_contact(body: str) -> str:
    """The page without the typed phone, postcode and address it carries back to the next step."""
    return re.sub(r'<input type="hidden" name="(phone|postcode|safe_address)" value="[^"]*">', "", body)


# --- a record the user cannot open ------------------------------------------------------

def test_a_record_held_elsewhere_shows_no_score_no_id_and_no_agency(client_for):
    mother = _mother()
    response = client_for("social.worker").post("/people/new/", _typed(postcode=mother.postcode, phone=mother.phone))
    body = response.content.decode()
    assert "A record with matching name and date of birth is held elsewhere" in body
    radios = re.findall(r'<input[^>]*type="radio"[^>]*>', body)
    assert len(radios) == 2, radios
    assert not any(f'value="{mother.pk}"' in radio for radio in radios), "the radio must not carry the record's id"
    assert "% likely" not in body
    assert "Stoke North" not in body and "police" not in body.lower().split("</header>")[-1]
    held = [c for c in response.context["candidates"] if not c.visible]
    assert len(held) == 1 and held[0].probability is None and held[0].reasons == []
    assert held[0].choice != str(mother.pk) and held[0].choice.startswith("held-")


def test_the_page_does_not_change_when_the_hidden_record_moves(client_for):
    mother = _mother()
    client = client_for("social.worker")
    typed = _typed_a_year_out(postcode=mother.postcode, phone=mother.phone, safe_address=mother.safe_address)
    first = client.post("/people/new/", typed)
    assert [c for c in first.context["candidates"] if not c.visible]
    _move_mother(safe_address="Flat 9, 12 Etruria Road, Hanley", postcode="ST1 5NS", phone="07700 900111")
    second = client.post("/people/new/", typed)
    assert first.status_code == second.status_code == 200
    assert _page(first) == _page(second)


def test_a_wrong_postcode_and_phone_give_the_same_page_as_the_right_ones(client_for):
    mother = _mother()
    client = client_for("social.worker")
    right = client.post("/people/new/", _typed_a_year_out(postcode=mother.postcode, phone=mother.phone))
    wrong = client.post("/people/new/", _typed_a_year_out(postcode="ST6 1AA", phone="07700 900999"))
    assert _without_typed_contact(_page(right)) == _without_typed_contact(_page(wrong))


def test_a_hidden_record_is_offered_only_on_name_and_date_of_birth(demo):
    from hearth.people.selectors import match_candidates

    mother, social = _mother(), demo.actor("social.worker")
    context.current().user, context.current().membership = social, social.membership
    # The right phone, postcode and address do not make up for a date of birth not typed.
    typed = {**NEW_LIZ, "postcode": mother.postcode, "phone": mother.phone, "safe_address": mother.safe_address}
    assert not [c for c in match_candidates(actor=social, data=typed) if not c.visible]
    assert [c for c in match_candidates(actor=social, data={**NEW_LIZ, "date_of_birth": mother.date_of_birth})
            if not c.visible]


def test_a_visible_record_is_scored_only_on_the_parts_the_reader_may_see(client_for):
    # The charity sees the mother through a referral, but never her address.
    mother = _mother()
    client = client_for("charity.worker")
    typed = {**NEW_LIZ, "given_name": "Elizabeth", "postcode": mother.postcode, "safe_address": mother.safe_address}
    first = client.post("/people/new/", typed)
    top = first.context["candidates"][0]
    assert top.visible and top.person_id == mother.pk
    assert not any("address" in r or "postcode" in r for r in top.reasons)
    _move_mother(safe_address="Flat 9, 12 Etruria Road, Hanley", postcode="ST1 5NS")
    assert _page(first) == _page(client.post("/people/new/", typed))


def test_a_choice_not_offered_for_this_search_links_nothing(client_for):
    client = client_for("social.worker")
    held = [c for c in client.post("/people/new/", _typed()).context["candidates"] if not c.visible][0]
    # The token stands for that typed name only: with another spelling it is not a choice offered.
    response = client.post("/people/new/", {**_typed(given_name="Elizabeth"), "decided": "1",
                                            "decision": held.choice})
    assert response.status_code == 200
    assert not IdentityLinkRequest.objects.exists()
    # Nor is the record's id.
    response = client.post("/people/new/", {**_typed(), "decided": "1", "decision": str(_mother().pk)})
    assert response.status_code == 200 and not Person.objects.filter(given_name="Liz").exists()


# --- choosing it: a link request, and nothing crosses until it is confirmed ---------------

def _request_link(client_for):
    client = client_for("social.worker")
    held = [c for c in client.post("/people/new/", _typed()).context["candidates"] if not c.visible][0]
    response = client.post("/people/new/", {**_typed(), "decided": "1", "decision": held.choice})
    assert response.status_code == 302
    return client, Person.objects.get(given_name="Liz", family_name="Walker")


def test_choosing_a_record_held_elsewhere_asks_its_agency_and_links_nothing(client_for):
    client, new = _request_link(client_for)
    mother = _mother()
    assert new.identity_id != mother.identity_id
    request = IdentityLinkRequest.objects.get(new_record=new)
    assert request.target == mother and request.status == LinkRequestStatus.PENDING
    assert request.requesting_agency.slug == "stoke-childrens"
    page = client.get(f"/people/{new.pk}/").content.decode()
    assert "Also recorded by" not in page and "No other agency has a record of this person." in page
    # The police are told, naming only their own record.
    notice = Notice.objects.get(recipient__username="police.officer", subject="A request to link one of your records")
    assert f"Person {mother.pk}" in notice.body and "Liz" not in notice.body and f"{new.pk}" not in notice.body
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="people.identitylinkrequest").exists()


def _shared_level(person):
    from hearth.risk.selectors import shared_level

    return shared_level(Person.objects.get(pk=person.pk), frozenset({person.pk}), False)[0]


def test_until_confirmed_no_duplicate_check_and_no_shared_risk_level_cross(client_for, demo):
    from hearth.platform.models import Agency
    from hearth.referrals.services import duplicate_open_referral

    assert _shared_level(_mother()) is not None, "the police record carries a risk level"
    _, new = _request_link(client_for)
    assert _shared_level(new) is None
    new_era = Agency.objects.get(slug="new-era-victims")  # holds an open referral of the mother
    assert duplicate_open_referral(actor=demo.actor("social.worker"), person=new, to_agency=new_era) is None


def test_the_holding_agency_confirms_and_the_records_are_linked(client_for):
    client, new = _request_link(client_for)
    request = IdentityLinkRequest.objects.get(new_record=new)
    police = client_for("police.officer")
    listing = police.get(reverse("people:link_request_list")).content.decode()
    assert f"Person {_mother().pk}" in listing and "Stoke" in listing
    assert "Link request" in police.get(f"/people/{_mother().pk}/").content.decode()
    assert police.post(reverse("people:link_request_confirm", args=[request.pk])).status_code == 302
    request.refresh_from_db()
    new.refresh_from_db()
    assert request.status == LinkRequestStatus.CONFIRMED and request.decided_by.username == "police.officer"
    assert request.merge is not None and new.identity_id == _mother().identity_id
    assert "Also recorded by" in client.get(f"/people/{new.pk}/").content.decode()
    assert _shared_level(new) is not None  # with the holder's consent, the warning crosses
    assert Notice.objects.filter(recipient__username="social.worker", subject="Your link request was confirmed").exists()


def test_declining_needs_a_reason_and_keeps_the_records_apart(client_for):
    _, new = _request_link(client_for)
    request = IdentityLinkRequest.objects.get(new_record=new)
    police = client_for("police.officer")
    url = reverse("people:link_request_decline", args=[request.pk])
    assert police.get(url).status_code == 200
    refused = police.post(url, {"reason": "   "})
    assert refused.status_code == 200
    assert "Say why you are declining the link" in refused.content.decode()
    request.refresh_from_db()
    assert request.status == LinkRequestStatus.PENDING
    too_long = police.post(url, {"reason": "x" * 1001})
    assert "govuk-error-summary" in too_long.content.decode() and "x" * 1001 in too_long.content.decode()
    assert police.post(url, {"reason": "Not the same woman: different children."}).status_code == 302
    request.refresh_from_db()
    new.refresh_from_db()
    assert request.status == LinkRequestStatus.DECLINED and new.identity_id != _mother().identity_id
    notice = Notice.objects.get(recipient__username="social.worker", subject="Your link request was declined")
    assert "different children" not in notice.body


def test_a_request_is_decided_once(client_for):
    _, new = _request_link(client_for)
    request = IdentityLinkRequest.objects.get(new_record=new)
    police = client_for("police.officer")
    police.post(reverse("people:link_request_decline", args=[request.pk]), {"reason": "Different person."})
    response = police.post(reverse("people:link_request_confirm", args=[request.pk]), follow=True)
    assert "already declined" in response.content.decode()
    new.refresh_from_db()
    assert new.identity_id != _mother().identity_id


def test_only_the_holding_agency_may_answer(client_for):
    client, new = _request_link(client_for)
    request = IdentityLinkRequest.objects.get(new_record=new)
    assert client.post(reverse("people:link_request_confirm", args=[request.pk])).status_code == 404
    assert f"Person {_mother().pk}" not in client.get(reverse("people:link_request_list")).content.decode()
    request.refresh_from_db()
    assert request.status == LinkRequestStatus.PENDING


# --- probing ------------------------------------------------------------------------------

def test_each_search_is_audited_with_what_was_typed_encrypted(client_for):
    client_for("police.officer").post("/people/new/", _typed(postcode="ST4 7NH"))
    event = AuditEvent.objects.filter(action=AuditAction.SEARCH, username="police.officer",
                                      detail__has_key="match_search").latest("id")
    text = json.dumps(event.detail)
    assert "Walker" not in text and "ST4 7NH" not in text
    typed = json.loads(crypto.decrypt(event.detail["match_search"]))
    assert typed["family_name"] == "Walker" and typed["postcode"] == "ST4 7NH"


def test_many_searches_without_a_record_alert_the_dpo_once(client_for):
    client = client_for("police.officer")
    for n in range(12):
        client.post("/people/new/", _typed(postcode=f"ST4 {n}NH"))
    alerts = Notice.objects.filter(recipient__username="police.dpo", subject="Possible probing of the person search")
    assert alerts.count() == 1
    assert "Walker" not in alerts.get().body and "ST4" not in alerts.get().body
    assert AuditEvent.objects.filter(outcome="alert", detail__probing_alert=True, username="police.officer").count() == 1


def test_searches_that_end_in_a_record_raise_no_alert(client_for):
    client = client_for("police.officer")
    for n in range(9):
        client.post("/people/new/", _typed(postcode=f"ST4 {n}NH"))
    created = client.post("/people/new/", {**_typed(given_name="Zofia", family_name="Quennell-Abara")})
    assert created.status_code == 302  # nobody like her: recorded straight away
    client.post("/people/new/", _typed())
    assert not Notice.objects.filter(recipient__username="police.dpo",
                                     subject="Possible probing of the person search").exists()
