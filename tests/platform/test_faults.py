"""Small faults caught before they become server errors: NUL bytes in a query, unknown filter
values, and field keys that cannot read the stored data."""

from __future__ import annotations

import re

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client

from hearth.platform import crypto
from hearth.platform.models import AuditEvent


@pytest.mark.parametrize("url", ["/people/?q=%00", "/referrals/?urgency=%00", "/referrals/?view=new&%00=1",
                                 "/audit/?q=a%00b", "/sign-in/?next=%00"])
def test_a_nul_byte_in_the_query_is_refused_with_400(client_for, url):
    before = AuditEvent.objects.count()
    response = client_for("refuge.worker").get(url)
    assert response.status_code == 400
    assert AuditEvent.objects.count() == before  # nothing ran: no query, no audit row


def test_a_nul_byte_is_refused_before_sign_in_too(db):
    assert Client().get("/people/?q=%00").status_code == 400


def _referral_ids(body: str) -> set[str]:
    return set(re.findall(r'href="/referrals/(\d+)/"', body))


def test_an_unknown_inbox_filter_is_ignored_and_not_written_to_the_audit(client_for):
    client = client_for("idva", "new-era-victims")
    plain = _referral_ids(client.get("/referrals/?view=open").content.decode())
    response = client.get("/referrals/?view=open&urgency=<b>urgent</b>&reason=nonsense")
    assert response.status_code == 200
    assert plain and _referral_ids(response.content.decode()) == plain  # ignored, not emptying the list
    assert "<b>urgent</b>" not in response.content.decode()
    event = AuditEvent.objects.filter(object_type="referrals.referral", action="list").latest("id")
    assert event.detail["urgency"] == "" and event.detail["reason"] == ""


def test_a_known_inbox_filter_still_narrows_and_is_audited(client_for):
    client = client_for("idva", "new-era-victims")
    client.get("/referrals/?view=open&source=self_referral")
    event = AuditEvent.objects.filter(object_type="referrals.referral", action="list").latest("id")
    assert event.detail["source"] == "self_referral"


def test_the_right_keys_pass_the_check(db):
    assert crypto.keys_problems() == []
    call_command("check")


def test_a_wrong_field_key_fails_the_check(db, settings):
    settings.HEARTH_FIELD_KEYS = [Fernet.generate_key().decode()]
    problems = crypto.keys_problems()
    assert problems and "people.Person" in " ".join(problems)
    with pytest.raises(SystemCheckError, match="hearth.E001"):
        call_command("check")


def test_a_retired_key_removed_too_soon_fails_the_check(db, settings):
    # Rotation adds the new key first; dropping the old one before rotate_field_keys has run
    # leaves the stored values unreadable.
    settings.HEARTH_FIELD_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(SystemCheckError, match="no configured key decrypts"):
        call_command("check")


def test_a_new_key_beside_the_old_one_passes(db, settings):
    settings.HEARTH_FIELD_KEYS = [Fernet.generate_key().decode(), *settings.HEARTH_FIELD_KEYS]
    assert crypto.keys_problems() == []


@pytest.mark.parametrize("keys", [[], ["not-a-fernet-key"]])
def test_a_missing_or_malformed_key_fails_the_check(db, settings, keys):
    settings.HEARTH_FIELD_KEYS = keys
    with pytest.raises(SystemCheckError, match="hearth.E001"):
        call_command("check")


def test_the_web_process_refuses_to_start_with_a_wrong_key(db, settings):
    import importlib
    import sys

    from django.core.exceptions import ImproperlyConfigured

    settings.HEARTH_FIELD_KEYS = [Fernet.generate_key().decode()]
    sys.modules.pop("hearth.wsgi", None)
    with pytest.raises(ImproperlyConfigured, match="Refusing to start"):
        importlib.import_module("hearth.wsgi")
    sys.modules.pop("hearth.wsgi", None)
