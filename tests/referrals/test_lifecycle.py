"""The referral lifecycle: consent, sending, accepting, declining, redirecting, completing, access."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from hearth.notify.models import Notice
from hearth.people.models import Person
from hearth.platform.models import Agency, AuditAction, AuditEvent
from hearth.referrals.models import Referral, Status


def _mother():
    return Person.objects.get(given_name="Elizabeth", family_name="Walker")


def _new_era_referral():
    return Referral.objects.get(person=_mother(), to_agency__slug="new-era-victims")


def _form(**overrides):
    data = {
        "to_agency": Agency.objects.get(slug="potteries-refuge").pk,
        "reasons": ["safe_accommodation"], "urgency": "urgent", "risk_level": "high",
        "shared_parts": ["identity", "risk_level", "household"], "lawful_basis": "consent",
        "consent_taken_on": "1 11 2026", "needs": "A refuge space for a mother and two children.",
        "idempotency_key": "k-1",
    }
    data.update(overrides)
    return data


def test_the_officer_refers_and_the_receiver_sees_it_in_its_inbox(client_for):
    officer = client_for("police.officer")
    response = officer.post(reverse("referrals:referral_new", args=[_mother().pk]), _form())
    assert response.status_code == 302
    referral = Referral.objects.get(to_agency__slug="potteries-refuge", person=_mother())
    assert referral.status == Status.SENT and referral.respond_by is not None
    refuge = client_for("refuge.worker")
    inbox = refuge.get(reverse("referrals:inbox")).content.decode()
    assert f"Referral {referral.pk}" in inbox
    page = refuge.get(reverse("referrals:referral_detail", args=[referral.pk]))
    assert page.status_code == 200
    referral.refresh_from_db()
    assert referral.status == Status.RECEIVED
    # Only the parts shared: no phone, no address.
    body = refuge.get(f"/people/{_mother().pk}/").content.decode()
    assert "07700 900431" not in body and "Hartshill" not in body


def test_a_double_submission_makes_one_referral(client_for):
    officer = client_for("police.officer")
    url = reverse("referrals:referral_new", args=[_mother().pk])
    officer.post(url, _form())
    officer.post(url, _form(send_anyway="on"))
    assert Referral.objects.filter(to_agency__slug="potteries-refuge", person=_mother()).count() == 1


def test_a_duplicate_open_referral_is_warned_about(client_for):
    officer = client_for("police.officer")
    response = officer.post(reverse("referrals:referral_new", args=[_mother().pk]),
                            _form(to_agency=Agency.objects.get(slug="new-era-victims").pk, idempotency_key="k-2",
                                  reasons=["specialist_support"]))
    assert response.status_code == 200
    assert "There is already an open referral" in response.content.decode()


def test_bad_input_is_explained_and_kept(client_for):
    response = client_for("police.officer").post(reverse("referrals:referral_new", args=[_mother().pk]), _form(
        lawful_basis="", consent_taken_on="", shared_parts=[], needs="Beds please"))
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert "Choose the lawful basis for sharing." in body
    assert "Choose what the receiving agency may see." in body
    assert "Beds please" in body
    assert not Referral.objects.filter(to_agency__slug="potteries-refuge", person=_mother()).exists()


def test_consent_in_the_future_and_missing_reasons_for_non_consent(client_for):
    client = client_for("police.officer")
    url = reverse("referrals:referral_new", args=[_mother().pk])
    future = (timezone.localdate() + datetime.timedelta(days=3)).strftime("%d %m %Y")
    assert "must be today or in the past" in client.post(url, _form(consent_taken_on=future)).content.decode()
    body = client.post(url, _form(lawful_basis="vital_interests", consent_taken_on="")).content.decode()
    assert "Explain why the information is shared without consent." in body


def test_a_sender_cannot_share_more_than_it_sees(client_for):
    charity = client_for("charity.worker")
    body = charity.post(reverse("referrals:referral_new", args=[_mother().pk]),
                        _form(shared_parts=["identity", "safe_address"])).content.decode()
    assert "govuk-error-summary" in body
    assert not Referral.objects.filter(to_agency__slug="potteries-refuge", person=_mother()).exists()


def test_a_referral_about_someone_the_sender_cannot_see_is_refused(client_for):
    tariq = Person.objects.get(given_name="Tariq", family_name="Hussain")  # New Era's
    response = client_for("police.officer").post(reverse("referrals:referral_new", args=[tariq.pk]), _form())
    assert response.status_code == 404


def test_the_perpetrator_service_only_takes_behaviour_change(client_for):
    body = client_for("police.officer").post(reverse("referrals:referral_new", args=[_mother().pk]), _form(
        to_agency=Agency.objects.get(slug="new-era-perpetrators").pk)).content.decode()
    assert "behaviour change" in body.lower()


def test_decline_ends_access_and_tells_the_sender(client_for):
    referral = _new_era_referral()
    idva = client_for("idva", "new-era-victims")
    bad = idva.post(reverse("referrals:referral_decline", args=[referral.pk]), {"reason": ""})
    assert bad.status_code == 400 and "Give the reason for declining" in bad.content.decode()
    ok = idva.post(reverse("referrals:referral_decline", args=[referral.pk]), {
        "reason": "No capacity in outreach this month.",
        "suggested_alternative": Agency.objects.get(slug="potteries-refuge").pk})
    assert ok.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.DECLINED
    # New Era had no other relationship with her: the record is gone from its view.
    assert idva.get(f"/people/{_mother().pk}/").status_code == 404
    detail = idva.get(reverse("referrals:referral_detail", args=[referral.pk])).content.decode()
    assert "no longer has access" in detail and "Hartshill" not in detail
    officer_view = client_for("police.officer").get(reverse("referrals:referral_detail", args=[referral.pk]))
    assert "No capacity in outreach this month." in officer_view.content.decode()
    assert "Potteries Refuge" in officer_view.content.decode()
    assert Notice.objects.filter(recipient__username="police.officer", subject__contains="declined").exists()


def test_accept_start_complete_and_the_sender_sees_each_step(client_for):
    referral = _new_era_referral()
    idva = client_for("idva", "new-era-victims")
    from hearth.platform.models import User

    worker = User.objects.get(username="caseworker")
    assert idva.post(reverse("referrals:referral_accept", args=[referral.pk]),
                     {"assigned_to": worker.pk}).status_code == 302
    assert idva.post(reverse("referrals:referral_start", args=[referral.pk])).status_code == 302
    assert idva.post(reverse("referrals:referral_complete", args=[referral.pk]),
                     {"outcome": "Safety planning done; case closed."}).status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.COMPLETED
    history = client_for("police.officer").get(reverse("referrals:referral_detail", args=[referral.pk]))
    body = history.content.decode()
    for step in ("Sent", "Accepted", "In progress", "Completed"):
        assert step in body
    # Access lasts through the lapse period after completion.
    assert idva.get(f"/people/{_mother().pk}/").status_code == 200


def test_redirect_passes_it_on_and_closes_the_first(client_for):
    referral = _new_era_referral()
    response = client_for("idva", "new-era-victims").post(
        reverse("referrals:referral_redirect", args=[referral.pk]),
        {"to_agency": Agency.objects.get(slug="potteries-refuge").pk, "note": "Refuge has space."})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.REDIRECTED
    new = Referral.objects.get(redirected_from=referral)
    assert new.to_agency.slug == "potteries-refuge" and new.status == Status.SENT


def test_the_sender_withdraws(client_for):
    referral = _new_era_referral()
    officer = client_for("police.officer")
    assert officer.post(reverse("referrals:referral_withdraw", args=[referral.pk]), {"reason": ""}).status_code == 400
    assert officer.post(reverse("referrals:referral_withdraw", args=[referral.pk]),
                        {"reason": "She has moved out of area."}).status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.WITHDRAWN
    assert client_for("idva", "new-era-victims").get(f"/people/{_mother().pk}/").status_code == 404


def test_an_agency_never_sees_a_referral_it_is_not_party_to(client_for):
    referral = _new_era_referral()
    assert client_for("charity.worker").get(reverse("referrals:referral_detail", args=[referral.pk])).status_code == 404
    assert AuditEvent.objects.filter(action=AuditAction.DENY, object_id=str(referral.pk),
                                     username="charity.worker").exists()


def test_the_receiver_cannot_act_on_a_referral_it_sent(client_for):
    referral = _new_era_referral()
    response = client_for("police.officer").post(reverse("referrals:referral_decline", args=[referral.pk]),
                                                 {"reason": "x"})
    assert response.status_code == 400
    referral.refresh_from_db()
    assert referral.status != Status.DECLINED


def test_overdue_referrals_are_escalated_once(demo):
    from hearth.referrals.services import referrals_escalate_overdue

    referral = _new_era_referral()
    Referral.objects.filter(pk=referral.pk).update(respond_by=timezone.now() - datetime.timedelta(hours=1))
    assert referrals_escalate_overdue() >= 1
    assert referrals_escalate_overdue() == 0
    assert Notice.objects.filter(subject=f"Referral {referral.pk} is overdue").exists()


def test_inbox_views_count_and_filter(client_for):
    body = client_for("idva", "new-era-victims").get(reverse("referrals:inbox") + "?view=overdue").content.decode()
    assert "Overdue (" in body and "New (" in body


def test_an_agency_admin_sets_response_targets(client_for):
    from hearth.referrals.models import ResponseTarget

    client = client_for("police.admin")
    bad = client.post(reverse("referrals:response_targets"), {"routine_hours": "0", "urgent_hours": "many"})
    body = bad.content.decode()
    assert "Enter between 1 and 80" in body or "Enter a whole number" in body
    assert 'value="many"' in body
    assert client.post(reverse("referrals:response_targets"),
                       {"routine_hours": "16", "urgent_hours": "2"}).status_code == 302
    assert ResponseTarget.objects.get(agency__slug="stoke-north-hub", urgency="urgent").hours == 2
