"""Staff sign-in: password, second factor, lockout, agency choice, timeouts, sign-out."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from hearth.demo import world
from hearth.platform.middleware import SESSION_LAST_SEEN
from hearth.platform.models import AuditAction, AuditEvent, Membership, User

SIGN_IN = "/sign-in/"


def _code(username: str) -> str:
    return world.current_code(TOTPDevice.objects.get(user__username=username, confirmed=True))


def _password_step(client: Client, username: str, password: str = world.DEMO_PASSWORD):
    return client.post(SIGN_IN, {"username": username, "password": password})


def test_sign_in_with_password_and_code_reaches_home(db):
    client = Client()
    response = _password_step(client, "police.officer")
    assert response.status_code == 302 and response["Location"] == reverse("platform:second_factor")
    response = client.post(reverse("platform:second_factor"), {"code": _code("police.officer")},
                           follow=True)
    assert response.status_code == 200
    assert "Staffordshire Police – Stoke North NPT Harm Reduction Hub" in response.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.SIGN_IN, username="police.officer").count() == 2


def test_sign_in_by_email_works(db):
    response = _password_step(Client(), "police.officer@demo.hearth.invalid")
    assert response.status_code == 302


def test_the_password_alone_opens_nothing(db):
    client = Client()
    _password_step(client, "police.officer")
    for url in ("/home/", "/people/", "/people/1/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("platform:second_factor")


def test_wrong_password_is_a_clear_message_and_audited(db):
    response = _password_step(Client(), "police.officer", "wrong-password")
    assert response.status_code == 200
    assert "username or password is not right" in response.content.decode()
    assert "police.officer" in response.content.decode()  # what was typed is kept
    event = AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED).latest("id")
    assert event.outcome == "deny" and event.username == "police.officer"


def test_bad_form_input_keeps_the_typed_username(db):
    response = Client().post(SIGN_IN, {"username": "police.officer", "password": ""})
    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body and 'value="police.officer"' in body


def test_lockout_after_repeated_failures(db, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _password_step(client, "charity.worker", "nope-nope-nope")
    response = _password_step(client, "charity.worker")  # even the right password now
    assert response.status_code == 429
    assert "too many attempts" in response.content.decode().lower()
    assert AuditEvent.objects.filter(action=AuditAction.LOCKED_OUT).exists()


def test_wrong_code_is_refused_and_audited(db):
    client = Client()
    _password_step(client, "police.officer")
    response = client.post(reverse("platform:second_factor"), {"code": "000000"})
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.SECOND_FACTOR_FAILED,
                                     username="police.officer").exists()


def test_a_code_cannot_be_used_twice(db):
    code = _code("housing.officer")
    first = Client()
    _password_step(first, "housing.officer")
    assert first.post(reverse("platform:second_factor"), {"code": code}).status_code == 302
    second = Client()
    _password_step(second, "housing.officer")
    response = second.post(reverse("platform:second_factor"), {"code": code})
    assert response.status_code == 200
    assert "has been used" in response.content.decode()


def test_recovery_codes_work_once(db):
    from hearth.staff.services import recovery_codes_replace

    user = User.objects.get(username="analyst")
    codes = recovery_codes_replace(user=user)
    client = Client()
    _password_step(client, "analyst")
    assert client.post(reverse("platform:second_factor"), {"code": codes[0]}).status_code == 302
    again = Client()
    _password_step(again, "analyst")
    assert again.post(reverse("platform:second_factor"), {"code": codes[0]}).status_code == 200


def test_first_sign_in_enrols_an_authenticator_with_recovery_codes(db):
    user = User.objects.create_user("new.starter", "new.starter@example.invalid", "a long new password 1")
    Membership.objects.create(user=user, agency=Membership.objects.first().agency, role="analyst")
    client = Client()
    response = _password_step(client, "new.starter", "a long new password 1")
    response = client.get(response["Location"])
    assert response.status_code == 302 and response["Location"] == reverse("platform:second_factor_enrol")
    page = client.get(reverse("platform:second_factor_enrol"))
    assert "data:image/svg+xml" in page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    bad = client.post(reverse("platform:second_factor_enrol"), {"code": "12"})
    assert "Enter the 6-digit code" in bad.content.decode()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    done = client.post(reverse("platform:second_factor_enrol"), {"code": f"{totp.token():06d}"})
    assert done.status_code == 200
    assert "Your recovery codes" in done.content.decode()
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/home/", follow=True).status_code == 200


def test_a_member_of_two_agencies_chooses_which_to_act_for(db):
    client = Client()
    _password_step(client, "idva")
    response = client.post(reverse("platform:second_factor"), {"code": _code("idva")}, follow=True)
    assert "Which agency are you working for now?" in response.content.decode()
    error = client.post(reverse("platform:choose_agency"), {})
    assert "Choose the agency you are acting for" in error.content.decode()
    marac = Membership.objects.get(user__username="idva", agency__slug="stoke-marac")
    response = client.post(reverse("platform:choose_agency"), {"membership": marac.pk}, follow=True)
    assert "Stoke-on-Trent MARAC" in response.content.decode()


def test_a_choice_of_someone_elses_membership_is_refused(db):
    client = Client()
    _password_step(client, "idva")
    client.post(reverse("platform:second_factor"), {"code": _code("idva")})
    other = Membership.objects.get(user__username="police.officer")
    response = client.post(reverse("platform:choose_agency"), {"membership": other.pk})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()


def test_an_idle_session_times_out(client_for, settings):
    client = client_for("police.officer")
    assert client.get("/home/").status_code == 200
    session = client.session
    session[SESSION_LAST_SEEN] = int(time.time()) - settings.HEARTH_IDLE_TIMEOUT_MINUTES * 60 - 5
    session.save()
    response = client.get("/home/")
    assert response.status_code == 302 and response["Location"] == reverse("platform:timed_out")
    assert client.get("/home/").status_code == 302  # signed out for good
    assert AuditEvent.objects.filter(action=AuditAction.TIMED_OUT, username="police.officer").exists()


def test_keep_alive_resets_the_idle_timer(client_for):
    client = client_for("police.officer")
    session = client.session
    session[SESSION_LAST_SEEN] = int(time.time()) - 60
    session.save()
    assert client.post(reverse("platform:keep_alive")).status_code == 204
    assert client.session[SESSION_LAST_SEEN] >= int(time.time()) - 2


def test_sign_out_everywhere_ends_other_sessions(client_for):
    laptop = client_for("police.officer")
    phone = client_for("police.officer")
    response = laptop.post(reverse("platform:account"), {"action": "sign_out_everywhere"})
    assert response.status_code == 302
    assert phone.get("/home/").status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.SIGN_OUT_EVERYWHERE).exists()


def test_sign_out_needs_post_and_ends_the_session(client_for):
    client = client_for("police.officer")
    assert client.get(reverse("platform:sign_out")).status_code == 405
    assert client.post(reverse("platform:sign_out")).status_code == 302
    assert client.get("/home/").status_code == 302


def test_a_deactivated_user_is_signed_out_at_the_next_request(client_for):
    client = client_for("charity.worker")
    assert client.get("/home/").status_code == 200
    User.objects.filter(username="charity.worker").update(is_active=False)
    response = client.get("/home/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("platform:sign_in"))


def test_a_deactivated_membership_stops_acting_for_that_agency(client_for):
    client = client_for("charity.worker")
    Membership.objects.filter(user__username="charity.worker").update(is_active=False)
    response = client.get("/home/")
    assert response.status_code == 302 and response["Location"] == reverse("platform:choose_agency")


def test_open_redirects_are_refused_after_sign_in(db):
    client = Client()
    client.post(SIGN_IN + "?next=https://evil.example/", {"username": "analyst",
                                                           "password": world.DEMO_PASSWORD})
    response = client.post(reverse("platform:second_factor"), {"code": _code("analyst")}, follow=True)
    assert all("evil.example" not in url for url, _ in response.redirect_chain)


def test_too_many_wrong_codes_end_the_sign_in(db):
    client = Client()
    _password_step(client, "analyst")
    for _ in range(5):
        response = client.post(reverse("platform:second_factor"), {"code": "999999"})
    assert response.status_code == 302 and response["Location"] == reverse("platform:sign_in")


@pytest.mark.parametrize("username", ["police.officer", "analyst"])
def test_demo_code_command_prints_the_current_code(db, capsys, username):
    from django.core.management import call_command

    call_command("demo_code", username)
    assert capsys.readouterr().out.strip() == _code(username)


def test_a_get_to_the_signed_out_page_signs_nobody_out(client_for):
    # A link or image on another site must not end a member's session (cross-site sign-out).
    client = client_for("police.officer")
    response = client.get(reverse("platform:timed_out"))
    assert response.status_code == 302 and response["Location"] == reverse("platform:home")
    assert client.get("/home/").status_code == 200
    assert not AuditEvent.objects.filter(action=AuditAction.TIMED_OUT, username="police.officer").exists()


def test_the_idle_timeout_signs_out_by_post_with_a_csrf_token(client_for):
    client = client_for("police.officer", csrf=True)
    assert client.post(reverse("platform:timed_out")).status_code == 403  # no token: refused
    assert client.get("/home/").status_code == 200
    token = client.get("/home/").context["csrf_token"]
    response = client.post(reverse("platform:timed_out"), {"csrfmiddlewaretoken": str(token)})
    assert response.status_code == 200
    assert client.get("/home/").status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.TIMED_OUT, username="police.officer").exists()
