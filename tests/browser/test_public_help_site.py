"""The public help site in a real browser: axe on every public page, quick exit by button and by
Shift pressed three times, a self-referral reaching New Era's inbox, and the guide's screenshots."""

from __future__ import annotations

import pytest

from hearth.directory.models import Service
from hearth.referrals.models import Referral, Source

from .conftest import assert_accessible, screenshot, sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXIT = "https://www.bbc.co.uk/weather"

PUBLIC_PAGES = [
    ("/", "public-help"),
    ("/what-is-abuse/", "public-what-is-abuse"),
    ("/is-this-happening-to-me/", "public-happening-to-me"),
    ("/worried-about-someone/", "public-worried-about-someone"),
    ("/worried-about-your-behaviour/", "public-own-behaviour"),
    ("/exit-this-page/?next=/contact-form/", "public-exit-explained"),
    ("/staying-safe-online/", "public-safety"),
    ("/contact-form/", "public-self-referral"),
    ("/contact-form/sent/", "public-self-referral-sent"),
    ("/directory/", "public-directory"),
    ("/directory/?need=&audience=men&language=&postcode=ST4+7NH", "public-directory-search"),
    ("/directory/?postcode=ST99+9ZZ", "public-directory-unknown-postcode"),
    ("/ur/", "public-help-urdu"),
    ("/pl/", "public-help-polish"),
    ("/pa/", "public-help-punjabi"),
    ("/ur/contact-form/", "public-self-referral-urdu"),
]


def _neutral_site(page):
    # No network in tests: the neutral site answers from here, so the exit can be followed.
    page.context.route(f"{EXIT}**", lambda route: route.fulfill(status=200, content_type="text/html",
                                                                body="<title>Weather</title><h1>Weather</h1>"))


def test_every_public_page_passes_axe_at_desktop_and_mobile_width(page):
    new_era = Service.objects.get(agency__slug="new-era-victims")
    pages = [*PUBLIC_PAGES, (f"/directory/services/{new_era.number}/", "public-directory-service")]
    for width, suffix in ((1100, ""), (390, "-mobile")):
        page.set_viewport_size({"width": width, "height": 900})
        for url, name in pages:
            page.goto(url)
            assert page.locator(".govuk-exit-this-page__button").is_visible(), url
            assert_accessible(page)
            if suffix == "" or name in ("public-help", "public-self-referral", "public-directory-search",
                                        "public-help-urdu", "public-exit-explained"):
                screenshot(page, name + suffix)
    assert page.context.cookies() == [c for c in page.context.cookies() if c["name"] == "csrftoken"]


def test_quick_exit_by_the_button(page):
    _neutral_site(page)
    page.goto("/what-is-abuse/")
    page.locator(".govuk-exit-this-page__button").click()
    page.wait_for_url(f"{EXIT}**")
    assert page.locator("h1").inner_text() == "Weather"


def test_quick_exit_by_pressing_shift_three_times(page):
    _neutral_site(page)
    page.goto("/ur/")
    page.locator("h1").click()  # the page has focus, as after reading
    for _ in range(3):
        page.keyboard.press("Shift")
    page.wait_for_url(f"{EXIT}**")
    assert page.locator("h1").inner_text() == "Weather"


def test_two_presses_of_shift_do_not_leave_and_say_so(page):
    _neutral_site(page)
    page.goto("/")
    page.locator("h1").click()
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.wait_for_timeout(300)
    assert page.url.endswith("/")
    assert "1 more time" in page.locator(".govuk-exit-this-page").inner_text()


def test_a_form_with_problems_passes_axe_and_keeps_what_was_typed(page):
    page.goto("/contact-form/")
    page.get_by_label("First name").fill("Roksana")
    page.get_by_label("Safe phone number").fill("not a number")
    page.get_by_role("button", name="Send").click()
    page.wait_for_selector(".govuk-error-summary")
    assert_accessible(page)
    screenshot(page, "public-self-referral-errors")
    assert page.get_by_label("First name").input_value() == "Roksana"


def test_a_visitor_refers_herself_and_new_era_sees_it_with_her_safe_contact_rules(page, settings):
    settings.HEARTH_SELF_REFERRAL_MIN_SECONDS = 0
    page.goto("/")
    page.get_by_role("link", name="Ask New Era to contact you").click()
    # The interruption page first: the button, the shortcut and what it does not do.
    assert "Shift key 3 times" in page.locator("main").inner_text()
    page.get_by_role("link", name="Continue").click()
    page.get_by_label("New Era – victim services").check()
    page.get_by_label("First name").fill("Ewa")
    page.get_by_label("Last name").fill("Zielinska")
    page.get_by_label("Contact me in the ways I choose below").check()
    page.get_by_label("Safe phone number").fill("07700 900 321")
    page.get_by_label("send a text message").check()
    page.get_by_label("When is it safe to contact you?").fill("Weekdays before 3pm")
    page.get_by_label("I agree").check()
    screenshot(page, "public-self-referral-filled")
    page.get_by_role("button", name="Send").click()
    page.wait_for_selector("text=Request sent")
    assert "Zielinska" not in page.content()
    assert_accessible(page)
    referral = Referral.objects.get(source=Source.SELF_REFERRAL, person__family_name="Zielinska")
    assert referral.text_ok and not referral.safe_to_call and referral.safe_times == "Weekdays before 3pm"

    sign_in_as(page, "idva", "new-era-victims")
    page.goto("/referrals/")
    assert page.get_by_role("link", name=f"Referral {referral.pk}").is_visible()
    page.get_by_role("link", name=f"Referral {referral.pk}").click()
    page.wait_for_selector("h1")
    assert_accessible(page)
    screenshot(page, "public-self-referral-in-inbox")


def test_a_partnership_admin_edits_help_text_and_the_directory(page):
    sign_in_as(page, "partnership.admin")
    page.goto("/help-admin/")
    assert_accessible(page)
    screenshot(page, "admin-help-text-list")
    page.goto("/help-admin/edit/?section=own_behaviour&language=en-gb")
    page.get_by_label("Heading").fill("Worried about how you treat someone?")
    assert_accessible(page)
    screenshot(page, "admin-help-text-edit")
    page.get_by_role("button", name="Publish").click()
    page.wait_for_selector("text=Published")
    page.goto("/directory/manage/")
    assert_accessible(page)
    screenshot(page, "admin-directory-list")
    page.get_by_role("link", name="Add a service").click()
    page.get_by_label("Organisation that runs it").fill("Saheli Women's Group")
    page.get_by_label("Service name").fill("Saheli drop-in")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector(".govuk-error-summary")
    assert_accessible(page)
    screenshot(page, "admin-directory-edit-errors")
    page.goto("/help-admin/held/")
    assert_accessible(page)
    page.goto("/worried-about-your-behaviour/")
    assert page.locator("h1").inner_text() == "Worried about how you treat someone?"
