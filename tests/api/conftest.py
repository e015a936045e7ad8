"""A partner system of the police hub with a token, and a client that sends it."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from hearth.api import services
from hearth.platform.models import Agency


@pytest.fixture(autouse=True)
def fresh_throttles():
    # Throttle counts live in the cache: each test starts with none.
    cache.clear()
    yield
    cache.clear()


def make_token(slug: str = "stoke-north-hub", scopes=("referrals:create", "referrals:read"), name="Niche RMS"):
    return services.token_create(actor=None, agency=Agency.objects.get(slug=slug), name=name, scopes=list(scopes))


@pytest.fixture
def police_token(db):
    return make_token()


@pytest.fixture
def partner(police_token):
    """A client sending the police hub's token."""
    return Client(HTTP_AUTHORIZATION=f"Bearer {police_token.raw}")
