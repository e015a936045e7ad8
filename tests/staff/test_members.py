"""Agency admins manage their own agency's members, and only those."""

from __future__ import annotations

from django.urls import reverse

from hearth.platform.models import AuditAction, AuditEvent, Membership, User


def test_admin_lists_only_their_own_agency(client_for):
    body = client_for("police.admin").get(reverse("platform:member_list")).content.decode()
    assert "Hannah Whitmore" in body
    assert "Joanne Bloor" not in body  # the Alice Charity's worker


def test_admin_adds_a_member_who_must_set_up_sign_in(client_for):
    response = client_for("police.admin").post(reverse("platform:member_add"), {
        "first_name": "Jas", "last_name": "Gill", "email": "jas.gill@example.invalid",
        "username": "jas-gill", "role": "police_officer"})
    assert response.status_code == 302
    user = User.objects.get(username="jas-gill")
    assert not user.has_usable_password()
    assert Membership.objects.get(user=user).agency.slug == "stoke-north-hub"
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="platform.membership").exists()


def test_bad_member_input_is_explained_and_kept(client_for):
    response = client_for("police.admin").post(reverse("platform:member_add"), {
        "first_name": "Jas", "last_name": "", "email": "not-an-email", "username": "has spaces",
        "role": "emperor"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body
    assert 'value="Jas"' in body and 'value="not-an-email"' in body


def test_admin_cannot_add_someone_twice(client_for):
    response = client_for("police.admin").post(reverse("platform:member_add"), {
        "first_name": "Hannah", "last_name": "Whitmore", "email": "police.officer@demo.hearth.invalid",
        "username": "police-officer-2", "role": "police_officer"})
    assert "already a member" in response.content.decode()


def test_admin_cannot_edit_another_agencys_member(client_for):
    other = Membership.objects.get(user__username="charity.worker")
    client = client_for("police.admin")
    assert client.get(reverse("platform:member_edit", args=[other.pk])).status_code == 404
    response = client.post(reverse("platform:member_edit", args=[other.pk]),
                           {"role": "agency_admin", "is_active": "on"})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.role == "charity_worker"


def test_admin_deactivates_a_member(client_for):
    officer = Membership.objects.get(user__username="police.officer")
    response = client_for("police.admin").post(reverse("platform:member_edit", args=[officer.pk]),
                                               {"role": "police_officer"})
    assert response.status_code == 302
    officer.refresh_from_db()
    assert not officer.is_active


def test_admin_cannot_demote_themselves(client_for):
    own = Membership.objects.get(user__username="police.admin")
    response = client_for("police.admin").post(reverse("platform:member_edit", args=[own.pk]),
                                               {"role": "police_officer", "is_active": "on"})
    assert "cannot change your own role" in response.content.decode()


def test_admin_role_gives_no_case_data(client_for):
    client = client_for("police.admin")
    assert client.get("/people/").status_code == 403
