"""Practical support in a real browser: the charity worker reserves donated stock and arranges a
delivery, the volunteer driver sees the address on the day and records the delivery (then sees it
no more), and the referring officer sees "needs met". Screenshots for docs/guide/practical-support.md."""

from __future__ import annotations

import pytest
from django.utils import timezone

from hearth.support.models import SupportCase

from .conftest import assert_accessible, screenshot, sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ADDRESS = "Flat 8, 4 Etruria Vale Road, Stoke-on-Trent ST1 4BN"


def test_donated_stock_reaches_a_family_and_the_referrer_sees_needs_met(page):
    popa = SupportCase.objects.get(person__given_name="Andreea")
    walker = SupportCase.objects.get(person__given_name="Elizabeth")

    # The charity worker: the dashboard counts the Walkers' delivery.
    sign_in_as(page, "charity.worker")
    page.goto("/support/")
    assert page.locator("[data-figure=families-this-month]").inner_text().strip() != "0"
    assert_accessible(page)
    screenshot(page, "support-dashboard")

    # A cot is donated by a member of the public: it joins the ledger; the thank-you letter is ready.
    page.goto("/support/donations/new/")
    page.get_by_role("radio", name="A member of the public").check()
    page.get_by_label("Donor's name (not for anonymous)").fill("Carol Ashley")
    page.get_by_label("Date received").fill(timezone.localdate().strftime("%-d %-m %Y"))
    page.get_by_label("Where did it go?").select_option(label="Alice Charity store")
    page.get_by_label("Items", exact=True).fill("Cot: 1\nCot bedding: 1")
    assert_accessible(page)
    screenshot(page, "support-donation-new")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("text=Donation recorded and added to stock.")
    assert "Dear Carol Ashley" in page.locator("[data-thank-you-letter]").inner_text()
    screenshot(page, "support-thank-you-letter")

    # The Popa family's cot: reserve it from the suggested store.
    page.goto(f"/support/families/{popa.pk}/")
    assert_accessible(page)
    screenshot(page, "support-family")
    page.get_by_role("link", name="Reserve 1 Cot for Child aged 0").click()
    assert_accessible(page)
    screenshot(page, "support-reserve")
    page.get_by_role("button", name="Reserve").click()
    page.wait_for_selector("text=Reserved for Child aged 0.")

    # Today's delivery, driven by Dave: the address is typed once and not shown to the worker again.
    page.get_by_role("link", name="Arrange a delivery or collection").click()
    page.get_by_label("1 × Cot for Child aged 0, from Alice Charity store").check()
    page.get_by_label("Delivered to the family").check()
    page.get_by_label("Date", exact=True).fill(timezone.localdate().strftime("%-d %-m %Y"))
    page.get_by_label("Morning (9am to 12pm)").check()
    page.get_by_label("Driver (for a delivery)").select_option(label="Dave Mountford")
    page.get_by_label("Safe address to deliver to (for a delivery)").fill(ADDRESS)
    screenshot(page, "support-delivery-new")
    page.get_by_role("button", name="Arrange").click()
    page.wait_for_selector("text=arranged.")
    assert ADDRESS not in page.content()
    assert_accessible(page)
    screenshot(page, "support-delivery-worker")

    page.goto("/support/stock/")
    assert_accessible(page)
    screenshot(page, "support-stock")
    page.goto("/support/unmet-needs/")
    screenshot(page, "support-unmet")

    # The volunteer driver: today's van sheet has the address; once delivered, it is gone.
    sign_in_as(page, "charity.volunteer")
    page.goto("/support/van-sheet/")
    assert ADDRESS in page.locator("[data-delivery-address]").first.inner_text()
    assert "Practical items" not in page.content() and "abuse" not in page.locator("main").inner_text()
    assert_accessible(page)
    screenshot(page, "support-van-sheet")
    page.get_by_role("link", name="Open").first.click()
    page.get_by_label("First name of the person who took the items in").fill("Andreea")
    page.get_by_label("Every item on the list was handed over").check()
    screenshot(page, "support-delivered")
    page.get_by_role("button", name="Delivered").click()
    page.wait_for_selector("text=You have no deliveries today.")
    assert ADDRESS not in page.content()

    # The referring officer: the Walkers' referral says "Needs met", and nothing of the charity's notes.
    sign_in_as(page, "police.officer")
    page.goto(f"/referrals/{walker.referral_id}/")
    assert page.locator("[data-support-feedback]").inner_text() == "Needs met"
    assert "Gas cooker point" not in page.content()
    assert_accessible(page)
    screenshot(page, "support-referrer-feedback")
