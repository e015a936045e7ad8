"""The staff pages have their own app (issue 12, item 4): sign-in, the home page, members and the
DPO's pages are hearth.staff's, the kernel holds none of them and does not import the app."""

from __future__ import annotations

import pytest
from django.urls import resolve, reverse

from hearth.platform import urls as platform_urls

from ..platform.test_kernel_boundary import KERNEL, SRC, _domain_apps, _importers_of, _modules

STAFF_PAGES = [
    ("platform:sign_in", {}), ("platform:second_factor", {}), ("platform:second_factor_enrol", {}),
    ("platform:choose_agency", {}), ("platform:sign_out", {}), ("platform:timed_out", {}),
    ("platform:account", {}), ("platform:keep_alive", {}), ("platform:home", {}),
    ("platform:member_list", {}), ("platform:member_add", {}), ("platform:member_edit", {"membership_id": 1}),
    ("platform:audit_search", {}), ("platform:break_glass_list", {}),
    ("platform:break_glass_review", {"grant_id": 1}),
]


def test_staff_is_an_app_outside_the_kernel_and_the_kernel_does_not_import_it():
    assert "hearth.staff" in _domain_apps()
    assert _importers_of(KERNEL, ["hearth.staff"]) == []


@pytest.mark.parametrize(("name", "kwargs"), STAFF_PAGES)
def test_each_staff_page_keeps_its_name_and_is_served_by_the_staff_app(name, kwargs):
    assert resolve(reverse(name, kwargs=kwargs)).func.__module__.startswith("hearth.staff.views.")


def test_the_kernel_holds_no_staff_page():
    modules = {name for name, _, _ in _modules(KERNEL)}
    for gone in ["views.auth", "views.home", "views.members", "views.dpo", "auth.forms", "auth.services",
                 "forms_members", "forms_dpo"]:
        assert f"{KERNEL}.{gone}" not in modules
    # The kernel's own URLs are its own views only (health); the staff pages are mounted beside them.
    assert {p.callback.__module__ for p in platform_urls.urlpatterns} == {f"{KERNEL}.views.health"}
    assert not list((SRC / "platform").rglob("*.html"))  # nor their templates
