"""Practical support in the demo (DEMO.md stories 1 and 7): the Alice Charity's store, an
Easter egg appeal with a supermarket donation collected by the Stoke North PCSO team, and
two families: the Walkers (referred by the police; beds, bedding, a cooker and school
uniform delivered from donated stock) and the Popas (referred by New Era; a delivery
planned for tomorrow, a cot still to find). Everything goes through the support services,
so the ledger, the audit and the dashboard are what they would be for real.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from hearth.platform import context
from hearth.platform.roles import Part

CATALOGUE = [
    # name, category, unit, low-stock level, has size
    ("Single bed", "furniture", "bed", 2, False),
    ("Cot", "furniture", "cot", 1, False),
    ("Sofa", "furniture", "sofa", 0, False),
    ("Bedding set (single)", "bedding", "set", 4, False),
    ("Cot bedding", "bedding", "set", 1, False),
    ("Cooker", "appliances", "cooker", 1, False),
    ("Fridge", "appliances", "fridge", 1, False),
    ("Washing machine", "appliances", "machine", 0, False),
    ("School uniform", "school", "set", 0, True),
    ("Clothes bundle", "clothing", "bundle", 0, True),
    ("Toiletries pack", "toiletries", "pack", 5, False),
    ("Food parcel", "food", "parcel", 5, False),
    ("Baby essentials pack", "baby", "pack", 2, False),
    ("Toys", "toys", "item", 0, False),
    ("Easter egg", "toys", "egg", 0, False),
    ("Winter coat", "clothing", "coat", 0, True),
    ("Supermarket gift voucher (£20)", "vouchers", "voucher", 0, False),
]


@contextmanager
def _as(user, agency):
    membership = user.memberships.get(agency=agency)
    with context.acting_as(user, membership):
        user.membership = membership
        yield user


def load(*, agencies, users) -> dict[str, int]:
    from hearth.support import services
    from hearth.support.models import Store

    alice = agencies["alice-charity"]
    if Store.objects.filter(agency=alice).exists():
        return _counts(alice)
    worker, volunteer = users["charity.worker"], users["charity.volunteer"]
    today = timezone.localdate()
    with _as(worker, alice):
        store = services.store_create(actor=worker, name="Alice Charity store")
        unit = services.store_create(actor=worker, name="Furniture unit, Longton")
        items = {name: services.item_type_create(actor=worker, name=name, category=category, unit=unit_name,
                                                 low_stock_level=low, has_size=sized)
                 for name, category, unit_name, low, sized in CATALOGUE}
        _stock_and_appeals(worker, store, unit, items, today)
    _walker_family(agencies, users, items, store, unit, today, worker, volunteer)
    _popa_family(agencies, users, items, store, today, worker, volunteer)
    return _counts(alice)


def _counts(alice) -> dict[str, int]:
    from hearth.support.models import Delivery, Donation, StockMovement

    return {"support_donations": Donation.objects.filter(agency=alice).count(),
            "support_movements": StockMovement.objects.filter(line__store__agency=alice).count(),
            "support_deliveries": Delivery.objects.filter(case__agency=alice).count()}


def _stock_and_appeals(worker, store, unit, items, today: date) -> None:
    from hearth.support import services

    easter = services.appeal_create(
        actor=worker, name="Easter eggs 2021", starts_on=date(2021, 3, 1), ends_on=date(2021, 4, 4),
        description="An Easter egg for every child the charity supports this spring.",
        targets=[(items["Easter egg"], 200)])
    services.donation_record(
        actor=worker, donor_kind="business", donor_name="Morrisons, Hanley",
        donor_address="The Store Manager\nMorrisons\nHanley, Stoke-on-Trent", received_on=date(2021, 3, 29),
        collected_by="Stoke North NPT PCSO team", store=store, appeal=easter,
        lines=[(items["Easter egg"], 120)])
    services.donation_record(
        actor=worker, donor_kind="anonymous", received_on=date(2021, 4, 1), store=store, appeal=easter,
        lines=[(items["Easter egg"], 36)])
    coats = services.appeal_create(
        actor=worker, name="Winter coats", starts_on=today - timedelta(days=20), ends_on=today + timedelta(days=40),
        description="Warm coats for children and adults, all sizes.", targets=[(items["Winter coat"], 80)])
    services.donation_record(
        actor=worker, donor_kind="person", donor_name="Margaret Boulton",
        donor_address="4 Trentham Road\nStoke-on-Trent", received_on=today - timedelta(days=12),
        store=store, appeal=coats, lines=[(items["Winter coat"], 6), (items["Bedding set (single)"], 5)],
        money_amount=Decimal("50.00"), gift_aid=True)
    # Beds and a cooker from a furniture re-use project: the Walkers' delivery comes from these.
    services.donation_record(
        actor=worker, donor_kind="business", donor_name="Potteries Furniture Re-use",
        received_on=today - timedelta(days=9), collected_by="The Alice Charity van", store=unit,
        lines=[(items["Single bed"], 4), (items["Cooker"], 2), (items["Sofa"], 1)])
    services.donation_record(
        actor=worker, donor_kind="business", donor_name="St Mark's Church, Shelton",
        received_on=today - timedelta(days=5), store=store,
        lines=[(items["Toiletries pack"], 12), (items["Food parcel"], 8), (items["Toys"], 15)])
    services.stock_purchase(actor=worker, store=store, item=items["School uniform"], quantity=6,
                            note="Bought from the school uniform shop")
    services.stock_purchase(actor=worker, store=store, item=items["Baby essentials pack"], quantity=3)
    services.stock_write_off(actor=worker, store=unit, item=items["Sofa"], quantity=1,
                             note="Damp damage found when unloading")


def _walker_family(agencies, users, items, store, unit, today, worker, volunteer) -> None:
    """Story 1: the officer's referral becomes a delivery the same week; the officer sees "needs met"."""
    from hearth.referrals.models import Referral
    from hearth.support import services

    alice = agencies["alice-charity"]
    # Read-only: find the charity's accepted referral the people story already made.
    referral = (Referral.objects.filter(to_agency=alice, person__given_name="Elizabeth",
                                        person__family_name="Walker", status__in=["accepted", "in_progress"])
                .order_by("pk").first())
    if referral is None:
        return
    with _as(worker, alice):
        case = services.case_open(actor=worker, referral=referral)
        ages = case.children_ages or [9, 5]
        needs = []
        for age in ages:
            member = f"Child aged {age}"
            needs.append((services.need_add(actor=worker, case=case, member=member, item=items["Single bed"],
                                            quantity=1, urgency="today"), unit))
            needs.append((services.need_add(actor=worker, case=case, member=member,
                                            item=items["Bedding set (single)"], quantity=1, urgency="today",
                                            notes="The older child would like something purple, if there is a choice."
                                            if age == ages[0] else ""), store))
        needs.append((services.need_add(actor=worker, case=case, member="Whole household", item=items["Cooker"],
                                        quantity=1, urgency="this_week",
                                        notes="Gas cooker point checked by the landlord."), unit))
        needs.append((services.need_add(actor=worker, case=case, member=f"Child aged {ages[0]}",
                                        item=items["School uniform"], quantity=1, size=f"age {ages[0]}–{ages[0] + 1}",
                                        urgency="this_week"), store))
        allocations = [services.stock_allocate(actor=worker, need=need, store=where, quantity=need.quantity)
                       for need, where in needs]
        delivery = services.delivery_arrange(
            actor=worker, case=case, allocations=allocations, method="delivery", slot_date=today, slot="morning",
            driver=volunteer, address="Flat 3, 27 Hartshill Road, Stoke-on-Trent ST4 7NH")
    with _as(volunteer, alice):
        services.delivery_confirm(actor=volunteer, delivery=delivery, received_by="Liz", confirmed=True)


