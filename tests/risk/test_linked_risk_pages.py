"""Risk pages read details only from records the reader may see; the level alone is shared.

Linking a new record to another agency's record of the same person (search-before-create) shares
the identity's current level as a warning, and nothing else: not the other agency's scores, who
assessed, when, nor the incidents behind the MARAC criteria. And a reader whose role gives only
``risk_level`` (charity, housing) sees the level and MARAC status, not the evidence behind them.
"""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from hearth.people.models import Incident, InvolvementRole, Person
from hearth.platform import context
from hearth.platform.models import Agency, Membership, User
from hearth.platform.roles import AgencyKind, Role
from hearth.risk.models import Assessment, AssessmentStatus

from ..conftest import person_create_linked, sign_in


def _police_assessment() -> Assessment:
    return Assessment.objects.select_related("person", "assessed_by", "agency").get(
        person__given_name="Elizabeth", person__family_name="Walker", status=AssessmentStatus.SUBMITTED)


def _incident_days(person: Person) -> list[str]:
    incidents = Incident.objects.filter(involvements__person__identity_id=person.identity_id,
                                        involvements__role=InvolvementRole.VICTIM).distinct()
    return [f"{i.occurred_on:%-d %B %Y}" for i in incidents] + [f"{i.occurred_on:%-d %b %Y}" for i in incidents]


def _linked_worker(police_record: Person):
    other = Agency.objects.create(name="Moorlands DA Service", slug="moorlands-da", kind=AgencyKind.DA_SERVICE)
    worker = User.objects.create_user(username="moorlands.worker", email="m@demo.hearth.invalid", password="x",
                                      first_name="Kim", last_name="Boote")
    membership = Membership.objects.create(user=worker, agency=other, role=Role.DA_CASEWORKER)
    worker.membership = membership
    with context.acting_as(worker, membership):
        # A guessed name, the matcher's "held by another agency", and a link.
        own = person_create_linked(actor=worker, link_to=police_record, given_name="Elizabeth",
                                            family_name="Walker")
    return own, membership


def test_linking_to_the_police_record_shows_the_warning_level_but_not_the_polices_assessment(db):
    assessment = _police_assessment()
    own, membership = _linked_worker(assessment.person)
    assert own.identity_id == assessment.person.identity_id
    body = sign_in(Client(), membership).get(reverse("risk:person_risk", args=[own.pk])).content.decode()
    assert "High" in body and "From a linked record" in body
    assert assessment.assessed_by.get_full_name() not in body
    assert assessment.agency.name not in body
    assert f"{assessment.assessed_on:%-d %b %Y}" not in body and f"{assessment.assessed_on:%-d %B %Y}" not in body
    assert f"score {assessment.score}" not in body
    assert reverse("risk:assessment_detail", args=[assessment.pk]) not in body
    for day in _incident_days(own):
        assert day not in body, day
    # Nor which IDVA holds her, nor the police's Dash on the referral form.
    assert "Sadia Akhtar" not in body
    refer = sign_in(Client(), membership).get(reverse("marac:refer", args=[own.pk])).content.decode()
    assert assessment.assessed_by.get_full_name() not in refer and f"score {assessment.score}" not in refer


def test_a_charity_worker_sees_the_level_and_marac_status_but_not_the_evidence(client_for):
    assessment = _police_assessment()
    mother = assessment.person
    body = client_for("charity.worker").get(reverse("risk:person_risk", args=[mother.pk])).content.decode()
    assert "High" in body and "Met" in body and "MARAC referral criteria" in body
    assert assessment.assessed_by.get_full_name() not in body
    assert f"score {assessment.score}" not in body and "call-outs" not in body
    assert f"{assessment.assessed_on:%-d %b %Y}" not in body
    for day in _incident_days(mother):
        assert day not in body, day
    # The charity may not refer: it is told to ask a colleague who does.
    assert "Ask a colleague who refers to MARAC" in body
    detail = client_for("charity.worker").get(reverse("risk:assessment_detail", args=[assessment.pk]))
    assert detail.status_code == 200 and "High" in detail.content.decode()
    assert assessment.assessed_by.get_full_name() not in detail.content.decode()
    assert f"{assessment.assessed_on:%-d %B %Y}" not in detail.content.decode()


def test_a_housing_officer_is_prompted_to_refer_without_the_reasons(client_for):
    assessment = _police_assessment()
    mother = assessment.person
    body = client_for("housing.officer").get(reverse("risk:person_risk", args=[mother.pk])).content.decode()
    assert "This case meets the MARAC referral criteria" in body
    assert reverse("marac:refer", args=[mother.pk]) in body
    assert "call-outs" not in body and "New incident on" not in body
    assert assessment.assessed_by.get_full_name() not in body


def test_the_police_officer_still_sees_the_full_reasons_and_trend(client_for):
    assessment = _police_assessment()
    body = client_for("police.officer").get(reverse("risk:person_risk", args=[assessment.person.pk])).content.decode()
    assert assessment.assessed_by.get_full_name() in body
    assert f"score {assessment.score}" in body and "call-outs" in body
