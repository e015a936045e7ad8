"""The one writer of relationships (issue 12, item 2) and the kernel's ports (item 3): grants name
the record that caused them, end and move by it, and every write is audited; alerts, periodic
checks and home-page panels reach the apps through registries, not imports."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from hearth.notify.models import Notice
from hearth.people.models import Person
from hearth.platform import grants, periodic, ports
from hearth.platform.models import AccessGrant, Agency, AuditAction, AuditEvent
from hearth.platform.roles import RelationshipKind


@pytest.fixture
def record(police):
    return Person.objects.filter(owner_agency__slug="stoke-north-hub").order_by("pk").first()


@pytest.fixture
def housing(db):
    return Agency.objects.get(slug="stoke-housing")


def _audit_for(grant):
    return AuditEvent.objects.filter(object_type="platform.accessgrant", object_id=str(grant.pk)).order_by("pk")


def test_a_grant_names_its_cause_and_is_audited(record, housing):
    cause = Agency.objects.exclude(pk=housing.pk).first()  # any record will do as a cause
    grant = grants.relationship_grant(agency=housing, obj=record, kind=RelationshipKind.REFERRAL,
                                      parts=["identity"], cause=cause, source="words for people")
    assert grant.cause == cause and grant.source == "words for people"
    assert list(grants.caused_by(cause)) == [grant]
    (event,) = _audit_for(grant)
    assert event.action == AuditAction.CREATE
    assert event.detail["cause"] == f"platform.agency:{cause.pk}"


def test_ending_by_cause_ends_only_what_it_caused_and_never_lengthens(record, housing):
    cause, other = Agency.objects.exclude(pk=housing.pk).order_by("pk")[:2]
    soon = timezone.now() + timedelta(hours=1)
    later = timezone.now() + timedelta(days=30)
    open_ = grants.relationship_grant(agency=housing, obj=record, kind="referral", cause=cause)
    lapsing = grants.relationship_grant(agency=housing, obj=record, kind="referral", cause=cause, ends_at=soon)
    untouched = grants.relationship_grant(agency=housing, obj=record, kind="referral", cause=other)

    assert grants.relationship_end(obj=cause, reason="closed", at=later) == 1  # only the open one
    for grant in (open_, lapsing, untouched):
        grant.refresh_from_db()
    assert open_.ends_at == later and lapsing.ends_at == soon and untouched.ends_at is None
    assert _audit_for(open_).last().detail["reason"] == "closed"
    assert not _audit_for(lapsing).filter(action=AuditAction.UPDATE).exists()


def test_moving_the_start_by_cause_is_audited(record, housing):
    cause = Agency.objects.exclude(pk=housing.pk).first()
    grant = grants.relationship_grant(agency=housing, obj=record, kind="delivery", cause=cause)
    tomorrow = timezone.now() + timedelta(days=1)
    assert grants.relationship_move_start(obj=cause, starts_at=tomorrow, reason="rescheduled") == 1
    grant.refresh_from_db()
    assert grant.starts_at == tomorrow
    assert _audit_for(grant).last().detail["reason"] == "rescheduled"


def test_the_migration_finds_each_grants_cause_in_its_source_string(record, housing):
    migration = importlib.import_module("hearth.platform.migrations.0007_access_grant_cause")
    person_type = ContentType.objects.get_for_model(Person)

    def old(source, obj=record):
        return AccessGrant.objects.create(agency=housing, content_type=ContentType.objects.get_for_model(obj),
                                          object_id=obj.pk, kind="referral", source=source)

    by_referral, by_delivery, by_meeting, by_coordinator, on_itself, owner = (
        old("referral 41"), old("delivery 7"), old("listed at MARAC meeting 3"), old("coordinator of meeting 3"),
        old("MARAC referral", obj=housing), old("recorded the person"))
    migration.causes_from_source(django_apps, None)
    for grant in (by_referral, by_delivery, by_meeting, by_coordinator, on_itself, owner):
        grant.refresh_from_db()
    assert (by_referral.cause_type.app_label, by_referral.cause_type.model, by_referral.cause_id) == (
        "referrals", "referral", 41)
    assert (by_delivery.cause_type.model, by_delivery.cause_id) == ("delivery", 7)
    assert (by_meeting.cause_type.model, by_meeting.cause_id) == ("maracmeeting", 3)
    assert (by_coordinator.cause_type.model, by_coordinator.cause_id) == ("maracmeeting", 3)
    assert (on_itself.cause_type_id, on_itself.cause_id) == (ContentType.objects.get_for_model(Agency).pk, housing.pk)
    assert owner.cause_type is None and owner.cause_id is None
    assert by_referral.content_type == person_type  # the record granted on is unchanged


# ---------------------------------------------------------------------------
# Ports
# ---------------------------------------------------------------------------

SENT = []


def remember(**alert):
    SENT.append(alert)


def test_alerts_go_to_the_backend_the_setting_names(settings, demo):
    settings.HEARTH_ALERT_BACKEND = "tests.platform.test_grants.remember"
    SENT.clear()
    user = demo.user("police.dpo")
    ports.alert(recipient=user, subject="S", body="B")
    assert SENT == [{"recipient": user, "subject": "S", "body": "B", "email": False}]


def test_alerts_reach_the_notify_inbox_by_default(demo):
    user = demo.user("police.dpo")
    ports.alert(recipient=user, subject="Attempt to open a restricted record", body="B")
    assert Notice.objects.filter(recipient=user, subject="Attempt to open a restricted record").exists()


def test_each_app_registers_its_periodic_check_and_the_audit_checkpoint_goes_last():
    assert list(periodic.CHECKS) == ["messages", "overdue_referrals", "school_notifications", "marac_repeats",
                                     "audit_checkpoint"]


def test_a_check_registered_again_keeps_its_place(monkeypatch):
    monkeypatch.setattr(periodic, "CHECKS", dict(periodic.CHECKS))
    monkeypatch.setattr(periodic, "_ORDER", dict(periodic._ORDER))
    task = periodic.CHECKS["messages"]
    periodic.register("messages", task)
    periodic.register("late", task, order=2000)
    assert list(periodic.CHECKS)[0] == "messages" and list(periodic.CHECKS)[-1] == "late"


def test_the_home_page_shows_what_apps_contribute(demo):
    user = demo.user("police.dpo")
    ports.alert(recipient=user, subject="For the home page", body="B")
    assert "For the home page" in [n.subject for n in ports.home_context(user)["notices"]]
