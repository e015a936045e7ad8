"""Self-referral from the public help site: into the service's inbox, safely; bad input and floods refused."""

from __future__ import annotations

import re
import secrets
import time

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from hearth.directory.models import Service
from hearth.notify.models import Notice
from hearth.people.models import Person
from hearth.platform.models import AuditAction, AuditEvent
from hearth.public import services as public_services
from hearth.public.models import HeldSelfReferral, SpentFormToken, SubmissionAttempt
from hearth.referrals.models import Referral, Source, Status

URL = "/contact-form/"


@pytest.fixture
def new_era(db):
    return Service.objects.get(agency__slug="new-era-victims")


def _started(seconds_ago: int = 60) -> str:
    # Each showing of the form has its own token (a token works once).
    return signing.dumps({"t": int(time.time()) - seconds_ago, "n": secrets.token_hex(8)},
                         salt=public_services.TOKEN_SALT)


def _answers(service, **overrides):
    data = {
        "service": service.number, "given_name": "Roksana", "family_name": "Begum",
        "date_of_birth": "4 7 1988", "postcode": "ST1 3EA", "how": "contact_me", "phone": "07700 900777",
        "ways": ["text"], "safe_times": "Weekdays 10am to 2pm", "needs": "He checks my phone every night.",
        "consent": "on", "website": "", "started": _started(),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _self_referrals():
    return Referral.objects.filter(source=Source.SELF_REFERRAL)


def test_a_self_referral_lands_in_the_services_inbox_with_its_safe_contact_rules(new_era):
    before = _self_referrals().count()
    response = Client().post(URL, _answers(new_era))
    assert response.status_code == 302 and response["Location"] == reverse("public:self_referral_sent")
    referral = _self_referrals().latest("pk")
    assert _self_referrals().count() == before + 1
    assert referral.to_agency.slug == "new-era-victims"
    assert referral.from_agency is None and referral.from_user is None
    assert referral.status == Status.SENT and referral.respond_by is not None
    assert referral.text_ok and not referral.safe_to_call and not referral.voicemail_ok and not referral.email_ok
    assert not referral.survivor_will_call
    assert referral.safe_times == "Weekdays 10am to 2pm"
    assert referral.lawful_basis == "consent"
    person = referral.person
    assert (person.given_name, person.family_name, person.phone) == ("Roksana", "Begum", "07700 900777")
    assert person.owner_agency == referral.to_agency
    assert AuditEvent.objects.filter(object_type="referrals.referral", object_id=str(referral.pk),
                                     action=AuditAction.CREATE, user_id__isnull=True).exists()
    # The caseworkers of the receiving agency are told, as for any referral.
    # Notice bodies are encrypted at rest: read them, not searched in SQL.
    assert any(f"referral {referral.pk}" in n.body for n in Notice.objects.filter(recipient__username="idva"))


def test_the_idva_sees_the_self_referral_in_new_eras_inbox(new_era, client_for):
    Client().post(URL, _answers(new_era))
    referral = _self_referrals().latest("pk")
    body = client_for("idva", "new-era-victims").get(reverse("referrals:inbox")).content.decode()
    assert f"Referral {referral.pk}" in body


def test_i_will_call_you_means_nobody_calls_texts_or_writes_first(new_era):
    Client().post(URL, _answers(new_era, how="i_will_call", phone="", ways=None))
    referral = _self_referrals().latest("pk")
    assert referral.survivor_will_call
    assert not (referral.text_ok or referral.safe_to_call or referral.voicemail_ok or referral.email_ok)
    assert referral.person.phone == ""


def test_a_person_the_service_already_knows_is_matched_not_duplicated(new_era):
    tariq = Person.objects.filter(given_name="Tariq", family_name="Hussain", owner_agency__slug="new-era-victims",
                                  date_of_birth__month=1, date_of_birth__day=23).first()
    count = Person.objects.count()
    Client().post(URL, _answers(new_era, given_name="Tariq", family_name="Hussain",
                                date_of_birth=f"23 1 {tariq.date_of_birth.year}", phone="07700 900119",
                                postcode="", needs="My son takes my wages."))
    referral = _self_referrals().latest("pk")
    assert referral.person == tariq
    assert Person.objects.count() == count


def test_a_match_to_another_agencys_record_is_never_joined_only_flagged(new_era):
    # Anyone can type a survivor's details into the public form: a join would let the receiver
    # see what the other agency's record knows. It is flagged for the receiver to check instead.
    held = next(p for p in Person.objects.exclude(owner_agency__slug="new-era-victims")
                .exclude(identity__records__owner_agency__slug="new-era-victims")
                .filter(date_of_birth__isnull=False).order_by("pk")[:200] if p.phone)  # phone is encrypted
    before = Person.objects.filter(identity_id=held.identity_id).count()
    dob = held.date_of_birth
    Client().post(URL, _answers(new_era, given_name=held.given_name, family_name=held.family_name,
                                date_of_birth=f"{dob.day} {dob.month} {dob.year}", phone=held.phone,
                                postcode=held.postcode))
    referral = _self_referrals().latest("pk")
    assert referral.person != held and referral.person.owner_agency.slug == "new-era-victims"
    assert referral.person.identity_id != held.identity_id
    assert Person.objects.filter(identity_id=held.identity_id).count() == before
    assert "possible match" in referral.events.get().note


def test_a_match_never_overwrites_the_services_record_with_what_a_visitor_typed(new_era):
    tariq = Person.objects.filter(given_name="Tariq", family_name="Hussain", owner_agency__slug="new-era-victims",
                                  date_of_birth__month=1, date_of_birth__day=23).first()
    Client().post(URL, _answers(new_era, given_name="Tariq", family_name="Hussain",
                                date_of_birth=f"23 1 {tariq.date_of_birth.year}", phone="07700 900119",
                                email="tariq.new@example.com", ways=["text", "email"], postcode=""))
    tariq.refresh_from_db()
    assert tariq.email == ""
    referral = _self_referrals().latest("pk")
    assert referral.person == tariq and "tariq.new@example.com" in referral.needs


def test_the_form_fields_have_no_autocomplete_and_the_honeypot_is_hidden(db):
    body = Client().get(URL).content.decode()
    assert '<form method="post" novalidate autocomplete="off">' in body
    for name in ("given_name", "family_name", "phone", "email", "postcode", "safe_times", "date_of_birth"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', body).group(0)
        assert 'autocomplete="off"' in tag, name
    assert '<div hidden aria-hidden="true">' in body


def test_the_confirmation_never_repeats_what_was_typed(new_era):
    response = Client().post(URL, _answers(new_era), follow=True)
    body = response.content.decode()
    assert "Request sent" in body
    for typed in ("Roksana", "Begum", "07700 900777", "checks my phone", "ST1 3EA", "Weekdays 10am"):
        assert typed not in body


@pytest.mark.parametrize("field", ["given_name", "family_name", "phone", "safe_times", "needs", "postcode"])
def test_script_injection_in_any_field_is_refused_plainly_and_nothing_is_stored(new_era, field):
    before, people = _self_referrals().count(), Person.objects.count()
    response = Client().post(URL, _answers(new_era, **{field: "<script>alert(1)</script>"}))
    body = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in body and "Remove the &lt; and &gt; characters." in body
    assert "<script>alert(1)</script>" not in body  # shown back escaped, never as markup
    assert _self_referrals().count() == before and Person.objects.count() == people


def test_a_bad_answer_keeps_what_was_typed(new_era):
    response = Client().post(URL, _answers(new_era, phone="call me maybe"))
    body = response.content.decode()
    assert "Enter a phone number, like 07700 900 982." in body
    assert 'value="Roksana"' in body and "He checks my phone every night." in body


def test_missing_answers_each_get_a_message(new_era):
    response = Client().post(URL, {"started": _started(), "website": ""})
    body = response.content.decode()
    for message in ("Choose who you would like help from.", "Enter your first name.", "Enter your last name.",
                    "Choose how we can contact you safely.", "Tick the box to agree"):
        assert message in body


def test_a_postcode_that_does_not_exist_gets_a_clear_message(new_era):
    before = _self_referrals().count()
    response = Client().post(URL, _answers(new_era, postcode="ST99 9ZZ"))
    assert "We cannot find that postcode. Check it, or leave it empty." in response.content.decode()
    assert _self_referrals().count() == before


def test_errors_come_in_the_visitors_language(new_era):
    response = Client().post("/pl" + URL, _answers(new_era, given_name="", postcode="ST99 9ZZ"))
    body = response.content.decode()
    assert "Wpisz swoje imię." in body
    assert "Nie możemy znaleźć tego kodu pocztowego." in body


def test_an_oversized_submission_is_refused_before_it_is_read(new_era):
    before = _self_referrals().count()
    response = Client().post(URL, _answers(new_era, needs="x" * 20000))
    assert response.status_code == 413
    assert "too long" in response.content.decode()
    assert _self_referrals().count() == before


def test_an_overlong_answer_within_the_size_limit_is_refused_with_a_message(new_era):
    response = Client().post(URL, _answers(new_era, needs="x" * 1500))
    assert "This answer is too long. Make it shorter." in response.content.decode()


def test_a_filled_honeypot_looks_sent_but_stores_nothing(new_era):
    before, people = _self_referrals().count(), Person.objects.count()
    response = Client().post(URL, _answers(new_era, website="http://spam.example"))
    assert response.status_code == 302
    assert _self_referrals().count() == before and Person.objects.count() == people
    assert AuditEvent.objects.filter(object_type="public.self_referral", outcome="deny",
                                     reason="honeypot filled").exists()


def test_a_forged_start_time_looks_sent_but_stores_nothing(new_era):
    before = _self_referrals().count()
    Client().post(URL, _answers(new_era, started="not-a-signed-value"))
    assert _self_referrals().count() == before


def test_a_form_sent_faster_than_a_person_could_is_asked_to_send_again(new_era):
    before = _self_referrals().count()
    response = Client().post(URL, _answers(new_era, started=_started(seconds_ago=1)))
    assert "Please check your answers, then press Send again." in response.content.decode()
    assert _self_referrals().count() == before


def test_a_flood_from_one_address_is_held_back_and_an_admin_told(new_era, settings):
    settings.HEARTH_SELF_REFERRAL_PER_ADDRESS_PER_HOUR = 2
    before = _self_referrals().count()
    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(5):
        assert client.post(URL, _answers(new_era)).status_code == 302
    assert _self_referrals().count() == before + 2
    held = HeldSelfReferral.objects.filter(reason="per_address")
    assert held.count() == 3
    # One notice to each partnership admin, not one per held submission.
    assert Notice.objects.filter(recipient__username="partnership.admin",
                                 subject="Self-referrals held back").count() == 1
    # Another address is not held back by this one's flood.
    Client(REMOTE_ADDR="203.0.113.10").post(URL, _answers(new_era))
    assert _self_referrals().count() == before + 3
    # The address itself is never stored.
    assert not SubmissionAttempt.objects.filter(client_key__contains="203.0.113").exists()


def test_the_overall_limit_holds_back_everything_beyond_it(new_era, settings):
    settings.HEARTH_SELF_REFERRAL_PER_HOUR = 1
    before = _self_referrals().count()
    for n in range(3):
        Client(REMOTE_ADDR=f"198.51.100.{n}").post(URL, _answers(new_era))
    assert _self_referrals().count() == before + 1
    assert HeldSelfReferral.objects.filter(reason="overall").count() == 2


def test_a_partnership_admin_releases_a_held_referral_into_the_inbox(new_era, settings, client_for):
    settings.HEARTH_SELF_REFERRAL_PER_HOUR = 0
    Client().post(URL, _answers(new_era, given_name="Zenobia"))
    held = HeldSelfReferral.objects.get()
    assert not _self_referrals().filter(person__given_name="Zenobia").exists()
    admin = client_for("partnership.admin")
    listing = admin.get(reverse("public_admin:held_list")).content.decode()
    assert "Zenobia" not in listing and "07700 900777" not in listing  # the admin never sees the answers
    response = admin.post(reverse("public_admin:held_decide", args=[held.pk]), {"decision": "release"})
    assert response.status_code == 302
    assert _self_referrals().filter(person__given_name="Zenobia").exists()
    held.refresh_from_db()
    assert held.released_at and held.answers == {}


def test_a_partnership_admin_deletes_a_held_flood(new_era, settings, client_for):
    settings.HEARTH_SELF_REFERRAL_PER_HOUR = 0
    Client().post(URL, _answers(new_era, given_name="Flood"))
    held = HeldSelfReferral.objects.get()
    client_for("partnership.admin").post(reverse("public_admin:held_decide", args=[held.pk]),
                                         {"decision": "discard"})
    held.refresh_from_db()
    assert held.discarded_at and held.answers == {}
    assert not _self_referrals().filter(person__given_name="Flood").exists()


def test_only_services_that_take_self_referrals_are_offered(db):
    body = Client().get(URL).content.decode()
    assert "New Era – victim services" in body
    assert "The Alice Charity" not in body  # not linked to an inbox for self-referrals


def test_a_service_that_does_not_take_self_referrals_cannot_be_chosen(db):
    alice = Service.objects.get(name__startswith="The Alice Charity")
    response = Client().post(URL, _answers(alice))
    assert "Choose who you would like help from." in response.content.decode()


def test_tariqs_demo_self_referral_is_in_new_eras_inbox_text_only_after_6pm(db):
    referral = _self_referrals().get(person__given_name="Tariq", person__family_name="Hussain",
                                     to_agency__slug="new-era-victims")
    assert referral.text_ok and not referral.safe_to_call and referral.safe_times == "After 6pm"
    assert Person.objects.filter(given_name="Tariq", family_name="Hussain", owner_agency__slug="new-era-victims",
                                 date_of_birth__month=1, date_of_birth__day=23).count() == 1


def test_each_route_opens_the_form_with_the_right_service_chosen(db):
    from urllib.parse import unquote

    victims = Service.objects.get(agency__slug="new-era-victims")
    behaviour = Service.objects.get(agency__slug="new-era-perpetrators")
    for page, service in (("/", victims), ("/is-this-happening-to-me/", victims),
                          ("/worried-about-your-behaviour/", behaviour)):
        body = Client().get(page).content.decode()
        link = re.search(r'href="/exit-this-page/\?next=([^"]+)"', body).group(1)
        form = Client().get(unquote(link)).content.decode()
        checked = re.search(r'<input type="radio" name="service" value="(\d+)"[^>]*checked', form)
        assert checked and int(checked.group(1)) == service.number, page


def test_a_start_token_works_once(new_era):
    before = _self_referrals().count()
    answers = _answers(new_era)
    first = Client().post(URL, answers)
    again = Client().post(URL, answers)  # a replay of the very same form, hours later or at once
    assert first.status_code == 302 and again.status_code == 302  # both look sent...
    assert _self_referrals().count() == before + 1  # ...but only the first reached an inbox
    assert AuditEvent.objects.filter(action=AuditAction.DENY, object_type="public.self_referral",
                                     reason="start token used before").exists()
    assert not SpentFormToken.objects.filter(key=answers["started"]).exists()  # only its keyed hash is kept
