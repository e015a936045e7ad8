"""The demo partnership loads, reloads without duplicates, and passes its own checks."""

from __future__ import annotations

from django.core.management import call_command

from hearth.demo import world
from hearth.people.models import Person
from hearth.platform.models import Agency, Membership, User
from hearth.platform.roles import Role


def test_load_demo_is_idempotent(db):
    before = (Agency.objects.count(), User.objects.count(), Membership.objects.count(), Person.objects.count())
    call_command("load_demo")
    after = (Agency.objects.count(), User.objects.count(), Membership.objects.count(), Person.objects.count())
    assert before == after


def test_there_is_one_demo_user_for_every_role(db):
    roles = set(Membership.objects.filter(user__username__in=[u.username for u in world.USERS])
                .values_list("role", flat=True))
    assert roles == set(Role.values)


def test_the_agencies_of_the_seeds_are_there(db):
    names = set(Agency.objects.values_list("name", flat=True))
    assert "The Alice Charity" in names
    assert "Staffordshire Police – Stoke North NPT Harm Reduction Hub" in names
    assert not Agency.objects.get(slug="stoke-south-npt").is_onboarded


def test_access_matrix_check_passes(capsys, db):
    call_command("access_matrix", "--check")
    assert "declare an access policy" in capsys.readouterr().out


def test_access_matrix_prints_every_role(capsys, db):
    call_command("access_matrix")
    out = capsys.readouterr().out
    assert "people:person_detail" in out and "record:people.view_person" in out


def test_demo_signins_lists_every_demo_user(capsys, db):
    call_command("demo_signins")
    out = capsys.readouterr().out
    assert all(u.username in out for u in world.USERS)
