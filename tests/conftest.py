"""Shared fixtures: the demo partnership loaded once, and clients signed in as its users."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from hearth.demo import world
from hearth.platform import context
from hearth.platform.middleware import SESSION_MEMBERSHIP
from hearth.platform.models import Membership, User


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the demo world once; each test runs in a transaction rolled back after it."""
    with django_db_blocker.unblock():
        ContentType.objects.clear_cache()
        world.load()


@pytest.fixture(autouse=True)
def tasks_run_at_once(settings):
    """Tests run background tasks inline; the database queue is exercised by its own test."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def audit_checkpoints_in_tmp(settings, tmp_path):
    """Audit checkpoints (run_periodic queues one) go to the test's own file, not the checkout."""
    settings.HEARTH_AUDIT_CHECKPOINT_FILE = str(tmp_path / "audit-checkpoints.log")


@pytest.fixture
def demo(db):
    """The demo world (already loaded); returns a helper to look things up by name."""
    return DemoLookup()


class DemoLookup:
    def user(self, username: str) -> User:
        return User.objects.get(username=username)

    def membership(self, username: str, agency_slug: str | None = None) -> Membership:
        qs = Membership.objects.select_related("agency").filter(user__username=username)
        if agency_slug:
            qs = qs.filter(agency__slug=agency_slug)
        return qs.order_by("pk").first()

    def actor(self, username: str, agency_slug: str | None = None) -> User:
        """The user as services see them in a request: acting for that membership."""
        membership = self.membership(username, agency_slug)
        user = membership.user
        user.membership = membership
        return user


def sign_in(client: Client, membership: Membership) -> Client:
    """Sign a test client in as a membership: password session, second factor, agency."""
    user = membership.user
    client.force_login(user, backend="hearth.platform.auth.backends.EmailOrUsernameBackend")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:  # a user made by the test: give them an authenticator
        device = TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session[SESSION_MEMBERSHIP] = membership.pk
    session.save()
    return client


@pytest.fixture
def client_for(db):
    """``client_for("police.officer")`` → a Client signed in and acting for that user's agency."""

    def make(username: str, agency_slug: str | None = None, *, csrf: bool = False) -> Client:
        membership = DemoLookup().membership(username, agency_slug)
        assert membership is not None, f"no demo membership for {username}"
        return sign_in(Client(enforce_csrf_checks=csrf), membership)

    return make


@pytest.fixture
def police(demo):
    """The demo police officer, acting inside a request context, for service-level tests."""
    user = demo.actor("police.officer")
    with context.acting_as(user, user.membership):
        yield user



def person_create_linked(*, actor, link_to, **fields):
    """Record a person for ``actor``'s agency as the same person as ``link_to``, held by another
    agency: the link request the new record raises is confirmed by a member of the holding agency
    who may link records, as it would be in use (nothing crosses an unconfirmed link)."""
    from hearth.people import services as people_services
    from hearth.people.models import IdentityLinkRequest

    new = people_services.person_create(actor=actor, link_to=link_to, **fields)
    request = IdentityLinkRequest.objects.filter(new_record=new).first()
    if request is None:  # the actor could open ``link_to``: linked at once
        return new
    answerer = people_services._link_answerers(link_to.owner_agency_id).first()
    membership = Membership.objects.get(user=answerer, agency_id=link_to.owner_agency_id, is_active=True)
    answerer.membership = membership
    with context.acting_as(answerer, membership):
        people_services.identity_link_request_confirm(actor=answerer, link_request=request)
    new.refresh_from_db()
    return new
