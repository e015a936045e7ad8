"""Agency admins make and revoke partner-system tokens; the command does the same for operators."""

from __future__ import annotations

from django.core.management import call_command
from django.test import Client

from hearth.api.models import ApiToken
from hearth.platform.models import AuditAction, AuditEvent

from .conftest import make_token


def test_an_agency_admin_makes_a_token_and_sees_it_once(client_for):
    admin = client_for("police.admin")
    response = admin.post("/api/tokens/", {"name": "Niche records system",
                                           "scopes": ["referrals:create", "referrals:read"]})
    assert response.status_code == 200
    body = response.content.decode()
    token = ApiToken.objects.get(agency__slug="stoke-north-hub", name="Niche records system")
    raw = body.split('id="new-token">')[1].split("<")[0]
    assert raw.startswith(f"hearth_{token.prefix}_")
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/referrals/").status_code == 200
    # Never again: the list shows only the public start.
    listing = admin.get("/api/tokens/").content.decode()
    assert raw not in listing and f"hearth_{token.prefix}_" in listing
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="api.apitoken").exists()


def test_bad_input_is_explained_and_no_token_is_made(client_for):
    response = client_for("police.admin").post("/api/tokens/", {"name": "Niche", "scopes": []})
    body = response.content.decode()
    assert "govuk-error-summary" in body and "Choose what the system may do." in body
    assert 'value="Niche"' in body
    assert not ApiToken.objects.filter(name="Niche").exists()


def test_an_agency_without_referrals_cannot_have_a_token(client_for):
    body = client_for("partnership.admin").get("/api/tokens/")
    assert body.status_code == 403  # not an agency admin
    from hearth.platform.models import Membership

    board_admin = Membership.objects.filter(agency__slug="da-board", role="agency_admin").first()
    assert board_admin is None or client_for(board_admin.user.username, "da-board").post(
        "/api/tokens/", {"name": "x", "scopes": ["referrals:read"]}).status_code == 200


def test_an_admin_revokes_their_own_agencys_token_but_not_anothers(client_for):
    own = make_token()
    other = make_token("alice-charity", name="Charity CRM")
    admin = client_for("police.admin")
    assert admin.post(f"/api/tokens/{other.token.pk}/revoke/").status_code == 404
    assert admin.post(f"/api/tokens/{own.token.pk}/revoke/").status_code == 302
    own.token.refresh_from_db()
    other.token.refresh_from_db()
    assert own.token.revoked_at is not None and other.token.revoked_at is None
    assert Client(HTTP_AUTHORIZATION=f"Bearer {own.raw}").get("/api/referrals/").status_code == 401


def test_staff_who_are_not_admins_cannot_manage_tokens(client_for):
    assert client_for("police.officer").get("/api/tokens/").status_code == 403


def test_the_command_makes_lists_and_revokes(db, capsys):
    call_command("api_token", "create", "alice-charity", "Charity CRM", "--scope", "referrals:read")
    raw = capsys.readouterr().out.strip().splitlines()[-1]
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/referrals/").status_code == 200
    call_command("api_token", "list", "alice-charity")
    assert raw not in capsys.readouterr().out
    call_command("api_token", "revoke", raw.split("_")[1])
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/referrals/").status_code == 401
