"""The support pages: each form shows the GOV.UK error summary on bad input, keeps what was
typed (except a safe address), and saves nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from hearth.platform.models import AuditEvent, User
from hearth.support import services
from hearth.support.models import Appeal, Delivery, Donation, ItemType, Need, StockMovement, Store, SupportCase

from .conftest import item

pytestmark = pytest.mark.django_db
SUMMARY = "There is a problem"


@pytest.fixture
def worker_client(client_for):
    return client_for("charity.worker", "alice-charity")


@pytest.mark.parametrize("name", ["dashboard", "case_list", "stock", "unmet", "appeal_list", "van_sheet",
                                  "stock_movement_new", "item_new", "appeal_new", "donation_new"])
def test_the_charity_worker_can_open_every_support_page(worker_client, name):
    assert worker_client.get(reverse(f"support:{name}")).status_code == 200


def test_the_families_page_lists_the_walker_case_and_is_audited(worker_client, walker_case):
    body = worker_client.get(reverse("support:case_list")).content.decode()
    assert "Elizabeth Walker" in body
    assert AuditEvent.objects.filter(object_type="support.supportcase", action="list").exists()


def test_the_case_page_shows_needs_and_no_childrens_names(worker_client, walker_case):
    body = worker_client.get(reverse("support:case_detail", kwargs={"support_case_id": walker_case.pk})).content.decode()
    assert "Child aged 9" in body and "Single bed" in body
    assert "Mia" not in body and "Leo" not in body
    assert AuditEvent.objects.filter(object_type="support.supportcase", object_id=str(walker_case.pk),
                                     action="view").exists()


def test_a_need_with_bad_input_shows_the_error_summary_keeps_the_notes_and_saves_nothing(worker_client, walker_case):
    count = Need.objects.count()
    response = worker_client.post(reverse("support:need_add", kwargs={"support_case_id": walker_case.pk}), {
        "member": "Adult", "item": item("Sofa").pk, "quantity": "-1", "urgency": "today",
        "notes": "Ground floor flat, narrow stairs"})
    body = response.content.decode()
    assert response.status_code == 400
    assert SUMMARY in body and "Enter a number of 1 or more." in body
    assert "Ground floor flat, narrow stairs" in body
    assert Need.objects.count() == count


def test_reserving_more_than_in_stock_is_refused_on_the_page(worker_client, popa_case):
    need = popa_case.needs.get(item__name="Fridge")
    store = Store.objects.get(name="Alice Charity store")
    movements = StockMovement.objects.count()
    response = worker_client.post(reverse("support:need_allocate", kwargs={"need_id": need.pk}),
                                  {"store": store.pk, "quantity": "1"})
    assert response.status_code == 400
    assert SUMMARY in response.content.decode() and "available" in response.content.decode()
    assert StockMovement.objects.count() == movements


def test_a_delivery_form_error_does_not_send_the_safe_address_back(worker_client, demo):
    popa = SupportCase.objects.get(person__given_name="Andreea")
    worker = demo.membership("charity.worker", "alice-charity")
    worker.user.membership = worker
    store = Store.objects.get(name="Alice Charity store")
    need = services.need_add(actor=worker.user, case=popa, member="Adult", item=item("Food parcel"), quantity=1)
    allocation = services.stock_allocate(actor=worker.user, need=need, store=store, quantity=1)
    count = Delivery.objects.count()
    response = worker_client.post(reverse("support:delivery_new", kwargs={"support_case_id": popa.pk}), {
        "allocations": [allocation.pk], "method": "delivery", "slot_date": timezone.localdate().strftime("%d %m %Y"),
        "slot": "morning", "driver": "", "address": "22 Secret Lane, Stoke-on-Trent"})
    body = response.content.decode()
    assert response.status_code == 400
    assert SUMMARY in body and "Choose the driver." in body
    assert "22 Secret Lane" not in body
    assert Delivery.objects.count() == count


def test_a_delivery_without_an_address_shows_the_error(worker_client, popa_case):
    allocation = popa_case.needs.get(item__name="School uniform").allocations.first()
    volunteer = User.objects.get(username="charity.volunteer")
    Delivery.objects.filter(allocations=allocation).update(status="cancelled")
    response = worker_client.post(reverse("support:delivery_new", kwargs={"support_case_id": popa_case.pk}), {
        "allocations": [allocation.pk], "method": "delivery", "slot_date": timezone.localdate().strftime("%d %m %Y"),
        "slot": "morning", "driver": volunteer.pk, "address": ""})
    assert response.status_code == 400
    assert "Enter the safe address to deliver to, or arrange a collection instead." in response.content.decode()


def test_recording_delivered_needs_the_confirmation(client_for, popa_case):
    delivery = popa_case.deliveries.get(status="planned")
    response = client_for("charity.worker", "alice-charity").post(
        reverse("support:delivery_confirm", kwargs={"delivery_id": delivery.pk}), {"received_by": "Andreea"})
    assert response.status_code == 400
    assert "Confirm that every item on the list was handed over." in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == "planned"


def test_a_donation_with_an_unknown_item_keeps_the_donor_and_saves_nothing(worker_client):
    store = Store.objects.get(name="Alice Charity store")
    count = Donation.objects.count()
    response = worker_client.post(reverse("support:donation_new"), {
        "donor_kind": "business", "donor_name": "Tesco Extra, Festival Park", "received_on": "1 11 2026",
        "store": store.pk, "lines": "Easter egg: 10\nUnicorn: 3"})
    body = response.content.decode()
    assert SUMMARY in body and "Unicorn is not in your catalogue" in body
    assert "Tesco Extra, Festival Park" in body
    assert Donation.objects.count() == count


def test_a_donation_is_recorded_and_its_letter_is_ready(worker_client):
    store = Store.objects.get(name="Alice Charity store")
    response = worker_client.post(reverse("support:donation_new"), {
        "donor_kind": "business", "donor_name": "Tesco Extra, Festival Park", "received_on": "1 11 2026",
        "store": store.pk, "lines": "Easter egg: 10", "collected_by": "Stoke North NPT PCSO team"})
    donation = Donation.objects.get(donor_name="Tesco Extra, Festival Park")
    assert response.status_code == 302
    letter = worker_client.get(reverse("support:donation_detail", kwargs={"donation_id": donation.pk}))
    assert "10 × Easter egg" in letter.content.decode()


def test_an_appeal_ending_before_it_starts_shows_the_error(worker_client):
    response = worker_client.post(reverse("support:appeal_new"), {
        "name": "Summer toys", "starts_on": "1 7 2026", "ends_on": "1 6 2026", "targets": ""})
    assert SUMMARY in response.content.decode()
    assert "The end date must be on or after the start date." in response.content.decode()
    assert not Appeal.objects.filter(name="Summer toys").exists()


def test_a_duplicate_catalogue_item_is_refused(worker_client):
    count = ItemType.objects.count()
    response = worker_client.post(reverse("support:item_new"), {
        "name": "cooker", "category": "appliances", "unit": "cooker", "low_stock_level": "1"})
    assert "There is already an item with this name" in response.content.decode()
    assert ItemType.objects.count() == count


def test_a_write_off_without_a_reason_is_refused_on_the_page(worker_client):
    store = Store.objects.get(name="Alice Charity store")
    movements = StockMovement.objects.count()
    response = worker_client.post(reverse("support:stock_movement_new"), {
        "kind": "written_off", "store": store.pk, "item": item("Toys").pk, "quantity": "1", "note": ""})
    assert SUMMARY in response.content.decode()
    assert StockMovement.objects.count() == movements


def test_household_ages_that_are_not_numbers_show_the_error(worker_client, walker_case):
    response = worker_client.post(reverse("support:case_household", kwargs={"support_case_id": walker_case.pk}),
                                  {"adults": "1", "children_ages": "nine, five"})
    assert response.status_code == 400 and SUMMARY in response.content.decode()
    walker_case.refresh_from_db()
    assert walker_case.children_ages == [9, 5]


def test_the_ledger_page_shows_running_balances(worker_client):
    response = worker_client.get(reverse("support:item_ledger", kwargs={"item_type_id": item("Easter egg").pk}))
    assert response.status_code == 200 and "Donation received" in response.content.decode()


def test_a_volunteer_cannot_open_the_store_or_the_families(client_for):
    client = client_for("charity.volunteer", "alice-charity")
    for name in ("dashboard", "case_list", "stock", "appeal_list"):
        assert client.get(reverse(f"support:{name}")).status_code == 403


def test_a_store_is_added_and_a_duplicate_name_is_refused(worker_client):
    response = worker_client.post(reverse("support:store_new"), {"name": "Van"})
    assert response.status_code == 302
    response = worker_client.post(reverse("support:store_new"), {"name": "van"})
    assert SUMMARY in response.content.decode() and "There is already a store with this name." in \
        response.content.decode()
    assert 'value="van"' in response.content.decode()