def _popa_family(agencies, users, items, store, today, worker, volunteer) -> None:
    """A second family, referred by New Era: a delivery planned for tomorrow, a cot still to find."""
    from hearth.people.services import household_create, person_create
    from hearth.referrals.services import ReferralRequest, referral_accept, referral_create
    from hearth.support import services

    idva, new_era, alice = users["idva"], agencies["new-era-victims"], agencies["alice-charity"]
    with _as(idva, new_era):
        mother = person_create(actor=idva, given_name="Andreea", family_name="Popa", gender="woman",
                               date_of_birth=date(today.year - 27, 5, 11), language="Romanian",
                               phone="07700 900218", safe_contact="Text first; calls after 4pm.")
        children = [
            person_create(actor=idva, given_name="Matei", family_name="Popa", gender="man",
                          date_of_birth=today - timedelta(days=7 * 365 + 40)),
            person_create(actor=idva, given_name="Ilinca", family_name="Popa", gender="woman",
                          date_of_birth=today - timedelta(days=300)),
        ]
        household_create(actor=idva, name="Popa family",
                         members=[(mother, False), (children[0], True), (children[1], True)])
        referral = referral_create(actor=idva, request=ReferralRequest(
            person=mother, to_agency=alice, reasons=["practical_items"], children=children,
            shared_parts=[Part.IDENTITY, Part.HOUSEHOLD, Part.NEEDS, Part.RISK_LEVEL, Part.CONTACT],
            lawful_basis="consent", consent_taken_on=today - timedelta(days=1), text_ok=True,
            safe_times="After 4pm", needs="A cot and a bed, bedding, a fridge; Matei starts school next week."))
    with _as(worker, alice):
        referral_accept(actor=worker, referral=referral, assigned_to=worker)
        case = services.case_open(actor=worker, referral=referral)
        services.needs_add_suggested(actor=worker, case=case, keys=[
            s.key for s in services.case_suggestions(case)
            if s.item.name in ("Cot", "Cot bedding", "Single bed", "Bedding set (single)", "School uniform")])
        # The fridge and the cot stay on the unmet-needs list, for a purchase or an appeal.
        services.need_add(actor=worker, case=case, member="Whole household", item=items["Fridge"],
                                   quantity=1, urgency="this_week")
        reserved = []
        for need in case.needs.select_related("item"):
            if need.item.name in ("Bedding set (single)", "School uniform"):
                reserved.append(services.stock_allocate(actor=worker, need=need, store=store, quantity=1))
        services.delivery_arrange(
            actor=worker, case=case, allocations=reserved, method="delivery", slot_date=today + timedelta(days=1),
            slot="afternoon", driver=volunteer, address="Flat 8, 4 Etruria Vale Road, Stoke-on-Trent ST1 4BN")
