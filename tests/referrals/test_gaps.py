"""Rules filled in after the first cut: what an agency offers, access from acceptance, contact
choices, senders without an agency or user, inbox filters, the alleged perpetrator."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from hearth.notify.models import Notice, OutboundMessage
from hearth.people.models import Person
from hearth.platform import access
from hearth.platform.models import Agency, Membership, User
from hearth.referrals import services
from hearth.referrals.models import Referral, ReferralEvent, Source, Status

from ..conftest import DemoLookup


def _mother():
    return Person.objects.get(given_name="Elizabeth", family_name="Walker")


def _new_era_referral():
    return Referral.objects.get(person=_mother(), to_agency__slug="new-era-victims")


def _as(username, slug=None):
    return DemoLookup().actor(username, slug)


def _form(**overrides):
    data = {
        "to_agency": Agency.objects.get(slug="potteries-refuge").pk,
        "reasons": ["safe_accommodation"], "urgency": "routine", "risk_level": "high",
        "shared_parts": ["identity", "risk_level", "contact"], "lawful_basis": "consent",
        "consent_taken_on": "1 11 2026", "idempotency_key": "gap-1",
    }
    data.update(overrides)
    return data


def test_a_referral_to_an_agency_that_does_not_offer_the_service_is_refused(client_for):
    response = client_for("police.officer").post(reverse("referrals:referral_new", args=[_mother().pk]), _form(
        to_agency=Agency.objects.get(slug="alice-charity").pk, reasons=["safe_accommodation"], needs="A bed",
        send_anyway="on"))
    body = response.content.decode()
    assert "govuk-error-summary" in body and "The Alice Charity does not offer safe accommodation" in body
    assert "A bed" in body  # what was typed is kept
    assert not Referral.objects.filter(to_agency__slug="alice-charity", reasons__icontains="safe_acc").exists()


def test_the_receiver_gets_contact_details_only_on_acceptance(client_for, demo):
    officer = client_for("police.officer")
    officer.post(reverse("referrals:referral_new", args=[_mother().pk]), _form())
    referral = Referral.objects.get(to_agency__slug="potteries-refuge", person=_mother())
    refuge = _as("refuge.worker")
    assert "contact" not in access.parts_for(refuge, _mother())
    assert "identity" in access.parts_for(refuge, _mother())
    services.referral_accept(actor=refuge, referral=referral, assigned_to=refuge)
    assert "contact" in access.parts_for(refuge, _mother())
    assert "07700 900431" in client_for("refuge.worker").get(f"/people/{_mother().pk}/").content.decode()


def test_i_will_call_you_means_no_text_even_when_texts_are_allowed(client_for, demo):
    referral = _new_era_referral()
    Referral.objects.filter(pk=referral.pk).update(survivor_will_call=True, text_ok=True)
    referral.refresh_from_db()
    before = OutboundMessage.objects.filter(to_survivor=True).count()
    idva = _as("idva", "new-era-victims")
    services.referral_accept(actor=idva, referral=referral, assigned_to=idva)
    assert OutboundMessage.objects.filter(to_survivor=True).count() == before


def test_texts_allowed_means_one_neutral_text_on_acceptance(demo):
    referral = _new_era_referral()
    assert referral.text_ok and not referral.survivor_will_call
    idva = _as("idva", "new-era-victims")
    services.referral_accept(actor=idva, referral=referral, assigned_to=idva)
    message = OutboundMessage.objects.filter(to_survivor=True).latest("pk")
    assert "Sadia" in message.body and "referral" not in message.body.lower()


def test_contact_choices_are_recorded_from_the_form(client_for):
    client_for("police.officer").post(reverse("referrals:referral_new", args=[_mother().pk]),
                                      _form(email_ok="on", survivor_will_call="on"))
    referral = Referral.objects.get(to_agency__slug="potteries-refuge", person=_mother())
    assert referral.email_ok and referral.survivor_will_call
    body = client_for("police.officer").get(reverse("referrals:referral_detail", args=[referral.pk])).content.decode()
    assert "They will make contact themselves" in body


def test_the_alleged_perpetrator_can_be_named_and_only_the_sender_sees_the_name(client_for):
    dean = Person.objects.get(given_name="Dean", family_name="Walker")
    officer = client_for("police.officer")
    page = officer.get(reverse("referrals:referral_new", args=[_mother().pk])).content.decode()
    assert f'value="{dean.pk}"' in page
    officer.post(reverse("referrals:referral_new", args=[_mother().pk]), _form(alleged_perpetrator=dean.pk))
    referral = Referral.objects.get(to_agency__slug="potteries-refuge", person=_mother())
    assert referral.alleged_perpetrator == dean
    assert "Dean Walker" in officer.get(reverse("referrals:referral_detail", args=[referral.pk])).content.decode()
    refuge_view = client_for("refuge.worker").get(reverse("referrals:referral_detail", args=[referral.pk]))
    assert "Dean" not in refuge_view.content.decode()


def test_a_perpetrator_the_sender_cannot_see_is_refused(demo):
    tariq = Person.objects.get(given_name="Tariq", family_name="Hussain")  # New Era's, not the police's
    with pytest.raises(ValidationError) as error:
        services.referral_create(actor=_as("police.officer"), request=services.ReferralRequest(
            person=_mother(), to_agency=Agency.objects.get(slug="potteries-refuge"), reasons=["safe_accommodation"],
            shared_parts=["identity"], lawful_basis="consent",
            consent_taken_on=timezone.localdate(), alleged_perpetrator=tariq))
    assert "alleged_perpetrator" in error.value.message_dict


def _self_referral(to_slug="new-era-victims") -> Referral:
    """A self-referral as the public help site leaves it: no sending agency, no sending user."""
    new_era = Agency.objects.get(slug=to_slug)
    tariq = Person.objects.get(given_name="Tariq", family_name="Hussain")
    referral = Referral.objects.create(
        source=Source.SELF_REFERRAL, to_agency=new_era, person=tariq, reasons=["specialist_support"],
        shared_parts=["identity", "contact"], lawful_basis="consent", consent_taken_on=timezone.localdate(),
        consent_taken_by_name="The person themselves", text_ok=True, safe_times="after 6pm",
        status=Status.SENT, sent_at=timezone.now(), respond_by=timezone.now() + datetime.timedelta(hours=8))
    ReferralEvent.objects.create(referral=referral, status=Status.SENT, note="From the public help site")
    return referral


def test_a_self_referral_shows_in_the_inbox_and_can_be_answered(client_for):
    referral = _self_referral()
    idva = client_for("idva", "new-era-victims")
    inbox = idva.get(reverse("referrals:inbox")).content.decode()
    assert "Self-referral (public help site)" in inbox
    detail = idva.get(reverse("referrals:referral_detail", args=[referral.pk])).content.decode()
    assert "From Self-referral (public help site)" in detail
    assert "The person themselves" in detail
    # Declining tells nobody by notice (there is no sending user) and does not fail.
    notices = Notice.objects.count()
    response = idva.post(reverse("referrals:referral_decline", args=[referral.pk]), {"reason": "Out of area."})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.DECLINED
    assert Notice.objects.count() == notices


def test_a_self_referral_can_be_redirected_and_has_no_sender_to_withdraw_it(client_for, demo):
    referral = _self_referral()
    idva = _as("idva", "new-era-victims")
    onward = services.referral_redirect(actor=idva, referral=referral, to_agency=Agency.objects.get(
        slug="potteries-refuge"), note="Refuge outreach covers his area.")
    assert onward.source == Source.SELF_REFERRAL and onward.from_agency is None
    assert onward.status == Status.SENT
    with pytest.raises(ValidationError):
        services.referral_withdraw(actor=_as("police.officer"), referral=onward, reason="x")


def test_overdue_escalation_names_a_self_referral_plainly(demo):
    referral = _self_referral()
    Referral.objects.filter(pk=referral.pk).update(respond_by=timezone.now() - datetime.timedelta(hours=1))
    services.referrals_escalate_overdue()
    notice = Notice.objects.filter(subject=f"Referral {referral.pk} is overdue").first()
    assert notice is not None and "Self-referral (public help site)" in notice.body


def test_a_partner_system_referral_is_labelled_with_its_agency(client_for):
    referral = _new_era_referral()
    Referral.objects.filter(pk=referral.pk).update(source=Source.PARTNER_API, from_user=None)
    body = client_for("idva", "new-era-victims").get(reverse("referrals:inbox")).content.decode()
    assert "Stoke North NPT Harm Reduction Hub (via partner system)" in body


def test_the_inbox_filters_by_urgency_and_reason_and_counts_follow(client_for):
    idva = client_for("idva", "new-era-victims")
    urgent = idva.get(reverse("referrals:inbox") + "?view=open&urgency=urgent").content.decode()
    routine = idva.get(reverse("referrals:inbox") + "?view=open&urgency=routine&reason=specialist_support")
    new_era = _new_era_referral()
    assert f"Referral {new_era.pk}<" in urgent
    assert f"Referral {new_era.pk}<" not in routine.content.decode()
    assert "Urgent" in urgent


def test_mine_and_team_views_follow_the_assigned_worker(client_for, demo):
    referral = _new_era_referral()
    caseworker = User.objects.get(username="caseworker")
    services.referral_accept(actor=_as("idva", "new-era-victims"), referral=referral, assigned_to=caseworker)
    mine = client_for("caseworker").get(reverse("referrals:inbox") + "?view=mine").content.decode()
    assert f"Referral {referral.pk}<" in mine
    # The IDVA is in another team of New Era: not theirs, not their team's.
    idva_team = client_for("idva", "new-era-victims").get(reverse("referrals:inbox") + "?view=team").content.decode()
    assert f"Referral {referral.pk}<" not in idva_team
    assert Membership.objects.get(user=caseworker).team.name == "Community outreach"


def test_a_child_is_never_shared_whole_when_no_child_part_was_chosen(demo):
    mia = Person.objects.get(given_name="Mia", family_name="Walker")
    referral = services.referral_create(actor=_as("police.officer"), request=services.ReferralRequest(
        person=_mother(), to_agency=Agency.objects.get(slug="potteries-refuge"),
        reasons=["safe_accommodation"], shared_parts=["household"], children=[mia], lawful_basis="consent",
        consent_taken_on=timezone.localdate()))
    assert referral.status == Status.SENT
    # An empty grant would mean "every part": the refuge must get nothing of Mia's record instead.
    assert access.parts_for(_as("refuge.worker"), mia) == frozenset()


def test_a_worker_is_reminded_once_of_an_accepted_referral_not_started(demo):
    from django.core.management import call_command

    referral = _new_era_referral()
    caseworker = User.objects.get(username="caseworker")
    services.referral_accept(actor=_as("idva", "new-era-victims"), referral=referral, assigned_to=caseworker)
    Referral.objects.filter(pk=referral.pk).update(decided_at=timezone.now() - datetime.timedelta(days=3))
    call_command("referrals_overdue")
    call_command("referrals_overdue")
    assert Notice.objects.filter(recipient=caseworker, subject=f"Referral {referral.pk} is waiting for you").count() == 1
    # Started work needs no reminder.
    assert services.referrals_remind_unstarted() == 0


def test_safe_contact_instructions_wait_for_acceptance_like_the_contact_details(client_for, demo):
    officer = client_for("police.officer")
    officer.post(reverse("referrals:referral_new", args=[_mother().pk]),
                 _form(safe_to_call="on", safe_times="Tuesdays after the school run", text_ok="on"))
    referral = Referral.objects.get(to_agency__slug="potteries-refuge", person=_mother())
    page = reverse("referrals:referral_detail", args=[referral.pk])
    assert "Tuesdays after the school run" in officer.get(page).content.decode()  # the sender sees them
    before = client_for("refuge.worker").get(page).content.decode()
    assert "Tuesdays after the school run" not in before and "Safe contact" not in before
    services.referral_accept(actor=_as("refuge.worker"), referral=referral, assigned_to=_as("refuge.worker"))
    assert "Tuesdays after the school run" in client_for("refuge.worker").get(page).content.decode()


def test_a_perpetrator_service_referral_keeps_no_safe_contact_instructions(demo):
    dean = Person.objects.get(given_name="Dean", family_name="Walker")
    referral = services.referral_create(actor=_as("police.officer"), request=services.ReferralRequest(
        person=dean, to_agency=Agency.objects.get(slug="new-era-perpetrators"),
        reasons=["behaviour_change"], shared_parts=["identity"], lawful_basis="crime_prevention",
        basis_reason="Reducing repeat harm.", safe_to_call=True, safe_times="Evenings after 7pm", text_ok=True,
        voicemail_ok=True, email_ok=True))
    assert (referral.safe_to_call, referral.safe_times, referral.text_ok, referral.voicemail_ok,
            referral.email_ok) == (False, "", False, False, False)
