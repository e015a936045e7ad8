"""Appeals, donations and thank-you letters; the charity's dashboard counts the demo's delivery."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from hearth.support import selectors, services
from hearth.support.models import Appeal, Donation, StockMovement
from hearth.support.selectors import figures as dashboard_figures

from .conftest import item

pytestmark = pytest.mark.django_db


def test_the_morrisons_easter_egg_donation_was_collected_by_the_pcso_team(demo):
    donation = Donation.objects.get(donor_name="Morrisons, Hanley")
    assert donation.appeal.name == "Easter eggs 2021"
    assert donation.collected_by == "Stoke North NPT PCSO team"
    assert donation.store.name == "Alice Charity store"
    assert StockMovement.objects.filter(donation=donation, kind="received").get().quantity == 120


def test_the_thank_you_letter_names_the_gift_the_appeal_and_the_collectors(demo):
    letter = selectors.thank_you_letter(Donation.objects.get(donor_name="Morrisons, Hanley"))
    assert "Dear Morrisons, Hanley" in letter
    assert "120 × Easter egg" in letter
    assert "Easter eggs 2021 appeal" in letter
    assert "Stoke North NPT PCSO team" in letter
    assert "Gift Aid" not in letter


def test_a_gift_aided_money_donation_says_so_in_the_letter(demo):
    letter = selectors.thank_you_letter(Donation.objects.get(donor_name="Margaret Boulton"))
    assert "£50.00" in letter and "Gift Aid" in letter


def test_an_anonymous_donation_keeps_no_name_and_gets_no_letter(worker, store):
    with worker as actor:
        donation = services.donation_record(actor=actor, donor_kind="anonymous", donor_name="Should be dropped",
                                            received_on=timezone.localdate(), store=store,
                                            lines=[(item("Toys"), 2)])
    assert donation.donor_name == "" and selectors.thank_you_letter(donation) == ""


@pytest.mark.parametrize(("changes", "field"), [
    ({"donor_kind": "business", "money_amount": Decimal("10"), "gift_aid": True}, "gift_aid"),
    ({"gift_aid": True}, "gift_aid"),
    ({"donor_name": ""}, "donor_name"),
    ({"lines": []}, "lines"),
    ({"lines": [("Toys", 0)]}, "lines"),
    ({"money_amount": Decimal("-5")}, "money_amount"),
    ({"received_on": date.today() + timedelta(days=3)}, "received_on"),
])
def test_a_donation_with_bad_input_is_refused_and_nothing_reaches_the_ledger(worker, store, changes, field):
    args = {"donor_kind": "person", "donor_name": "A Donor", "lines": [("Toys", 1)], "money_amount": None,
            "gift_aid": False, "received_on": timezone.localdate()} | changes
    movements, donations = StockMovement.objects.count(), Donation.objects.count()
    with worker as actor, pytest.raises(ValidationError) as refused:
        services.donation_record(actor=actor, store=store, lines=[(item(n), q) for n, q in args.pop("lines")],
                                 **args)
    assert field in refused.value.message_dict
    assert (StockMovement.objects.count(), Donation.objects.count()) == (movements, donations)


def test_an_appeal_must_end_after_it_starts(worker):
    with worker as actor, pytest.raises(ValidationError) as refused:
        services.appeal_create(actor=actor, name="Summer toys", starts_on=date(2026, 7, 1), ends_on=date(2026, 6, 1))
    assert "ends_on" in refused.value.message_dict
    assert not Appeal.objects.filter(name="Summer toys").exists()


def test_appeal_progress_counts_what_its_donations_brought_in(demo):
    easter = Appeal.objects.get(name="Easter eggs 2021")
    assert [(i.name, target, given) for i, target, given in selectors.appeal_progress(easter)] == [
        ("Easter egg", 200, 156)]


def test_the_dashboard_counts_the_walker_delivery(worker):
    with worker as actor:
        board = selectors.dashboard(actor=actor)
    assert board.families_this_month >= 1
    assert board.median_days is not None and board.p90_days is not None
    assert board.p90_days >= board.median_days >= 0
    appeals = {name: (count, items) for name, count, items in board.by_appeal}
    assert appeals["Easter eggs 2021"] == (2, 156)
    open_counts = dict(board.open_by_urgency)
    assert sum(open_counts.values()) >= 2  # the Popa family's cot and fridge, at least


def test_the_90th_percentile_is_the_nearest_rank():
    assert dashboard_figures._percentile([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0], 90) == 9.0
    assert dashboard_figures._percentile([4.0], 90) == 4.0
