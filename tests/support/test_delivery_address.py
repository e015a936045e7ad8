"""The address rule: the driver sees the safe address on the delivery's day only, never after it
closes, and no delivery note or van sheet ever carries the reason for the delivery."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from hearth.people.models import Person
from hearth.platform.models import AccessGrant, User
from hearth.support import selectors, services
from hearth.support.models import Delivery, DeliveryStatus

from .conftest import Acting, item

pytestmark = pytest.mark.django_db

ADDRESS = "Flat 12, 9 Etruria Road, Stoke-on-Trent ST1 5NP"
# Words that would give away why a family is being helped.
REASON_WORDS = ["domestic abuse", "Domestic", "abuse", "Practical items", "practical_items", "referral", "Referral",
                "risk", "Risk", "police", "Police"]


@pytest.fixture
def todays_delivery(worker, store, fresh_case):
    """A delivery of a toiletries pack today, driven by the demo volunteer."""
    volunteer = User.objects.get(username="charity.volunteer")
    with worker as actor:
        need = services.need_add(actor=actor, case=fresh_case, member="Adult", item=item("Toiletries pack"),
                                 quantity=1)
        allocation = services.stock_allocate(actor=actor, need=need, store=store, quantity=1)
        return services.delivery_arrange(actor=actor, case=fresh_case, allocations=[allocation], method="delivery",
                                         slot_date=timezone.localdate(), slot="morning", driver=volunteer,
                                         address=ADDRESS)


def _van_sheet_text(client) -> str:
    return client.get(reverse("support:van_sheet")).content.decode()


def test_the_driver_sees_the_address_on_the_day(todays_delivery, client_for):
    client = client_for("charity.volunteer", "alice-charity")
    assert ADDRESS in _van_sheet_text(client)
    page = client.get(reverse("support:delivery_detail", kwargs={"delivery_id": todays_delivery.pk}))
    assert page.status_code == 200 and ADDRESS in page.content.decode()


def test_the_charity_worker_who_arranged_it_does_not_see_the_address_again(todays_delivery, client_for):
    client = client_for("charity.worker", "alice-charity")
    page = client.get(reverse("support:delivery_detail", kwargs={"delivery_id": todays_delivery.pk}))
    assert page.status_code == 200
    assert ADDRESS not in page.content.decode()
    assert "shown only to the driver on the day" in page.content.decode()


def test_another_volunteer_of_the_same_charity_sees_nothing(todays_delivery, demo):
    other = Acting(demo, "charity.volunteer", "alice-charity")
    stranger = User.objects.create_user(username="other.volunteer", email="o@demo.hearth.invalid", password="x")
    membership = other.membership.__class__.objects.create(user=stranger, agency=other.membership.agency,
                                                           role="delivery_volunteer")
    stranger.membership = membership
    assert not selectors.delivery_address_visible(stranger, todays_delivery)
    with pytest.raises(Http404):
        selectors.delivery_get(actor=stranger, delivery_id=todays_delivery.pk)


def test_another_volunteer_cannot_open_the_person_through_someone_elses_delivery(todays_delivery, demo):
    from hearth.platform import access
    from hearth.platform.models import Membership

    agency = Membership.objects.get(user__username="charity.volunteer", agency__slug="alice-charity").agency
    stranger = User.objects.create_user(username="second.driver", email="s@demo.hearth.invalid", password="x")
    stranger.membership = Membership.objects.create(user=stranger, agency=agency, role="delivery_volunteer")
    driver = User.objects.get(username="charity.volunteer")
    driver.membership = Membership.objects.get(user=driver, agency=agency)
    person = Person.objects.filter(pk=todays_delivery.case.person_id)
    # The relationship is the driver's own, not the charity's: the other volunteer gets nothing.
    assert access.visible_to(driver, person).exists()
    assert not access.visible_to(stranger, person).exists()
    assert access.parts_for(stranger, person.get()) == frozenset()


def test_the_driver_does_not_see_the_address_before_the_day(worker, store, fresh_case, volunteer, tomorrow):
    with worker as actor:
        need = services.need_add(actor=actor, case=fresh_case, member="Adult", item=item("Food parcel"), quantity=1)
        allocation = services.stock_allocate(actor=actor, need=need, store=store, quantity=1)
        delivery = services.delivery_arrange(actor=actor, case=fresh_case, allocations=[allocation],
                                             method="delivery", slot_date=tomorrow, slot="morning",
                                             driver=volunteer.user, address=ADDRESS)
    assert not selectors.delivery_address_visible(volunteer.user, delivery)
    with volunteer as actor:
        assert selectors.van_sheet(actor=actor) == [] or all(s.delivery.pk != delivery.pk
                                                             for s in selectors.van_sheet(actor=actor))
        # Nor the person: the delivery relationship starts on the day.
        assert not Person.objects.visible_to(actor).filter(pk=fresh_case.person_id).exists()


def test_the_driver_sees_nothing_after_the_delivery_closes(todays_delivery, volunteer, client_for):
    with volunteer as actor:
        assert Person.objects.visible_to(actor).filter(pk=todays_delivery.case.person_id).exists()
        services.delivery_confirm(actor=actor, delivery=todays_delivery, received_by="Sam", confirmed=True)
        todays_delivery.refresh_from_db()
        assert not selectors.delivery_address_visible(actor, todays_delivery)
        assert not Person.objects.visible_to(actor).filter(pk=todays_delivery.case.person_id).exists()
    client = client_for("charity.volunteer", "alice-charity")
    assert ADDRESS not in _van_sheet_text(client)
    page = client.get(reverse("support:delivery_detail", kwargs={"delivery_id": todays_delivery.pk}))
    assert page.status_code == 404


def test_a_cancelled_delivery_ends_the_drivers_view(todays_delivery, worker, volunteer):
    with worker as actor:
        services.delivery_cancel(actor=actor, delivery=todays_delivery)
    todays_delivery.refresh_from_db()
    assert not selectors.delivery_address_visible(volunteer.user, todays_delivery)
    grant = AccessGrant.objects.get(source=f"delivery {todays_delivery.pk}")
    assert grant.ends_at <= timezone.now()


def test_the_delivery_relationship_is_for_the_day_only(todays_delivery):
    grant = AccessGrant.objects.get(source=f"delivery {todays_delivery.pk}")
    assert grant.kind == "delivery"
    assert timezone.localtime(grant.starts_at).date() == todays_delivery.slot_date
    assert grant.ends_at - grant.starts_at == timedelta(days=1)
    # First name only, and a contact number only where the referrer allowed it.
    assert set(grant.parts) <= {"identity", "contact"}
    assert "safe_address" not in grant.parts


def test_the_van_sheet_and_delivery_note_never_show_the_reason(todays_delivery, client_for):
    client = client_for("charity.volunteer", "alice-charity")
    referral = todays_delivery.case.referral
    for url in (reverse("support:van_sheet"),
                reverse("support:delivery_note", kwargs={"delivery_id": todays_delivery.pk}),
                reverse("support:delivery_detail", kwargs={"delivery_id": todays_delivery.pk})):
        body = client.get(url).content.decode()
        # The van sheet and the note may be printed: nothing at all; the delivery page's own content: no reason.
        printable = "note" in url or "van-sheet" in url
        main = body.split("<body", 1)[1] if printable else body.split("<main", 1)[1].split("</main>", 1)[0]
        for word in REASON_WORDS:
            assert word not in main, f"{word!r} on {url}"
        if referral.needs:
            assert referral.needs not in body


def test_the_demo_walker_delivery_shows_no_address_to_anyone_now(demo, walker_case, client_for):
    delivery = walker_case.deliveries.get()
    assert delivery.status == DeliveryStatus.DELIVERED
    for username in ("charity.worker", "charity.volunteer"):
        body = client_for(username, "alice-charity").get(
            reverse("support:delivery_detail", kwargs={"delivery_id": delivery.pk})).content.decode()
        assert "Hartshill Road" not in body


def test_a_delivery_without_a_safe_address_is_refused_and_nothing_is_saved(worker, store, fresh_case, volunteer):
    with worker as actor:
        need = services.need_add(actor=actor, case=fresh_case, member="Adult", item=item("Food parcel"), quantity=1)
        allocation = services.stock_allocate(actor=actor, need=need, store=store, quantity=1)
        count = Delivery.objects.count()
        with pytest.raises(ValidationError) as refused:
            services.delivery_arrange(actor=actor, case=fresh_case, allocations=[allocation], method="delivery",
                                      slot_date=timezone.localdate(), slot="morning", driver=volunteer.user,
                                      address="   ")
    assert "safe address" in str(refused.value)
    assert Delivery.objects.count() == count
    assert not AccessGrant.objects.filter(kind="delivery", object_id=fresh_case.person_id,
                                          ends_at__gt=timezone.now()).exists()


def test_a_collection_needs_no_address_and_gives_no_one_a_view(worker, store, fresh_case, tomorrow):
    with worker as actor:
        need = services.need_add(actor=actor, case=fresh_case, member="Adult", item=item("Food parcel"), quantity=1)
        allocation = services.stock_allocate(actor=actor, need=need, store=store, quantity=1)
        delivery = services.delivery_arrange(actor=actor, case=fresh_case, allocations=[allocation],
                                             method="collection", slot_date=tomorrow, slot="morning",
                                             address="ignored for a collection")
    assert delivery.address == "" and delivery.driver is None
    assert not AccessGrant.objects.filter(source=f"delivery {delivery.pk}").exists()


def test_a_driver_from_another_agency_is_refused(worker, store, fresh_case, demo):
    with worker as actor:
        need = services.need_add(actor=actor, case=fresh_case, member="Adult", item=item("Food parcel"), quantity=1)
        allocation = services.stock_allocate(actor=actor, need=need, store=store, quantity=1)
        with pytest.raises(ValidationError) as refused:
            services.delivery_arrange(actor=actor, case=fresh_case, allocations=[allocation], method="delivery",
                                      slot_date=timezone.localdate(), slot="morning",
                                      driver=demo.user("police.officer"), address=ADDRESS)
    assert "driver" in refused.value.message_dict


def test_a_volunteer_cannot_confirm_someone_elses_delivery(todays_delivery, demo):
    other = Acting(demo, "charity.worker", "alice-charity")
    stranger = User.objects.create_user(username="v2", email="v2@demo.hearth.invalid", password="x")
    stranger.membership = other.membership.__class__.objects.create(user=stranger, agency=other.membership.agency,
                                                                    role="delivery_volunteer")
    with pytest.raises(PermissionDenied):
        services.delivery_confirm(actor=stranger, delivery=todays_delivery, received_by="Sam", confirmed=True)
    todays_delivery.refresh_from_db()
    assert todays_delivery.status == DeliveryStatus.PLANNED


def test_a_self_referral_becomes_a_case_and_the_driver_gets_the_number_the_person_allowed(worker, volunteer, store):
    from hearth.platform.models import Agency
    from hearth.referrals.services import referral_accept, self_referral_receive

    referral = self_referral_receive(to_agency=Agency.objects.get(slug="alice-charity"), given_name="Bogusia",
                                     family_name="Zielinska", phone="07700 900555", text_ok=True,
                                     needs="A bed and some bedding, please.")
    with worker as actor:
        referral_accept(actor=actor, referral=referral, assigned_to=actor)
        case = services.case_open(actor=actor, referral=referral)
        assert (case.adults, case.children_ages) == (1, [])
        need = services.need_add(actor=actor, case=case, member="Adult", item=item("Food parcel"), quantity=1)
        allocation = services.stock_allocate(actor=actor, need=need, store=store, quantity=1)
        delivery = services.delivery_arrange(actor=actor, case=case, allocations=[allocation], method="delivery",
                                             slot_date=timezone.localdate(), slot="afternoon",
                                             driver=volunteer.user, address=ADDRESS)
    assert delivery.contact_allowed
    with volunteer as actor:
        sheet = next(s for s in selectors.van_sheet(actor=actor) if s.delivery.pk == delivery.pk)
    assert (sheet.first_name, sheet.address, sheet.phone) == ("Bogusia", ADDRESS, "07700 900555")
    for word in REASON_WORDS:
        assert word not in " ".join(str(v) for v in (sheet.first_name, sheet.address, sheet.phone, sheet.items))


def test_without_agreed_contact_the_driver_gets_no_number(todays_delivery, volunteer):
    assert not todays_delivery.contact_allowed
    with volunteer as actor:
        sheet = next(s for s in selectors.van_sheet(actor=actor) if s.delivery.pk == todays_delivery.pk)
    assert sheet.phone == "" and sheet.address == ADDRESS


def test_the_driver_never_opens_the_persons_record_only_the_delivery(todays_delivery, client_for):
    # ACCESS.md: a driver sees a first name, the delivery address and a number if allowed, and
    # nothing else. The delivery's relationship must not open the person's record or the people list,
    # which would show the surname, date of birth and safe-contact instructions.
    person = Person.objects.get(pk=todays_delivery.case.person_id)
    client = client_for("charity.volunteer", "alice-charity")
    record = client.get(reverse("people:person_detail", args=[person.pk]))
    assert record.status_code in (403, 404) and person.family_name not in record.content.decode()
    listing = client.get(reverse("people:person_list"))
    assert person.family_name not in listing.content.decode()
    sheet = client.get(reverse("support:delivery_detail", kwargs={"delivery_id": todays_delivery.pk})).content.decode()
    assert person.given_name in sheet and ADDRESS in sheet and person.family_name not in sheet


def test_a_closed_delivery_keeps_no_address(todays_delivery, volunteer):
    with volunteer as actor:
        services.delivery_confirm(actor=actor, delivery=todays_delivery, received_by="Sam", confirmed=True)
    todays_delivery.refresh_from_db()
    assert todays_delivery.status == DeliveryStatus.DELIVERED and todays_delivery.address == ""
