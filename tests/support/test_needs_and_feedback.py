"""Needs from a referral: the household's shape suggests them; the referrer sees only how far they are met."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from hearth.referrals.models import Referral
from hearth.support import selectors, services
from hearth.support.models import Need, SupportCase

from .conftest import Acting, item

pytestmark = pytest.mark.django_db


def test_a_case_opened_from_the_walker_referral_knows_the_childrens_ages_not_names(walker_case):
    assert walker_case.adults == 1
    assert walker_case.children_ages == [9, 5]
    assert walker_case.member_choices() == ["Whole household", "Adult", "Child aged 9", "Child aged 5"]


def test_opening_a_case_twice_returns_the_same_case(worker, walker_case):
    with worker as actor:
        assert services.case_open(actor=actor, referral=walker_case.referral) == walker_case


def test_a_referral_not_yet_accepted_cannot_become_a_case(worker):
    waiting = Referral.objects.filter(to_agency__slug="alice-charity", status__in=["sent", "received"]).first()
    with worker as actor, pytest.raises(ValidationError):
        services.case_open(actor=actor, referral=waiting)
    assert not SupportCase.objects.filter(referral=waiting).exists()


def test_another_agencys_referral_cannot_become_this_charitys_case(worker):
    elsewhere = Referral.objects.exclude(to_agency__slug="alice-charity").first()
    with worker as actor, pytest.raises(PermissionDenied):
        services.case_open(actor=actor, referral=elsewhere)


def test_suggestions_follow_the_household(worker, fresh_case):
    with worker as actor:
        services.case_household_set(actor=actor, case=fresh_case, adults=1, children_ages=[1, 7, 17])
    suggested = {(s.member, s.item.name, s.size) for s in services.case_suggestions(fresh_case)}
    assert ("Child aged 1", "Cot", "") in suggested
    assert ("Child aged 1", "Single bed", "") not in suggested
    assert ("Child aged 7", "Single bed", "") in suggested
    assert ("Child aged 7", "School uniform", "age 7–8") in suggested
    assert not any(member == "Child aged 17" and name == "School uniform" for member, name, _ in suggested)
    assert not any(member == "Child aged 1" and name == "School uniform" for member, name, _ in suggested)
    assert ("Adult", "Single bed", "") in suggested


def test_ticked_suggestions_become_needs_and_stop_being_suggested(worker, fresh_case):
    with worker as actor:
        services.case_household_set(actor=actor, case=fresh_case, adults=1, children_ages=[1])
        cot = next(s for s in services.case_suggestions(fresh_case) if s.item.name == "Cot")
        services.needs_add_suggested(actor=actor, case=fresh_case, keys=[cot.key])
        assert Need.objects.filter(case=fresh_case, item__name="Cot", member="Child aged 1").exists()
        assert not any(s.item.name == "Cot" for s in services.case_suggestions(fresh_case))
        with pytest.raises(ValidationError):
            services.needs_add_suggested(actor=actor, case=fresh_case, keys=[])


@pytest.mark.parametrize(("changes", "field"), [
    ({"quantity": 0}, "quantity"), ({"quantity": -2}, "quantity"), ({"member": "Child aged 40"}, "member"),
    ({"urgency": "yesterday"}, "urgency"), ({"item_name": "School uniform", "size": ""}, "size"),
])
def test_a_need_with_bad_input_is_refused(worker, fresh_case, changes, field):
    args = {"member": "Adult", "quantity": 1, "urgency": "today", "size": "", "item_name": "Cooker"} | changes
    with worker as actor, pytest.raises(ValidationError) as refused:
        services.need_add(actor=actor, case=fresh_case, member=args["member"], item=item(args["item_name"]),
                          quantity=args["quantity"], size=args["size"], urgency=args["urgency"])
    assert field in refused.value.message_dict
    assert not fresh_case.needs.exists()


def test_household_ages_out_of_range_are_refused(worker, fresh_case):
    with worker as actor, pytest.raises(ValidationError):
        services.case_household_set(actor=actor, case=fresh_case, adults=0, children_ages=[3])
    with worker as actor, pytest.raises(ValidationError):
        services.case_household_set(actor=actor, case=fresh_case, adults=1, children_ages=[19])


def test_feedback_moves_from_not_yet_met_to_partly_met_to_needs_met(worker, store, fresh_case, tomorrow):
    assert selectors.feedback_for_case(fresh_case) == "Not yet met"
    with worker as actor:
        first = services.need_add(actor=actor, case=fresh_case, member="Adult", item=item("Food parcel"), quantity=1)
        second = services.need_add(actor=actor, case=fresh_case, member="Adult", item=item("Toys"), quantity=1)
        assert selectors.feedback_for_case(fresh_case) == "Not yet met"
        for need in (first, second):
            allocation = services.stock_allocate(actor=actor, need=need, store=store, quantity=1)
            delivery = services.delivery_arrange(actor=actor, case=fresh_case, allocations=[allocation],
                                                 method="collection", slot_date=tomorrow, slot="morning")
            services.delivery_confirm(actor=actor, delivery=delivery, received_by="Sam", confirmed=True)
            if need is first:
                assert selectors.feedback_for_case(fresh_case) == "Partly met"
    assert selectors.feedback_for_case(fresh_case) == "Needs met"


def test_the_referring_officer_sees_needs_met_and_none_of_the_charitys_notes(walker_case, client_for):
    assert selectors.feedback_for_case(walker_case) == "Needs met"
    page = client_for("police.officer").get(
        reverse("referrals:referral_detail", kwargs={"referral_id": walker_case.referral_id}))
    body = page.content.decode()
    assert page.status_code == 200
    assert "data-support-feedback>Needs met<" in body
    notes = [need.notes for need in walker_case.needs.all() if need.notes]
    assert notes
    for note in notes:
        assert note not in body
    assert "Gas cooker point" not in body


def test_a_referral_without_a_support_case_shows_no_practical_support_section(client_for):
    referral = Referral.objects.filter(from_agency__slug="stoke-north-hub", to_agency__slug="new-era-victims").first()
    body = client_for("police.officer").get(
        reverse("referrals:referral_detail", kwargs={"referral_id": referral.pk})).content.decode()
    assert "Practical support" not in body


def test_the_popa_familys_cot_and_fridge_are_on_the_unmet_list(worker):
    with worker as actor:
        unmet = {row.item.name: row for row in selectors.unmet_needs(actor=actor)}
    assert unmet["Cot"].shortfall >= 1
    assert unmet["Fridge"].shortfall >= 1


def test_a_perpetrator_worker_cannot_add_needs(demo, walker_case):
    with Acting(demo, "perpetrator.worker", "new-era-perpetrators") as actor, pytest.raises(PermissionDenied):
        services.need_add(actor=actor, case=walker_case, member="Adult", item=item("Cooker"), quantity=1)
