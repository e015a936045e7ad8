"""A newcomer signs in with a second factor and sees only their agency's world."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from hearth.demo import world
from hearth.people.models import Person

from .conftest import assert_accessible, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, username: str):
    page.goto("/home/")
    page.get_by_label("Username or email address").fill(username)
    page.locator("#id_password").fill(world.DEMO_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/sign-in/code/")
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    page.get_by_label("Security code").fill(world.current_code(device))
    page.get_by_role("button", name="Continue").click()


def test_police_officer_signs_in_and_sees_their_agency(page):
    page.goto("/home/")
    assert_accessible(page)
    screenshot(page, "sign-in")
    page.get_by_label("Username or email address").fill("police.officer")
    page.locator("#id_password").fill("wrong password")
    page.get_by_role("button", name="Continue").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert_accessible(page)
    page.locator("#id_password").fill(world.DEMO_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/sign-in/code/")
    assert_accessible(page)
    screenshot(page, "second-factor")
    device = TOTPDevice.objects.get(user__username="police.officer", confirmed=True)
    page.get_by_label("Security code").fill(world.current_code(device))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_selector("h1")
    assert "Harm Reduction Hub" in page.locator("h1").inner_text()
    assert "Acting for" in page.content()
    assert_accessible(page)
    screenshot(page, "home-police")

    page.get_by_role("link", name="People your agency works with").click()
    page.get_by_label("Search by name").fill("Walker")
    page.get_by_role("button", name="Search").click()
    assert_accessible(page)
    page.get_by_role("link", name="Elizabeth Walker").click()
    assert "Hartshill Road" in page.content()
    assert_accessible(page)
    screenshot(page, "person-police")


def test_charity_worker_sees_only_what_was_shared(page):
    _sign_in(page, "charity.worker")
    mother = Person.objects.get(given_name="Elizabeth", family_name="Walker")
    page.goto(f"/people/{mother.pk}/")
    assert "Elizabeth" in page.content()
    assert "Hartshill Road" not in page.content() and "900431" not in page.content()
    assert_accessible(page)
    screenshot(page, "person-charity")
    response = page.goto(f"/people/{Person.objects.get(given_name='Dean', family_name='Walker').pk}/")
    assert response.status == 404
    assert_accessible(page)


def test_record_a_person_form_keeps_input_and_is_accessible(page):
    _sign_in(page, "police.officer")
    page.goto("/people/new/")
    assert_accessible(page)
    page.get_by_label("Family name").fill("Okafor")
    page.get_by_label("Date of birth (optional)").fill("31 2 1990")
    page.get_by_role("button", name="Save").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert page.get_by_label("Family name").input_value() == "Okafor"
    assert_accessible(page)
    screenshot(page, "record-person-errors")


def test_dpo_searches_the_audit(page):
    _sign_in(page, "police.dpo")
    page.get_by_role("link", name="Search the audit").click()
    page.get_by_label("Username").fill("police.officer")
    page.get_by_role("button", name="Search").click()
    assert page.locator("table").is_visible()
    assert_accessible(page)
    screenshot(page, "audit-search")
