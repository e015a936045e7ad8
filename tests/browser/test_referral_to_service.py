"""Referring to a service in the directory, in a real browser: a service not on Hearth is refused
with its contact route; a service of an agency on Hearth reaches that agency with the service
named. Screenshots for docs/guide/referrals.md."""

from __future__ import annotations

import pytest

from hearth.directory.models import Service
from hearth.people.models import Person
from hearth.platform.models import Agency
from hearth.referrals.models import Referral

from .conftest import assert_accessible, screenshot, sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fill(page, *, service: str, reason: str):
    page.get_by_label("Or to a service in the directory").select_option(label=service)
    page.get_by_label(reason).check()
    page.get_by_label("What is needed (optional)").fill("Two beds, bedding and a cooker")
    page.get_by_label("Identity", exact=True).check()
    page.get_by_label("Consent", exact=True).check()
    page.get_by_label("Date consent was given (if consent)").fill("20 11 2026")


def test_the_officer_refers_to_a_directory_service(page):
    # The demo directory links the charity's entry to its Hearth agency; a national helpline is not on Hearth.
    assert Service.objects.get(name__startswith="The Alice Charity").agency == Agency.objects.get(slug="alice-charity")
    mother = Person.objects.get(given_name="Elizabeth", family_name="Walker")
    sign_in_as(page, "police.officer")
    page.goto(f"/referrals/new/for/{mother.pk}/")
    _fill(page, service="Men's Advice Line (not on Hearth)", reason="Specialist domestic abuse support")
    page.get_by_role("button", name="Send referral").click()
    summary = page.locator(".govuk-error-summary")
    assert "Men's Advice Line does not take referrals through Hearth" in summary.inner_text()
    assert "phone 0808 8010 327 (Free)" in summary.inner_text()
    assert page.get_by_label("What is needed (optional)").input_value() == "Two beds, bedding and a cooker"
    assert_accessible(page)
    screenshot(page, "referral-service-not-on-hearth")

    page.get_by_label("Specialist domestic abuse support").uncheck()
    page.get_by_label("Or to a service in the directory").select_option(
        label="The Alice Charity – family support (The Alice Charity)")
    page.get_by_label("Practical items (basics, furniture)").check()
    page.get_by_label("Send anyway: I know there is already an open referral").check()
    page.get_by_role("button", name="Send referral").click()
    page.wait_for_selector("h1")
    assert "The Alice Charity – family support (The Alice Charity)" in page.locator("main").inner_text()
    assert Referral.objects.filter(person=mother, to_service__name__startswith="The Alice Charity").count() == 1
    screenshot(page, "referral-to-service")
