"""Demo stories 2 and 3 in a real browser: Liz Walker's Dash and the MARAC prompt, the MARAC
coordinator's meeting, case and actions, the IDVA's caseload and safety plan, and the school
safeguarding lead acknowledging a notification. Screenshots for docs/guide/risk-and-marac.md."""

from __future__ import annotations

import pytest

from hearth.marac.models import MaracCase
from hearth.people.models import Person
from hearth.risk.models import Assessment, SchoolNotification

from .conftest import assert_accessible, screenshot, sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_high_risk_to_marac_with_actions_plan_and_school_notification(page):
    liz = Person.objects.get(given_name="Elizabeth", family_name="Walker")
    mia = Person.objects.get(given_name="Mia", family_name="Walker")
    dash = Assessment.objects.get(person=liz, status="submitted")
    case = MaracCase.objects.get(referral__person=liz)

    # The officer: Liz's risk page, the Dash of 15 and the MARAC prompt with its reasons (a repeat now).
    sign_in_as(page, "police.officer")
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
    sign_in_as(page, "marac.coordinator")
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
    sign_in_as(page, "idva", "new-era-victims")
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
    sign_in_as(page, "school.lead")
    page.goto("/risk/school/")
    assert "Mia Walker" in page.content() and "Hartshill" not in page.content()
    assert_accessible(page)
    screenshot(page, "school-notifications")
    page.get_by_role("button", name="Acknowledge the notification about Mia Walker").first.click()
    page.wait_for_selector("text=Acknowledged. Thank you.")
    assert SchoolNotification.objects.filter(child=mia, acknowledged_at__isnull=True).count() == 0
