"""Fixtures for practical support: the Alice Charity's worker and volunteer, acting, and a fresh family."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hearth.platform import context
from hearth.referrals.models import Referral
from hearth.support import services
from hearth.support.models import ItemType, Store


class Acting:
    """Run service calls as a demo member (the request context and the policy both see them)."""

    def __init__(self, demo, username: str, slug: str):
        self.membership = demo.membership(username, slug)
        self.user = self.membership.user
        self.user.membership = self.membership

    def __enter__(self):
        self._cm = context.acting_as(self.user, self.membership)
        self._cm.__enter__()
        return self.user

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)


@pytest.fixture
def worker(demo):
    return Acting(demo, "charity.worker", "alice-charity")


@pytest.fixture
def volunteer(demo):
    return Acting(demo, "charity.volunteer", "alice-charity")


@pytest.fixture
def store(demo):
    return Store.objects.get(agency__slug="alice-charity", name="Alice Charity store")


def item(name: str) -> ItemType:
    return ItemType.objects.get(agency__slug="alice-charity", name=name)


@pytest.fixture
def walker_case(demo):
    from hearth.support.models import SupportCase

    return SupportCase.objects.get(person__given_name="Elizabeth", person__family_name="Walker")


@pytest.fixture
def popa_case(demo):
    from hearth.support.models import SupportCase

    return SupportCase.objects.get(person__given_name="Andreea", person__family_name="Popa")


@pytest.fixture
def fresh_case(demo, worker):
    """A new support case from one of the charity's accepted volume referrals."""
    referral = Referral.objects.filter(to_agency__slug="alice-charity", status__in=["accepted", "in_progress"],
                                       support_case__isnull=True).order_by("pk").first()
    assert referral is not None
    with worker as actor:
        return services.case_open(actor=actor, referral=referral)


@pytest.fixture
def tomorrow():
    return timezone.localdate() + timedelta(days=1)
