"""Demo stories 2 and 3 in a real browser: Liz Walker's Dash and the MARAC prompt, the MARAC
coordinator's meeting, case and actions, the IDVA's caseload and safety plan, and the school
safeguarding lead acknowledging a notification. Screenshots for docs/guide/risk-and-marac.md."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from hearth.demo import world
from hearth.marac.models import MaracCase
from hearth.people.models import Person
from hearth.platform.auth.services import recovery_codes_replace
from hearth.platform.models import Membership, User
from hearth.risk.models import Assessment, SchoolNotification

from .conftest import assert_accessible, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SIGNED_IN: set[str] = set()


def _sign_in(page, username: str, agency_slug: str | None = None):
    page.context.clear_cookies()
    page.goto("/sign-in/")
    page.get_by_label("Username or email address").fill(username)
    page.locator("#id_password").fill(world.DEMO_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/sign-in/code/")
    user = User.objects.get(username=username)
    # An authenticator code works once: a second sign-in within 30 seconds uses a recovery code.
    code = recovery_codes_replace(user=user)[0] if username in SIGNED_IN else world.current_code(
        TOTPDevice.objects.get(user=user, confirmed=True))
    SIGNED_IN.add(username)
    page.get_by_label("Security code").fill(code)
    page.get_by_role("button", name="Continue").click()
    if agency_slug:
        membership = Membership.objects.get(user__username=username, agency__slug=agency_slug)
        page.locator(f"input[name=membership][value='{membership.pk}']").check()
        page.get_by_role("button", name="Continue").click()
    page.wait_for_selector("h1")


def test_high_risk_to_marac_with_actions_plan_and_school_notification(page):
    SIGNED_IN.clear()
    liz = Person.objects.get(given_name="Elizabeth", family_name="Walker")
    mia = Person.objects.get(given_name="Mia", family_name="Walker")
    dash = Assessment.objects.get(person=liz, status="submitted")
    case = MaracCase.objects.get(referral__person=liz)

    # The officer: Liz's risk page, the Dash of 15 and the MARAC prompt with its reasons (a repeat now).
    _sign_in(page, "police.officer")
    page.goto(f"/people/{liz.pk}/")
    page.get_by_role("link", name="Risk level, checklists and MARAC").click()
    assert "This case meets the MARAC referral criteria" in page.content()
    assert "Repeat MARAC" in page.content()
    assert_accessible(page)
    screenshot(page, "risk-person")
    page.goto(f"/risk/assessments/{dash.pk}/")
    assert "15 of 24" in page.content()
    assert_accessible(page)
    screenshot(page, "risk-assessment")
    # Submitting a half-answered checklist keeps it as a draft, unscored, with what was typed.
    page.goto(f"/risk/person/{liz.pk}/assessments/new/")
    page.get_by_label("Completed with the survivor").check()
    page.get_by_label("Date of the assessment").fill("20 11 2026")
    page.locator("input[name=q_injury][value=yes]").check()
    page.get_by_role("button", name="Submit and score").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert "The checklist is not complete" in page.content()
    assert page.locator("input[name=q_injury][value=yes]").is_checked()
    assert_accessible(page)
    screenshot(page, "risk-checklist-incomplete")
    page.goto(f"/risk/children/{mia.pk}/")
    assert "Hanley Park Primary" in page.content()
    assert_accessible(page)
    screenshot(page, "risk-child")

    # The MARAC coordinator: figures, the listed case with three research returns, and actions.
    _sign_in(page, "marac.coordinator")
    page.goto("/marac/")
    assert "against the national 31%" in page.content()
    assert_accessible(page)
    screenshot(page, "marac-dashboard")
    page.goto(f"/marac/meetings/{case.meeting_id}/")
    assert_accessible(page)
    screenshot(page, "marac-meeting")
    page.goto(f"/marac/cases/{case.pk}/")
    assert page.locator("h3", has_text="Stoke-on-Trent City Council – Housing Options").is_visible()
    assert "Overdue" in page.content()
    assert_accessible(page)
    screenshot(page, "marac-case")
    page.get_by_role("link", name="Add an action").click()
    page.get_by_label("Action").fill("Offer the children a place in the school's nurture group.")
    page.get_by_role("button", name="Add the action").click()
    assert "Choose the agency that owns this action." in page.content()
    assert "Offer the children a place" in page.content()
    assert_accessible(page)
    screenshot(page, "marac-action-errors")

    # The IDVA: her caseload and Liz's safety plan, and its plain printable copy.
    _sign_in(page, "idva", "new-era-victims")
    page.goto("/risk/caseload/")
    assert "Elizabeth Walker" in page.content()
    assert_accessible(page)
    screenshot(page, "idva-caseload")
    page.goto(f"/risk/person/{liz.pk}/plan/")
    assert "Did you feed the cat?" in page.content()
    assert_accessible(page)
    screenshot(page, "safety-plan")
    page.goto(f"/risk/person/{liz.pk}/plan/print/")
    assert page.title().startswith("My plan")
    screenshot(page, "safety-plan-print")

    # The school's safeguarding lead: only the notification, and she acknowledges it.
    _sign_in(page, "school.lead")
    page.goto("/risk/school/")
    assert "Mia Walker" in page.content() and "Hartshill" not in page.content()
    assert_accessible(page)
    screenshot(page, "school-notifications")
    page.get_by_role("button", name="Acknowledge the notification about Mia Walker").first.click()
    page.wait_for_selector("text=Acknowledged. Thank you.")
    assert SchoolNotification.objects.filter(child=mia, acknowledged_at__isnull=True).count() == 0
