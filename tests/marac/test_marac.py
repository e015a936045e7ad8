"""MARAC criteria on dated examples, the repeat rule, meetings, research returns and actions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from hearth.marac import criteria, services
from hearth.marac.models import MaracAction, MaracCase, MaracMeeting, MaracReferral, ResearchReturn
from hearth.people import services as people_services
from hearth.people.models import Person
from hearth.platform import context
from hearth.platform.models import Agency
from hearth.risk import services as risk_services
from hearth.risk.models import RiskToolVersion

from ..conftest import person_create_linked

D0 = date(2025, 3, 1)


def _as(demo, username, slug=None):
    user = demo.actor(username, slug)
    return user, user.membership


def _new_pair(police):
    victim = people_services.person_create(actor=police, given_name="Ioana", family_name="Stan", gender="woman")
    abuser = people_services.person_create(actor=police, given_name="Mihai", family_name="Stan", gender="man")
    return victim, abuser


def _incident(police, victim, abuser, on, reference="SP-1"):
    return people_services.incident_record(actor=police, occurred_on=on, abuse_types=["violent_threatening"],
                                           involvements=[(victim, "victim"), (abuser, "alleged_perpetrator")],
                                           police_reference=reference)


def _met(person, on):
    return {r.code for r in criteria.evaluate(person, on=on) if r.met}


def _assess(police, person, yes, on, **extra):
    dash = RiskToolVersion.objects.get(tool__slug="safelives-dash", is_current=True)
    answers = {q["id"]: "yes" if i < yes else "no" for i, q in enumerate(dash.questions)}
    draft = risk_services.assessment_save_draft(actor=police, person=person, tool_version=dash, mode="with_survivor",
                                                assessed_on=on, answers=answers, **extra)
    return risk_services.assessment_submit(actor=police, assessment=draft)


def test_a_score_of_14_is_visible_high_risk_and_13_is_not(police):
    victim, _ = _new_pair(police)
    _assess(police, victim, 13, D0)
    assert "visible_high_risk" not in _met(victim, D0)
    _assess(police, victim, 14, D0 + timedelta(days=1))
    result = next(r for r in criteria.evaluate(victim, on=D0 + timedelta(days=1)) if r.code == "visible_high_risk")
    assert result.met and "score 14 on 2 March 2025 (14 or more)" in result.reason


def test_raised_judgement_is_the_professional_judgement_criterion(police):
    victim, _ = _new_pair(police)
    _assess(police, victim, 6, D0, judgement_level="high", judgement_reason="Threats with a knife.")
    assert _met(victim, D0) == {"professional_judgement"}


def test_three_police_callouts_in_12_months_is_potential_escalation(police):
    victim, abuser = _new_pair(police)
    for days in (300, 100):
        _incident(police, victim, abuser, D0 - timedelta(days=days))
    assert "potential_escalation" not in _met(victim, D0)
    _incident(police, victim, abuser, D0 - timedelta(days=10))
    assert "potential_escalation" in _met(victim, D0)
    # A year later the first has dropped out of the window.
    assert "potential_escalation" not in _met(victim, D0 + timedelta(days=66))


def test_callouts_are_counted_across_linked_records_of_the_same_person(police, demo):
    victim, abuser = _new_pair(police)
    for days in (200, 100):
        _incident(police, victim, abuser, D0 - timedelta(days=days))
    idva, membership = _as(demo, "idva", "new-era-victims")
    with context.acting_as(idva, membership):
        other = person_create_linked(actor=idva, link_to=victim, given_name="Ioana", family_name="Stan")
        # Recorded by New Era from the police log: a call-out all the same.
        people_services.incident_record(actor=idva, occurred_on=D0 - timedelta(days=5), abuse_types=["economic"],
                                        involvements=[(other, "victim")], police_reference="SP-9")
    assert "potential_escalation" in _met(victim, D0)


@pytest.mark.parametrize("escalation_setting", [5])
def test_the_escalation_threshold_is_the_partnerships_setting(police, settings, escalation_setting):
    settings.HEARTH_MARAC_ESCALATION_CALLOUTS = escalation_setting
    victim, abuser = _new_pair(police)
    for days in (90, 60, 30):
        _incident(police, victim, abuser, D0 - timedelta(days=days))
    assert "potential_escalation" not in _met(victim, D0)


def test_a_new_incident_with_the_same_perpetrator_within_12_months_of_referral_is_a_repeat(police):
    victim, abuser = _new_pair(police)
    _incident(police, victim, abuser, D0 - timedelta(days=3))
    _assess(police, victim, 15, D0 - timedelta(days=2))
    services.marac_referral_create(actor=police, person=victim, perpetrator=abuser, referred_on=D0)
    assert "repeat" not in _met(victim, D0 + timedelta(days=30))
    _incident(police, victim, abuser, D0 + timedelta(days=120))
    result = next(r for r in criteria.evaluate(victim, on=D0 + timedelta(days=121)) if r.code == "repeat")
    assert result.met and "within 365 days of the MARAC referral of 1 March 2025" in result.reason
    assert criteria.prompt(victim, on=D0 + timedelta(days=121)).shows
    second = services.marac_referral_create(actor=police, person=victim, perpetrator=abuser,
                                            referred_on=D0 + timedelta(days=125))
    assert second.is_repeat and "repeat" in second.criteria


def test_an_incident_after_the_12_month_window_or_with_someone_else_is_not_a_repeat(police):
    victim, abuser = _new_pair(police)
    stranger = people_services.person_create(actor=police, given_name="Lee", family_name="Barlow")
    services.marac_referral_create(actor=police, person=victim, perpetrator=abuser, referred_on=D0,
                                   judgement_reason="Escalating control.")
    _incident(police, victim, stranger, D0 + timedelta(days=60))
    _incident(police, victim, abuser, D0 + timedelta(days=400))
    assert "repeat" not in _met(victim, D0 + timedelta(days=401))


def test_a_referral_with_no_criterion_and_no_judgement_is_refused(police):
    victim, _ = _new_pair(police)
    with pytest.raises(ValidationError, match="No MARAC criterion is met"):
        services.marac_referral_create(actor=police, person=victim)
    assert not MaracReferral.objects.filter(person=victim).exists()


def test_the_demo_prompt_names_its_reason_and_the_new_incident_is_a_repeat(client_for):
    mother = Person.objects.get(given_name="Elizabeth", family_name="Walker")
    body = client_for("police.officer").get(reverse("risk:person_risk", args=[mother.pk])).content.decode()
    assert "This case meets the MARAC referral criteria again" in body
    assert "Repeat MARAC" in body and "Dash risk checklist score 15" in body


def test_listing_gives_attending_agencies_a_relationship_ending_12_months_after_the_meeting(db):
    case = MaracCase.objects.get(referral__person__given_name="Elizabeth")
    grants = services.grants_for_case(case)
    slugs = set(grants.values_list("agency__slug", flat=True))
    assert {"stoke-north-hub", "stoke-housing", "stoke-childrens", "new-era-victims", "stoke-marac"} <= slugs
    assert "new-era-perpetrators" not in slugs and "alice-charity" not in slugs
    assert {g.ends_at.date() for g in grants} == {case.meeting.held_on + timedelta(days=365)}


def test_research_returns_are_seen_by_attending_agencies_only(client_for):
    case = MaracCase.objects.get(referral__person__given_name="Elizabeth")
    url = reverse("marac:case_detail", args=[case.pk])
    housing = client_for("housing.officer").get(url).content.decode()
    assert "previous conviction for assault" in housing and ResearchReturn.objects.filter(case=case).count() == 3
    for username in ("charity.worker", "perpetrator.worker", "school.lead"):
        response = client_for(username).get(url)
        assert response.status_code in (403, 404)
        assert "previous conviction" not in response.content.decode()


def test_an_action_without_owner_or_date_is_refused_and_keeps_what_was_typed(client_for):
    case = MaracCase.objects.get(referral__person__given_name="Elizabeth")
    before = MaracAction.objects.count()
    response = client_for("marac.coordinator").post(reverse("marac:action_new", args=[case.pk]),
                                                    {"description": "Refer the children to play therapy."})
    body = response.content.decode()
    assert "Choose the agency that owns this action." in body and "Name the person who owns this action." in body
    assert "Enter the date it is due." in body and "Refer the children to play therapy." in body
    assert MaracAction.objects.count() == before


def test_a_meeting_with_no_cases_cannot_publish_its_agenda_or_be_minuted(demo):
    user, membership = _as(demo, "marac.coordinator")
    with context.acting_as(user, membership):
        meeting = services.meeting_create(actor=user, held_on=date.today() + timedelta(days=7), chair="Chair",
                                          agencies=[Agency.objects.get(slug="stoke-north-hub")])
        with pytest.raises(ValidationError, match="List at least one case"):
            services.meeting_publish_agenda(actor=user, meeting=meeting)
        with pytest.raises(ValidationError, match="no cases"):
            services.meeting_minute(actor=user, meeting=meeting, minute="x", case_minutes={})
    meeting.refresh_from_db()
    assert meeting.status == "planned" and MaracMeeting.objects.filter(pk=meeting.pk).exists()


def test_only_the_owning_agency_closes_an_action_and_closing_needs_a_note(client_for):
    action = MaracAction.objects.get(owner_agency__slug="stoke-childrens", case__referral__person__given_name="Elizabeth")
    url = reverse("marac:action_update", args=[action.pk])
    assert client_for("housing.officer").post(url, {"status": "closed", "note": "x"}).status_code == 403
    social = client_for("social.worker")
    assert "Say what was done" in social.post(url, {"status": "closed"}).content.decode()
    assert social.post(url, {"status": "closed", "note": "Assessment shared."}).status_code == 302
    action.refresh_from_db()
    assert action.status == "closed"


def test_the_coordinator_sees_overdue_actions_volume_and_the_repeat_rate(client_for):
    body = client_for("marac.coordinator").get(reverse("marac:dashboard")).content.decode()
    assert "recommended 416 a year" in body and "against the national 31%" in body
    assert "Imran Qureshi" in body  # the children's services action is overdue
    assert "Possible repeats" in body and "new incident on" in body


def test_a_reported_dash_score_of_16_without_answers_is_visible_high_risk(police):
    victim, _ = _new_pair(police)
    risk_services.reported_risk_record(actor=police, person=victim, kind="dash_score", dash_score=16,
                                       reported_on=D0, source_agency="Staffordshire Police")
    result = next(r for r in criteria.evaluate(victim, on=D0) if r.code == "visible_high_risk")
    assert result.met and "Dash score 16 reported by Staffordshire Police" in result.reason
    assert "answers not shared" in result.reason


def test_a_dash_score_out_of_range_is_refused(police):
    victim, _ = _new_pair(police)
    with pytest.raises(ValidationError, match="0 to 27"):
        risk_services.reported_risk_record(actor=police, person=victim, kind="dash_score", dash_score=40,
                                           reported_on=D0, source_agency="Staffordshire Police")


def _listed_with_housing_invited(police, demo, victim, abuser):
    """A police referral listed at a meeting in a fortnight that housing is invited to."""
    referral = services.marac_referral_create(actor=police, person=victim, perpetrator=abuser, referred_on=D0)
    coordinator, membership = _as(demo, "marac.coordinator")
    with context.acting_as(coordinator, membership):
        meeting = services.meeting_create(actor=coordinator, held_on=date.today() + timedelta(days=14), chair="Chair",
                                          agencies=[Agency.objects.get(slug="stoke-housing")])
        case = services.meeting_case_add(actor=coordinator, meeting=meeting, referral=referral)
    return coordinator, membership, meeting, case


def test_invited_agencies_see_a_listed_case_only_once_the_agenda_is_published(police, demo, client_for):
    # ACCESS.md: an attending agency's MARAC relationship runs from the agenda's publication.
    victim, abuser = _new_pair(police)
    _assess(police, victim, 15, D0)
    coordinator, membership, meeting, case = _listed_with_housing_invited(police, demo, victim, abuser)
    housing = demo.membership("housing.officer").agency
    assert not services.grants_for_case(case).filter(agency=housing).exists()
    client = client_for("housing.officer")
    assert client.get(reverse("marac:case_detail", args=[case.pk])).status_code == 404
    assert "Ioana" not in client.get(reverse("marac:meeting_detail", args=[meeting.pk])).content.decode()
    assert client.get(reverse("risk:person_risk", args=[victim.pk])).status_code == 404
    with context.acting_as(coordinator, membership):
        services.meeting_publish_agenda(actor=coordinator, meeting=meeting)
    assert client.get(reverse("marac:case_detail", args=[case.pk])).status_code == 200
    grant = services.grants_for_case(case).get(agency=housing)
    assert grant.ends_at.date() == meeting.held_on + timedelta(days=365)


def test_a_case_shows_no_answers_or_words_from_another_agencys_linked_record(police, demo, client_for):
    # Linking a record shares the level as a warning, never another agency's answers (ACCESS.md).
    victim, abuser = _new_pair(police)
    _assess(police, victim, 15, D0, fears_most="He will find the new flat")
    *_, case = _listed_with_housing_invited(police, demo, victim, abuser)
    idva, idva_membership = _as(demo, "idva", "new-era-victims")
    with context.acting_as(idva, idva_membership):
        other = person_create_linked(actor=idva, link_to=victim, given_name="Ioana", family_name="Stan")
        _assess(idva, other, 20, D0 + timedelta(days=3), fears_most="Words told only to New Era")
    page = client_for("marac.coordinator").get(reverse("marac:case_detail", args=[case.pk])).content.decode()
    assert "He will find the new flat" in page and "(15 yes)" in page
    assert "Words told only to New Era" not in page and "(20 yes)" not in page
    assert "From a linked record" in page
