"""Apps own their permissions: each app declares and registers its own, and the policy refuses
to answer for a name nobody registered (a typo must fail loudly, never deny quietly)."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured, PermissionDenied

from hearth.people import permissions as people_perms
from hearth.platform import access
from hearth.platform.access import Permission, UnknownPermission
from hearth.platform.models import AuditEvent

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "hearth"


def test_may_raises_on_an_unknown_permission_for_anyone(demo):
    police = demo.actor("police.officer")
    with pytest.raises(UnknownPermission):
        access.may(police, "people.veiw_person")
    # Even for nobody signed in: the typo is in the code, whoever asks.
    with pytest.raises(UnknownPermission):
        access.may(None, "people.veiw_person")


def test_require_raises_on_an_unknown_permission_and_audits_no_refusal(demo):
    police = demo.actor("police.officer")
    before = AuditEvent.objects.count()
    with pytest.raises(UnknownPermission):
        access.require(police, "referrals.make_refferal")
    assert AuditEvent.objects.count() == before


def test_role_may_raises_on_an_unknown_permission():
    with pytest.raises(UnknownPermission):
        access.role_may("police_officer", "risk.nonesuch")


def test_a_constant_and_its_name_answer_alike(demo):
    police = demo.actor("police.officer")
    assert people_perms.ADD_PERSON == "people.add_person"
    assert access.may(police, people_perms.ADD_PERSON) is access.may(police, "people.add_person") is True
    with pytest.raises(PermissionDenied):
        access.require(demo.actor("school.lead"), people_perms.ADD_PERSON)


def test_every_registered_permission_belongs_to_an_installed_app_that_declares_it():
    assert access.PERMISSIONS
    for name, permission in access.PERMISSIONS.items():
        config = apps.get_app_config(permission.app_label)  # LookupError if not installed
        module = importlib.import_module(f"{config.name}.permissions")
        assert permission in module.ALL, f"{name} is registered but not declared by {config.name}"


def test_every_declared_permission_is_registered():
    for config in apps.get_app_configs():
        if not config.name.startswith("hearth."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.permissions")
        except ModuleNotFoundError:
            continue
        declared = {value for value in vars(module).values() if isinstance(value, Permission)}
        assert declared == set(module.ALL), f"{config.name}.permissions.ALL misses a constant"
        for permission in declared:
            assert permission.app_label == config.label
            assert access.PERMISSIONS[permission] is permission


def test_registering_a_name_twice_raises():
    with pytest.raises(ImproperlyConfigured, match="registered twice"):
        access.register(people_perms.VIEW_PERSON)
    # A second declaration under a name already taken, whatever its predicate.
    with pytest.raises(ImproperlyConfigured, match="registered twice"):
        access.register(Permission("people.view_person", access.is_case_worker))
    assert access.PERMISSIONS["people.view_person"] is people_perms.VIEW_PERSON


def test_registering_for_an_app_that_is_not_installed_raises():
    with pytest.raises(ImproperlyConfigured, match="not installed"):
        access.register(Permission("nowhere.do_things", access.is_case_worker))
    assert "nowhere.do_things" not in access.PERMISSIONS


def test_only_permissions_register_and_names_have_an_app():
    with pytest.raises(ImproperlyConfigured):
        access.register("people.view_person")
    with pytest.raises(ValueError):
        Permission("view_person", access.is_case_worker)


def test_every_permission_named_in_a_template_is_registered():
    """Template tags take a permission's name: a typo there fails here, not on a page."""
    named = set()
    for template in TEMPLATES.rglob("templates/**/*.html"):
        named |= set(re.findall(r'{%\s*\w*may\s+"([^"]+)"', template.read_text()))
    assert named, "no template names a permission: this test looks in the wrong place"
    unknown = sorted(name for name in named if name not in access.PERMISSIONS)
    assert unknown == []
