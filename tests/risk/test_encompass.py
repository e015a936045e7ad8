"""Operation Encompass sent automatically: each child present at a recent incident whose school is
known, once, before the next school day; a child with no school is listed for workers to add."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from hearth.notify.models import Notice
from hearth.people import services as people_services
from hearth.platform import context
from hearth.platform.models import Agency, AuditEvent
from hearth.risk import services
from hearth.risk.models import SchoolNotification

from ..conftest import person_create_linked

D = date(2025, 9, 15)  # a Monday, long before the demo's recent weeks
PUPIL_NOTICE = "A notification about one of your pupils"


def _acting(demo, username, slug=None):
    user = demo.actor(username, slug)
    return user, user.membership


def _school():
    return Agency.objects.get(slug="hanley-park-primary")


def _family(police, *, school=True):
    mother = people_services.person_create(actor=police, given_name="Agnieszka", family_name="Nowak", gender="woman")
    father = people_services.person_create(actor=police, given_name="Tomasz", family_name="Nowak", gender="man")
    child = people_services.person_create(actor=police, given_name="Zofia", family_name="Nowak",
                                          date_of_birth=date(2017, 4, 2))
    if school:
        services.child_profile_save(actor=police, child=child, school=_school(), needs="")
    return mother, father, child


def _incident(police, mother, father, child, on):
    return people_services.incident_record(actor=police, occurred_on=on, abuse_types=["violent_threatening"],
                                           involvements=[(mother, "victim"), (father, "alleged_perpetrator"),
                                                         (child, "child_present")])


def _lead_notices():
    return Notice.objects.filter(recipient__username="school.lead", subject=PUPIL_NOTICE)


def test_a_child_present_whose_school_is_known_gets_one_notification_the_night_of_the_incident(police):
    mother, father, child = _family(police)
    incident = _incident(police, mother, father, child, D)
    before = _lead_notices().count()

    run = services.school_notifications_send_due(on=D)

    sent = SchoolNotification.objects.get(child=child, incident=incident)
    assert sent in run.sent and sent.school == _school() and sent.incident_on == D
    assert sent.sent_by == police and sent.contact_agency == police.membership.agency.name
    assert sent.pupil_name == "Zofia Nowak" and sent.acknowledged_at is None
    notices = _lead_notices()
    assert notices.count() == before + 1
    newest = notices.latest("pk")
    # The notice says there is a notification, nothing of the pupil, the family or what happened.
    assert "Zofia" not in newest.body and "Nowak" not in newest.body and "incident" not in newest.body.lower()
    row = AuditEvent.objects.filter(object_type="risk.schoolnotification", object_id=str(sent.pk)).get()
    assert row.action == "create" and row.detail["automatic"] is True and row.detail["on_behalf_of"] == police.pk


def test_running_the_check_twice_still_sends_one_notification(police):
    mother, father, child = _family(police)
    incident = _incident(police, mother, father, child, D)
    services.school_notifications_send_due(on=D + timedelta(days=1))
    notices = _lead_notices().count()

    again = services.school_notifications_send_due(on=D + timedelta(days=2))

    assert not [n for n in again.sent if n.child_id == child.pk]
    assert SchoolNotification.objects.filter(child=child, incident=incident).count() == 1
    assert _lead_notices().count() == notices
    # And the hand-sent path, from the child's page, refuses to send it again.
    with pytest.raises(ValidationError, match="already been told"):
        services.school_notify(actor=police, child=child, incident=incident)


def test_a_notification_sent_by_hand_first_is_not_sent_again_by_the_check(police):
    mother, father, child = _family(police)
    incident = _incident(police, mother, father, child, D)
    services.school_notify(actor=police, child=child, incident=incident)

    services.school_notifications_send_due(on=D)

    assert SchoolNotification.objects.filter(child=child, incident=incident).count() == 1


def test_a_child_with_no_school_gets_no_notification_and_is_listed_for_workers_to_add(police, client_for):
    mother, father, child = _family(police, school=False)
    recent = date.today() - timedelta(days=2)
    _incident(police, mother, father, child, recent)

    run = services.school_notifications_send_due()

    assert not SchoolNotification.objects.filter(child=child).exists() and run.no_school >= 1
    body = client_for("police.officer").get(reverse("risk:children_without_school")).content.decode()
    assert "Zofia Nowak" in body and reverse("risk:child_change", args=[child.pk]) in body
    # A worker of another agency with no relationship to the child is not shown her.
    assert "Zofia Nowak" not in client_for("social.worker").get(reverse("risk:children_without_school")).content.decode()
    # Once the school is recorded the next run tells it, and she leaves the list.
    services.child_profile_save(actor=police, child=child, school=_school(), needs="")
    assert len([n for n in services.school_notifications_send_due().sent if n.child_id == child.pk]) == 1
    assert "Zofia Nowak" not in client_for("police.officer").get(reverse("risk:children_without_school")).content.decode()


def test_the_school_recorded_on_a_linked_record_of_the_child_is_told(demo, police):
    mother, father, child = _family(police, school=False)
    worker, membership = _acting(demo, "social.worker")
    with context.acting_as(worker, membership):
        own = person_create_linked(actor=worker, link_to=child, given_name="Zofia", family_name="Nowak")
        services.child_profile_save(actor=worker, child=own, school=_school(), needs="")
    incident = _incident(police, mother, father, child, D)

    services.school_notifications_send_due(on=D)

    sent = SchoolNotification.objects.get(incident=incident)
    assert sent.child == own and sent.school == _school() and sent.sent_by == police


def test_an_incident_older_than_a_week_is_left_to_a_worker_to_send_by_hand(police):
    mother, father, child = _family(police)
    incident = _incident(police, mother, father, child, D)

    services.school_notifications_send_due(on=D + timedelta(days=8))

    assert not SchoolNotification.objects.filter(incident=incident).exists()
    services.school_notify(actor=police, child=child, incident=incident)
    assert SchoolNotification.objects.filter(incident=incident).count() == 1


def test_the_cron_command_and_the_periodic_check_send_recent_notifications(police):
    mother, father, child = _family(police)
    incident = _incident(police, mother, father, child, date.today())
    call_command("risk_notify_schools", stdout=(out := StringIO()))
    assert "school notification(s) sent." in out.getvalue()
    assert SchoolNotification.objects.filter(incident=incident).count() == 1
    # run_periodic queues the same check (the test task backend runs it at once): nothing doubles.
    call_command("run_periodic", "--once", stdout=(periodic := StringIO()))
    assert "queued school_notifications" in periodic.getvalue() and "queued marac_repeats" in periodic.getvalue()
    assert SchoolNotification.objects.filter(incident=incident).count() == 1

