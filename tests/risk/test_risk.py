"""Risk checklists as versioned data, drafts and revisions, access to answers and plans, schools."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from hearth.people.models import Person
from hearth.platform import context
from hearth.risk import services
from hearth.risk.models import Assessment, AssessmentStatus, RiskToolVersion, SafetyPlanVersion, SchoolNotification
from hearth.risk.tools import engine


def _mother():
    return Person.objects.get(given_name="Elizabeth", family_name="Walker")


def _as(demo, username, slug=None):
    user = demo.actor(username, slug)
    return user, user.membership


def _dash():
    return RiskToolVersion.objects.get(tool__slug="safelives-dash", is_current=True)


def _answers(yes: int, version=None) -> dict:
    questions = (version or _dash()).questions
    return {q["id"]: "yes" if i < yes else "no" for i, q in enumerate(questions)}


def test_shipped_tools_are_data_with_24_and_27_questions(db):
    assert len(_dash().questions) == 24
    assert len(RiskToolVersion.objects.get(tool__slug="police-dash", is_current=True).questions) == 27
    assert _dash().wording == "hearth"


@pytest.mark.parametrize(("yes", "level"), [(0, "standard"), (9, "standard"), (10, "medium"), (13, "medium"),
                                             (14, "high"), (24, "high")])
def test_scoring_counts_yes_answers_against_the_thresholds(yes, level, db):
    scored = engine.score(_dash().definition, _answers(yes))
    assert scored.complete and scored.score == yes and scored.level == level


def test_an_incomplete_checklist_is_never_scored(db):
    answers = _answers(20)
    del answers["strangulation"]
    scored = engine.score(_dash().definition, answers)
    assert not scored.complete and scored.score is None and scored.missing == ["strangulation"]


def test_submitting_an_incomplete_checklist_keeps_it_as_an_unscored_draft(client_for):
    mother = _mother()
    client = client_for("police.officer")
    data = {"tool_version": _dash().pk, "mode": "with_survivor", "assessed_on": "1 11 2026", "action": "submit",
            "fears_most": "That he comes back."}
    data.update({f"q_{k}": v for k, v in list(_answers(15).items())[:20]})
    response = client.post(reverse("risk:assessment_new", args=[mother.pk]), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body and "The checklist is not complete: answer questions 21, 22, 23, 24" in body
    assert 'That he comes back.' in body  # what was typed is kept
    draft = Assessment.objects.filter(person=mother, status=AssessmentStatus.DRAFT).latest("pk")
    assert draft.score is None and draft.level == "" and len(draft.answers) == 20


def test_judgement_may_raise_the_level_but_never_lower_it(demo):
    police, membership = _as(demo, "police.officer")
    with context.acting_as(police, membership):
        low = services.assessment_save_draft(actor=police, person=_mother(), tool_version=_dash(), mode="practitioner",
                                             assessed_on=date.today(), answers=_answers(5), judgement_level="high",
                                             judgement_reason="Strangulation disclosed to a neighbour.")
        services.assessment_submit(actor=police, assessment=low)
        assert (low.score, low.score_level, low.level) == (5, "standard", "high")
        high = services.assessment_save_draft(actor=police, person=_mother(), tool_version=_dash(),
                                              mode="with_survivor", assessed_on=date.today(), answers=_answers(16),
                                              judgement_level="medium", judgement_reason="Seems calmer.")
        with pytest.raises(ValidationError, match="never lower"):
            services.assessment_submit(actor=police, assessment=high)


def test_changing_submitted_answers_makes_a_new_version_and_keeps_the_old(demo):
    police, membership = _as(demo, "police.officer")
    original = Assessment.objects.get(person=_mother(), status=AssessmentStatus.SUBMITTED)
    with context.acting_as(police, membership):
        with pytest.raises(ValidationError, match="new version"):
            services.assessment_save_draft(actor=police, person=_mother(), tool_version=original.tool_version,
                                           mode="with_survivor", assessed_on=date.today(), answers=_answers(3),
                                           draft=original)
        revision = services.assessment_save_draft(actor=police, person=_mother(), tool_version=original.tool_version,
                                                  mode="with_survivor", assessed_on=date.today(),
                                                  answers=_answers(17), revises=original)
        services.assessment_submit(actor=police, assessment=revision)
    original.refresh_from_db()
    assert original.score == 15 and original.is_superseded
    assert revision.score == 17 and revision.revises_id == original.pk


def test_the_demo_dash_scores_15_and_answers_are_stored_encrypted(db):
    from django.db import connection

    assessment = Assessment.objects.get(person=_mother(), status=AssessmentStatus.SUBMITTED)
    assert assessment.score == 15 and assessment.level == "high"
    with connection.cursor() as cursor:
        cursor.execute("SELECT answers, fears_most FROM risk_assessment WHERE id = %s", [assessment.pk])
        raw_answers, raw_fears = cursor.fetchone()
    assert "yes" not in raw_answers and "children" not in raw_fears


def test_old_assessments_keep_their_version_when_licensed_wording_is_imported(tmp_path, db):
    old = Assessment.objects.get(person=_mother(), status=AssessmentStatus.SUBMITTED)
    wording = {"version_label": "Licensed 2026", "questions": {q["id"]: f"Official {q['id']}?" for q in _dash().questions}}
    path = tmp_path / "licensed.json"
    path.write_text(json.dumps(wording))
    call_command("risk_tool_import", "safelives-dash", str(path))
    current = _dash()
    assert current.number == 2 and current.wording == "licensed"
    assert current.questions[0]["text"] == "Official injury?"
    old.refresh_from_db()
    assert old.tool_version.number == 1


def test_licensed_wording_missing_a_question_is_refused(tmp_path, db):
    from django.core.management.base import CommandError

    path = tmp_path / "short.json"
    path.write_text(json.dumps({"questions": {"injury": "x"}}))
    with pytest.raises(CommandError, match="no wording for"):
        call_command("risk_tool_import", "safelives-dash", str(path))
    assert _dash().number == 1


def test_a_charity_worker_sees_the_level_but_never_the_answers(client_for):
    assessment = Assessment.objects.get(person=_mother(), status=AssessmentStatus.SUBMITTED)
    client = client_for("charity.worker")
    body = client.get(reverse("risk:person_risk", args=[_mother().pk])).content.decode()
    assert "High" in body
    detail = client.get(reverse("risk:assessment_detail", args=[assessment.pk])).content.decode()
    assert "own words are not shown to you." in detail
    assert "takes the children" not in detail
    assert client.get(reverse("risk:assessment_new", args=[_mother().pk])).status_code == 403


def test_a_perpetrator_service_never_sees_a_safety_plan(client_for):
    client = client_for("perpetrator.worker")
    for name in ("risk:safety_plan", "risk:safety_plan_print", "risk:person_risk", "risk:child"):
        response = client.get(reverse(name, args=[_mother().pk]))
        assert response.status_code in (403, 404)
        assert "My plan" not in response.content.decode()


def test_the_allocated_idva_reads_the_plan_and_its_print_does_not_name_abuse(client_for):
    client = client_for("idva", "new-era-victims")
    plan = client.get(reverse("risk:safety_plan", args=[_mother().pk])).content.decode()
    assert "Did you feed" in plan
    printed = client.get(reverse("risk:safety_plan_print", args=[_mother().pk])).content.decode()
    title = printed.split("<title>")[1].split("</title>")[0]
    assert "My plan" in title and "abuse" not in title.lower() and "safety" not in title.lower()


def test_an_empty_safety_plan_is_refused_and_nothing_is_saved(client_for):
    before = SafetyPlanVersion.objects.count()
    response = client_for("idva", "new-era-victims").post(
        reverse("risk:safety_plan_change", args=[_mother().pk]), {"review_on": "1 1 2020"})
    body = response.content.decode()
    assert "Write at least one section of the plan." in body and "Enter a review date today or later." in body
    assert SafetyPlanVersion.objects.count() == before


def test_a_school_lead_sees_only_their_own_pupils_notifications_and_acknowledges(client_for):
    client = client_for("school.lead")
    body = client.get(reverse("risk:school_inbox")).content.decode()
    assert "Mia Walker" in body and "Leo Walker" in body
    assert "Hartshill" not in body and "Dean" not in body and "High" not in body
    pending = SchoolNotification.objects.filter(acknowledged_at__isnull=True).first()
    assert client.post(reverse("risk:school_acknowledge", args=[pending.pk])).status_code == 302
    pending.refresh_from_db()
    assert pending.acknowledged_by.username == "school.lead"
    assert client.get(f"/people/{pending.child_id}/").status_code == 404


def test_a_school_is_not_told_twice_about_the_same_incident(demo):
    police, membership = _as(demo, "police.officer")
    sent = SchoolNotification.objects.first()
    with context.acting_as(police, membership), pytest.raises(ValidationError, match="already been told"):
        services.school_notify(actor=police, child=sent.child, incident=sent.incident)


def test_allocation_is_refused_for_someone_not_at_high_risk(demo):
    idva, membership = _as(demo, "idva", "new-era-victims")
    tariq = Person.objects.get(given_name="Tariq", family_name="Hussain")
    with context.acting_as(idva, membership), pytest.raises(ValidationError, match="high risk"):
        services.allocation_create(actor=idva, person=tariq, worker_membership=membership)


def test_the_caseload_lists_the_idvas_high_risk_survivors(client_for):
    body = client_for("idva", "new-era-victims").get(reverse("risk:caseload")).content.decode()
    assert "Sadia Akhtar" in body and "Elizabeth Walker" in body


def test_a_police_dara_grade_is_accepted_and_shown_as_reported(demo, client_for):
    client = client_for("idva", "new-era-victims")
    response = client.post(reverse("risk:reported_new", args=[_mother().pk]), {
        "kind": "dara_grade", "dara_grade": "high", "reported_on": "2 11 2026", "source_agency": "Staffordshire Police"})
    assert response.status_code == 302
    body = client.get(reverse("risk:person_risk", args=[_mother().pk])).content.decode()
    assert "DARA grade high reported by Staffordshire Police" in body


def test_the_trend_shows_each_score_against_the_last(demo):
    police, membership = _as(demo, "police.officer")
    with context.acting_as(police, membership):
        later = services.assessment_save_draft(actor=police, person=_mother(), tool_version=_dash(),
                                               mode="with_survivor", assessed_on=date.today() - timedelta(days=1),
                                               answers=_answers(11))
        services.assessment_submit(actor=police, assessment=later)
        from hearth.risk.selectors import risk_summary

        summary = risk_summary(actor=police, person_id=_mother().pk)
    assert [a.change for a in summary.trend] == ["First assessment", "Down 4"]


def test_the_person_page_links_to_risk_pages_only_for_roles_that_use_them(client_for):
    dean = Person.objects.get(given_name="Dean", family_name="Walker")
    police = client_for("police.officer").get(f"/people/{_mother().pk}/").content.decode()
    assert reverse("risk:person_risk", args=[_mother().pk]) in police
    perpetrator = client_for("perpetrator.worker").get(f"/people/{dean.pk}/").content.decode()
    assert "/risk/" not in perpetrator


def test_home_offers_the_school_lead_their_notifications(client_for):
    assert reverse("risk:school_inbox") in client_for("school.lead").get(reverse("platform:home")).content.decode()
    assert reverse("marac:dashboard") in client_for("marac.coordinator").get(reverse("platform:home")).content.decode()


def test_ending_an_allocation_ends_the_relationship_it_gave(client_for):
    from hearth.risk.models import Allocation

    allocation = Allocation.objects.get(person=_mother(), ended_on__isnull=True)
    client = client_for("idva", "new-era-victims")
    assert client.post(reverse("risk:allocation_end", args=[allocation.pk])).status_code == 302
    allocation.refresh_from_db()
    assert allocation.ended_on == date.today()
    # New Era still attends her MARAC case (level and answers), but the plan was the allocation's.
    assert client.get(reverse("risk:safety_plan", args=[_mother().pk])).status_code == 403
    # Another agency cannot end it (it is not theirs to see): a 404.
    assert client_for("caseworker").post(reverse("risk:allocation_end", args=[allocation.pk])).status_code == 404


def test_a_restricted_survivor_is_left_off_the_caseload_of_colleagues_not_named(demo, client_for):
    # A restricted record shows nothing to anyone not named on it: not even a name in a list.
    from django.contrib.contenttypes.models import ContentType

    from hearth.platform.models import RecordSeal, SealScope

    seal = RecordSeal.objects.create(content_type=ContentType.objects.get_for_model(Person), object_id=_mother().pk,
                                     scope=SealScope.RECORD, reason="Works for a partner agency.",
                                     owner=demo.user("idva"))
    seal.named_users.set([demo.user("idva")])
    colleague = client_for("caseworker", "new-era-victims").get(reverse("risk:caseload")).content.decode()
    assert "Elizabeth Walker" not in colleague and "Walker" not in colleague
    named = client_for("idva", "new-era-victims").get(reverse("risk:caseload")).content.decode()
    assert "Elizabeth Walker" in named


def test_the_printed_plan_carries_no_footer_naming_the_partnership(client_for):
    # A printed plan may be found by the person she is hiding from: nothing on the page may say
    # domestic abuse, the partnership, or who made it.
    printed = client_for("idva", "new-era-victims").get(
        reverse("risk:safety_plan_print", args=[_mother().pk])).content.decode()
    assert "Did you feed" in printed
    assert "domestic abuse" not in printed.lower() and "partnership" not in printed.lower()
