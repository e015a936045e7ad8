"""The public help site: the front door, quick exit, languages, no cookies, editable help text."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from hearth.platform.models import AuditAction, AuditEvent
from hearth.public.models import HelpText

PLAIN_PAGES = ["/", "/what-is-abuse/", "/is-this-happening-to-me/", "/worried-about-someone/",
               "/worried-about-your-behaviour/", "/exit-this-page/", "/staying-safe-online/",
               "/contact-form/sent/", "/directory/", "/directory/?need=helpline&postcode=ST4+7NH",
               "/directory/services/1/", "/ur/", "/pl/what-is-abuse/", "/pa/staying-safe-online/"]
ALL_PAGES = [*PLAIN_PAGES, "/contact-form/"]


def test_a_newcomer_at_the_root_finds_emergency_numbers_and_new_era(db):
    body = Client().get("/").content.decode()
    for fact in ("999", "55", "101", "0300 303 3778", "new-era@victimsupport.org.uk", "0808 2000 247",
                 "0808 8010 327", "0800 999 5428", "0808 8024 040", "What counts as domestic abuse",
                 "Is this happening to me?", "Worried about someone?", "Worried about your own behaviour?",
                 "Find a service near you", "Ask New Era to contact you"):
        assert fact in body, fact


def test_staff_find_their_sign_in_from_the_public_footer(db):
    assert f'href="{reverse("platform:sign_in")}"' in Client().get("/").content.decode()


def test_the_behaviour_page_gives_the_perpetrator_line(db):
    body = Client().get(reverse("public:own_behaviour")).content.decode()
    assert "0300 373 5772" in body and "behaviour-change@new-era.uk" in body


@pytest.mark.parametrize("url", ALL_PAGES)
def test_every_public_page_has_exit_this_page_and_a_neutral_title(db, url):
    response = Client().get(url)
    assert response.status_code == 200, url
    body = response.content.decode()
    assert 'data-module="govuk-exit-this-page"' in body
    assert "govuk-js-exit-this-page-skiplink" in body
    title = re.search(r"<title>(.*?)</title>", body, re.S).group(1)
    # A glance at a tab or the history says nothing about abuse.
    assert not re.search(r"abuse|violence|refuge|referral|perpetrator", title, re.I), title
    for tag in re.findall(r"<script\b[^>]*>", body):
        assert "src=" in tag, f"inline script on {url}: {tag}"


@pytest.mark.parametrize("url", PLAIN_PAGES)
def test_reading_a_public_page_sets_no_cookie(db, url):
    response = Client().get(url)
    assert response.status_code == 200
    assert not response.cookies, f"{url} set {list(response.cookies)}"


def test_only_the_form_sets_the_strictly_needed_csrf_cookie(db):
    response = Client().get(reverse("public:self_referral"))
    assert set(response.cookies) == {"csrftoken"}


def test_quick_exit_goes_to_the_neutral_site_the_partnership_chose(db, settings):
    settings.HEARTH_QUICK_EXIT_URL = "https://www.example.org/weather"
    body = Client().get("/").content.decode()
    assert body.count('href="https://www.example.org/weather"') == 2  # the button and the skip link


def test_the_default_quick_exit_is_a_weather_page(db):
    assert 'href="https://www.bbc.co.uk/weather"' in Client().get("/").content.decode()


def test_urdu_pages_are_right_to_left_and_translated(db):
    body = Client().get("/ur/").content.decode()
    assert '<html lang="ur" dir="rtl"' in body
    assert "یہ صفحہ چھوڑیں" in body  # Exit this page
    assert "گھریلو زیادتی کیا ہے" in body  # What counts as domestic abuse


@pytest.mark.parametrize(("prefix", "phrase"), [("/pl/", "Opuść tę stronę"), ("/pa/", "ਇਹ ਸਫ਼ਾ ਛੱਡੋ")])
def test_polish_and_punjabi_pages_are_translated_left_to_right(db, prefix, phrase):
    body = Client().get(prefix).content.decode()
    assert f'<html lang="{prefix.strip("/")}" class' in body
    assert phrase in body


def test_the_language_chooser_links_to_the_same_page_in_each_language(db):
    body = Client().get("/staying-safe-online/").content.decode()
    for link in ('href="/ur/staying-safe-online/"', 'href="/pl/staying-safe-online/"',
                 'href="/pa/staying-safe-online/"'):
        assert link in body


def test_staff_pages_stay_english_whatever_the_browser_asks(client_for):
    response = client_for("police.officer").get("/home/", HTTP_ACCEPT_LANGUAGE="pl")
    assert response.status_code == 200
    assert '<html lang="en-GB"' in response.content.decode()


def test_signed_in_staff_opening_the_root_go_to_their_home(client_for):
    response = client_for("idva", "new-era-victims").get("/")
    assert response.status_code == 302 and response["Location"] == reverse("platform:home")


def test_the_interruption_page_explains_the_button_the_shortcut_and_history(db):
    body = Client().get(reverse("public:exit_explained") + "?next=/contact-form/").content.decode()
    assert "Shift key 3 times" in body and "does not delete your browsing history" in body
    assert 'href="/contact-form/"' in body


def test_the_interruption_page_never_sends_people_off_site(db):
    body = Client().get(reverse("public:exit_explained") + "?next=//evil.example/").content.decode()
    assert 'href="//evil.example/"' not in body
    assert 'govuk-button--inverse" data-module="govuk-button" href="/"' in body


def test_the_safety_page_covers_private_browsing_history_and_safe_devices(db):
    body = Client().get(reverse("public:safety")).content.decode()
    for words in ("private or incognito window", "browser history", "safe device"):
        assert words in body


# --- the partnership admin edits the help text -------------------------------------------------

def test_a_partnership_admin_publishes_help_text_the_public_sees_at_once(client_for):
    admin = client_for("partnership.admin")
    response = admin.post(reverse("public_admin:help_text_edit"), {
        "section": "happening_to_me", "language": "en-gb", "title": "Could this be abuse?",
        "body": "Ask yourself some questions.\n\n- Are you afraid at home?"})
    assert response.status_code == 302
    body = Client().get(reverse("public:happening_to_me")).content.decode()
    assert "Could this be abuse?" in body and "<li>Are you afraid at home?</li>" in body
    text = HelpText.objects.get(title="Could this be abuse?")
    assert f"{text.published_at:%-d %B %Y}" in body
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="public.helptext",
                                     object_id=str(text.pk)).exists()
    # Other languages keep their own text until someone publishes theirs.
    assert "Could this be abuse?" not in Client().get("/pl/is-this-happening-to-me/").content.decode()


def test_help_text_with_markup_is_refused_and_keeps_what_was_typed(client_for):
    admin = client_for("partnership.admin")
    response = admin.post(reverse("public_admin:help_text_edit"), {
        "section": "what_is_abuse", "language": "ur", "title": "Title kept",
        "body": "<script>alert(1)</script>"})
    body = response.content.decode()
    assert "govuk-error-summary" in body and "Remove the &lt; and &gt; characters" in body
    assert "Title kept" in body
    assert not HelpText.objects.exists()


def test_help_text_missing_a_heading_shows_the_error_summary(client_for):
    admin = client_for("partnership.admin")
    response = admin.post(reverse("public_admin:help_text_edit"), {
        "section": "what_is_abuse", "language": "pl", "title": "", "body": "Tekst"})
    assert "govuk-error-summary" in response.content.decode()
    assert not HelpText.objects.exists()


def test_only_a_partnership_admin_edits_help_text(client_for):
    idva = client_for("idva", "new-era-victims")
    assert idva.get(reverse("public_admin:help_text_list")).status_code == 403
    response = idva.post(reverse("public_admin:help_text_edit"), {
        "section": "what_is_abuse", "language": "en-gb", "title": "x", "body": "y"})
    assert response.status_code == 403
    assert not HelpText.objects.exists()


@pytest.mark.parametrize("sneaky", ["/\\evil.example/", "/\\/evil.example/", "/%5Cevil.example/"])
def test_the_interruption_page_never_sends_people_off_site_by_a_backslash(db, sneaky):
    # Browsers read "/\" as "//": a link there would leave the help site for anyone's page.
    from urllib.parse import quote

    body = Client().get(reverse("public:exit_explained") + "?next=" + quote(sneaky, safe="%")).content.decode()
    assert 'govuk-button--inverse" data-module="govuk-button" href="/"' in body
    assert not re.search(r'href="/(\\|%5C)', body, re.IGNORECASE)
