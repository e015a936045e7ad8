"""Search before create in a real browser: the IDVA records Liz Walker again, with her nickname
and her new address; Hearth finds the police record of Elizabeth Walker and does not offer her
sister Jodie or her daughter Mia. Screenshots for docs/guide/recording-people.md."""

from __future__ import annotations

import pytest

from hearth.people.models import Person

from .conftest import assert_accessible, screenshot, sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_liz_entered_again_with_her_nickname_and_new_address_is_found_and_her_sister_is_not(page):
    mother = Person.objects.get(given_name="Elizabeth", family_name="Walker")
    born = mother.date_of_birth
    sign_in_as(page, "idva", "new-era-victims")
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
