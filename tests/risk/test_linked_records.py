"""A link between two agencies' records of one person opens nothing of the other agency's record:
not its safety plan, which may say where she is staying."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from hearth.people.models import Person
from hearth.platform import context
from hearth.platform.models import Agency, Membership, User
from hearth.platform.roles import AgencyKind, Role
from hearth.risk.models import SafetyPlan

from ..conftest import person_create_linked, sign_in


def test_linking_a_new_record_to_another_services_record_does_not_show_its_safety_plan(db):
    plan = SafetyPlan.objects.select_related("person", "agency").filter(
        person__given_name="Elizabeth", person__family_name="Walker").first()
    assert plan is not None and "Did you feed" in str(plan.current().sections)
    other = Agency.objects.create(name="Moorlands DA Service", slug="moorlands-da", kind=AgencyKind.DA_SERVICE)
    worker = User.objects.create_user(username="moorlands.worker", email="m@demo.hearth.invalid", password="x",
                                      first_name="Kim", last_name="Boote")
    membership = Membership.objects.create(user=worker, agency=other, role=Role.DA_CASEWORKER)
    worker.membership = membership
    with context.acting_as(worker, membership):
        # The matcher offered New Era's record ("held by another agency") and the worker linked to it.
        own = person_create_linked(actor=worker, link_to=plan.person, given_name="Elizabeth",
                                            family_name="Walker")
    assert own.identity_id == plan.person.identity_id and own.owner_agency_id == other.pk
    client = sign_in(Client(), membership)
    for name in ("risk:safety_plan", "risk:safety_plan_print"):
        response = client.get(reverse(name, args=[own.pk]))
        assert "Did you feed" not in response.content.decode(), name
    assert Person.objects.visible_to(worker).filter(pk=plan.person.pk).exists() is False
