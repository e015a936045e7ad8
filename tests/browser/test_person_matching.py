"""Search before create in a real browser: the IDVA records Liz Walker again, with her nickname
and her new address; Hearth finds the police record of Elizabeth Walker and does not offer her
sister Jodie or her daughter Mia. Screenshots for docs/guide/recording-people.md."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from hearth.demo import world
from hearth.people.models import Person
from hearth.platform.models import Membership, User

from .conftest import assert_accessible, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, username: str, agency_slug: str):
    page.context.clear_cookies()
    page.goto("/sign-in/")
    page.get_by_label("Username or email address").fill(username)
    page.locator("#id_password").fill(world.DEMO_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/sign-in/code/")
    user = User.objects.get(username=username)
    page.get_by_label("Security code").fill(world.current_code(TOTPDevice.objects.get(user=user, confirmed=True)))
    page.get_by_role("button", name="Continue").click()
    membership = Membership.objects.get(user__username=username, agency__slug=agency_slug)
    page.locator(f"input[name=membership][value='{membership.pk}']").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_selector("h1")


def test_liz_entered_again_with_her_nickname_and_new_address_is_found_and_her_sister_is_not(page):
    mother = Person.objects.get(given_name="Elizabeth", family_name="Walker")
    born = mother.date_of_birth
    _sign_in(page, "idva", "new-era-victims")
    page.goto("/people/")
    page.get_by_role("link", name="Record a person").click()
    page.get_by_label("Given name").fill("Liz")
    page.get_by_label("Family name").fill("Walker")
    page.get_by_label("Date of birth (optional)").fill(f"{born.day} {born.month} {born.year}")
    page.get_by_label("Safe address (optional)").fill("Room 4, 2 Lichfield Street, Hanley")
    page.get_by_label("Postcode (optional)").fill("ST1 3EA")
    screenshot(page, "person-new")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("h1:has-text('Is this person already known?')")
    body = page.content()
    assert "Elizabeth Walker" in body
    assert "given name agrees (nickname, alias or other spelling)" in body
    assert "Jodie" not in body and "Mia Walker" not in body
    assert_accessible(page)
    screenshot(page, "person-matches")
    page.get_by_label("Elizabeth Walker", exact=False).first.check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_selector("text=Person recorded and linked to their other record.")
    new = Person.objects.get(given_name="Liz", family_name="Walker")
    assert new.identity_id == mother.identity_id
