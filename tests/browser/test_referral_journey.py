"""The demo referral story in a real browser: refer, accept, decline, and the officer sees both."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from hearth.demo import world
from hearth.people.models import Person
from hearth.platform.auth.services import recovery_codes_replace
from hearth.platform.models import Membership, User
from hearth.referrals.models import Referral

from .conftest import assert_accessible, screenshot

SIGNED_IN: set[str] = set()
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, username: str, agency_slug: str | None = None):
    page.context.clear_cookies()
    page.goto("/sign-in/")
    page.get_by_label("Username or email address").fill(username)
    page.locator("#id_password").fill(world.DEMO_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/sign-in/code/")
    # Each authenticator code works once: signing the same person in again within 30 seconds
    # uses a recovery code instead, as a person without their phone would.
    user = User.objects.get(username=username)
    if username in SIGNED_IN:
        code = recovery_codes_replace(user=user)[0]
    else:
        code = world.current_code(TOTPDevice.objects.get(user=user, confirmed=True))
        SIGNED_IN.add(username)
    page.get_by_label("Security code").fill(code)
    page.get_by_role("button", name="Continue").click()
    if agency_slug:
        membership = Membership.objects.get(user__username=username, agency__slug=agency_slug)
        page.locator(f"input[name=membership][value='{membership.pk}']").check()
        page.get_by_role("button", name="Continue").click()
    page.wait_for_selector("h1")


def test_refer_accept_decline_and_the_officer_sees_both(page):
    SIGNED_IN.clear()
    mother = Person.objects.get(given_name="Elizabeth", family_name="Walker")
    # A fresh pair of referrals from the officer: to the refuge (accepted) and New Era's open one (declined).
    _sign_in(page, "police.officer")
    page.goto(f"/people/{mother.pk}/")
    page.get_by_role("link", name="Make a referral").click()
    assert_accessible(page)
    page.get_by_label("Refer to").select_option(label="Potteries Refuge")
    page.get_by_label("Safe accommodation").check()
    page.get_by_label("Identity").check()
    page.get_by_label("Risk level", exact=True).check() if page.get_by_label("Risk level", exact=True).count() else None
    page.get_by_label("Consent", exact=True).check()
    page.get_by_label("Date consent was given (if consent)").fill("1 11 2026")
    screenshot(page, "referral-new")
    page.get_by_role("button", name="Send referral").click()
    page.wait_for_selector("text=Referral sent to Potteries Refuge")
    assert_accessible(page)
    refuge_referral = Referral.objects.filter(person=mother, to_agency__slug="potteries-refuge").latest("pk")

    _sign_in(page, "refuge.worker")
    page.goto("/referrals/")
    assert_accessible(page)
    screenshot(page, "referral-inbox")
    page.get_by_role("link", name=f"Referral {refuge_referral.pk}").click()
    page.get_by_label("Who will work with them?").select_option(label="Lisa Plant")
    page.get_by_role("button", name="Accept").click()
    page.wait_for_selector("text=Accepted")

    new_era = Referral.objects.get(person=mother, to_agency__slug="new-era-victims")
    _sign_in(page, "idva", "new-era-victims")
    page.goto(f"/referrals/{new_era.pk}/")
    page.get_by_text("Decline this referral").click()
    page.get_by_role("button", name="Decline").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert_accessible(page)
    page.get_by_text("Decline this referral").click() if not page.get_by_label("Why are you declining?").is_visible() else None
    page.get_by_label("Why are you declining?").fill("No outreach capacity this month.")
    page.get_by_label("Suggest another agency (optional)").select_option(label="Potteries Refuge")
    page.get_by_role("button", name="Decline").click()
    page.wait_for_selector("text=Declined because")

    _sign_in(page, "police.officer")
    page.goto("/referrals/sent/")
    assert_accessible(page)
    screenshot(page, "referral-sent")
    page.goto(f"/referrals/{new_era.pk}/")
    assert "No outreach capacity this month." in page.content()
    page.goto(f"/referrals/{refuge_referral.pk}/")
    assert "Lisa Plant" in page.content()
    screenshot(page, "referral-outcome")
