"""Demo story 1 in a real browser: the officer refers the Walker family to the Alice Charity (beds,
a cooker) and to New Era; the charity accepts; New Era declines for capacity and suggests another
service; the officer sees both outcomes. Screenshots for docs/guide/referrals.md."""

from __future__ import annotations

import pytest

from hearth.people.models import Person
from hearth.platform import context
from hearth.platform.models import Membership, User
from hearth.referrals.models import Referral
from hearth.referrals.services import referral_withdraw

from .conftest import assert_accessible, screenshot, sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _start_afresh(mother):
    """The demo world already holds this story's referrals: the officer withdraws the open ones
    so the walk-through sends them again from the start."""
    officer = User.objects.get(username="police.officer")
    officer.membership = Membership.objects.get(user=officer, agency__slug="stoke-north-hub")
    with context.acting_as(officer, officer.membership):
        for referral in Referral.objects.filter(person=mother, to_agency__slug__in=["alice-charity", "new-era-victims"],
                                                status__in=["sent", "received", "accepted", "in_progress"]):
            referral_withdraw(actor=officer, referral=referral, reason="Walk-through starts afresh.")


def _refer(page, mother, *, agency: str, reason: str, parts: list[str], needs: str = "", urgent: bool = False):
    page.goto(f"/people/{mother.pk}/")
    page.get_by_role("link", name="Make a referral").click()
    page.get_by_label("Refer to").select_option(label=agency)
    page.get_by_label(reason).check()
    if needs:
        page.get_by_label("What is needed (optional)").fill(needs)
    if urgent:
        page.get_by_label("Urgent", exact=True).check()
        page.get_by_label("Risk level, if known").select_option(label="High")
    page.get_by_label("Mia Walker").check()
    page.get_by_label("Leo Walker").check()
    for part in parts:
        page.get_by_label(part, exact=True).check()
    page.get_by_label("Consent", exact=True).check()
    page.get_by_label("Date consent was given (if consent)").fill("20 11 2026")
    page.get_by_label("A text message may be sent").check()
    page.get_by_label("Safe times to make contact (optional)").fill("Weekdays 9am to 3pm")


def test_the_walker_family_is_referred_and_the_officer_sees_both_outcomes(page):
    mother = Person.objects.get(given_name="Elizabeth", family_name="Walker")
    _start_afresh(mother)

    # The officer refers the family to the Alice Charity for beds and a cooker.
    sign_in_as(page, "police.officer")
    _refer(page, mother, agency="The Alice Charity", reason="Practical items (basics, furniture)",
           parts=["Identity", "Household", "Practical needs", "Risk level"],
           needs="Two single beds and bedding for Mia (9) and Leo (5), a cooker, school uniform age 9.")
    assert_accessible(page)
    screenshot(page, "referral-new")
    page.get_by_role("button", name="Send referral").click()
    page.wait_for_selector("text=Referral sent to The Alice Charity")
    alice = Referral.objects.filter(person=mother, to_agency__slug="alice-charity").latest("pk")

    # ... and to New Era for support. Forgetting the lawful basis is explained, nothing is sent.
    _refer(page, mother, agency="New Era – victim services", reason="Specialist domestic abuse support",
           parts=["Identity", "Contact details and safe-contact instructions", "Household", "Risk level"],
           urgent=True)
    page.locator("input[name=lawful_basis]:checked").evaluate("radio => { radio.checked = false; }")
    page.get_by_role("button", name="Send referral").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert "Choose the lawful basis for sharing." in page.content()
    assert page.get_by_label("Mia Walker").is_checked()  # what was chosen is kept
    assert_accessible(page)
    screenshot(page, "referral-errors")
    page.get_by_label("Consent", exact=True).check()
    page.get_by_role("button", name="Send referral").click()
    page.wait_for_selector("text=Referral sent to New Era")
    new_era = Referral.objects.filter(person=mother, to_agency__slug="new-era-victims").latest("pk")
    assert Referral.objects.filter(person=mother, to_agency__slug="new-era-victims", status="sent").count() == 1

    # The charity worker accepts, taking it on herself.
    sign_in_as(page, "charity.worker")
    page.goto("/referrals/")
    assert_accessible(page)
    screenshot(page, "referral-inbox")
    page.get_by_role("link", name=f"Referral {alice.pk}", exact=True).click()
    assert "Two single beds" in page.content()
    page.get_by_label("Who will work with them?").select_option(label="Joanne Bloor")
    page.get_by_role("button", name="Accept").click()
    page.wait_for_selector("text=Assigned to Joanne Bloor")

    # New Era's community outreach has no capacity: it declines and suggests another service.
    sign_in_as(page, "caseworker")
    page.goto("/referrals/?view=overdue")
    page.goto("/referrals/")
    page.get_by_role("link", name=f"Referral {new_era.pk}", exact=True).click()
    page.get_by_text("Decline this referral").click()
    page.get_by_role("button", name="Decline").click()
    assert page.locator(".govuk-error-summary").is_visible()
    if not page.get_by_label("Why are you declining?").is_visible():
        page.get_by_text("Decline this referral").click()
    page.get_by_label("Why are you declining?").fill(
        "No capacity in community outreach this month. At high risk she needs an IDVA straight away: "
        "Potteries Refuge's outreach IDVA can see her this week.")
    page.get_by_label("Suggest another agency (optional)").select_option(label="Potteries Refuge")
    screenshot(page, "referral-decline")
    page.get_by_role("button", name="Decline").click()
    page.wait_for_selector("text=Declined because")
    assert "no longer has access" in page.content()

    # The officer sees both outcomes.
    sign_in_as(page, "police.officer")
    page.goto("/referrals/sent/")
    assert_accessible(page)
    screenshot(page, "referral-sent")
    page.goto(f"/referrals/{alice.pk}/")
    assert "Joanne Bloor" in page.content() and "Accepted" in page.content()
    screenshot(page, "referral-accepted")
    page.goto(f"/referrals/{new_era.pk}/")
    content = page.content()
    assert "No capacity in community outreach this month." in content
    assert "Suggested instead: Potteries Refuge" in content
    assert_accessible(page)
    screenshot(page, "referral-outcome")
    page.goto("/notices/")
    assert f"Referral {alice.pk} accepted" in page.content() and f"Referral {new_era.pk} declined" in page.content()


def test_an_agency_admin_makes_a_partner_system_token(page):
    sign_in_as(page, "police.admin")
    page.goto("/api/tokens/")
    assert_accessible(page)
    page.get_by_label("Which system will use it?").fill("Niche records system")
    page.get_by_label("Send referrals").check()
    page.get_by_label("Read the status of the agency's own referrals").check()
    page.get_by_role("button", name="Make token").click()
    page.wait_for_selector("text=Copy it now")
    assert page.locator("#new-token").inner_text().startswith("hearth_")
    assert_accessible(page)
    screenshot(page, "api-token-made")
    page.goto("/api/tokens/")
    assert "Niche records system" in page.content()
    screenshot(page, "api-tokens")
