"""Children: a child's profile and school, and telling the school after an incident (Operation Encompass)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from hearth.notify.services import notice_send
from hearth.people.models import Incident, Person
from hearth.platform import access, audit
from hearth.platform.locks import lock_for_change
from hearth.platform.models import Agency, AuditAction, Membership
from hearth.platform.roles import AgencyKind, Part, Role
from hearth.risk import permissions as risk_perms

from .. import selectors
from ..models import (
    ChildProfile,
    SchoolNotification,
)
from ._common import _require, _require_part


@transaction.atomic
def child_profile_save(*, actor, child: Person, school: Agency | None, needs: str) -> ChildProfile:
    """Record a child's own needs and school."""
    _require(actor, risk_perms.CHANGE_CHILDREN)
    _require_part(actor, child, Part.CHILDREN)
    if school is not None and school.kind != AgencyKind.SCHOOL:
        raise ValidationError({"school": "Choose a school."})
    profile = ChildProfile.objects.filter(child=child).first() or ChildProfile(child=child)
    profile.school, profile.needs, profile.updated_by, profile.updated_at = school, needs.strip(), actor, timezone.now()
    profile.save()
    audit.record(AuditAction.UPDATE, obj=profile, detail={"child": child.pk, "school": school.pk if school else None})
    return profile


@transaction.atomic
def school_notify(*, actor, child: Person, incident: Incident) -> SchoolNotification:
    """Tell the child's school's safeguarding lead that the child was present at an incident.

    The school learns the pupil's name, the date, and who to contact: nothing about the
    adults, addresses, risk or what happened.
    """
    _require(actor, risk_perms.NOTIFY_SCHOOL)
    _require_part(actor, child, Part.CHILDREN)
    profile = ChildProfile.objects.filter(child=child).select_related("school").first()
    if profile is None or profile.school is None:
        raise ValidationError("Record the child's school first.")
    if not selectors.child_was_present(child, incident):
        raise ValidationError("The child was not recorded as present at that incident.")
    # Any record of the child counts: the automatic check may already have told the school.
    if selectors.school_already_told(child, incident, profile.school):
        raise ValidationError("The school has already been told about this incident.")
    membership = access.acting(actor)
    notification, _told = _school_notification_send(child=child, incident=incident, school=profile.school,
                                                    sender=actor, contact_agency=membership.agency.name)
    return notification


def _school_notification_send(*, child: Person, incident: Incident, school: Agency, sender, contact_agency: str,
                              automatic: bool = False) -> tuple[SchoolNotification, int]:
    """Create one notification, audit it and tell the school's leads; returns it and how many leads were told.

    The in-app notice says only that there is a notification about a pupil: the name and date
    are read in Hearth, where reading them is audited.
    """
    notification = SchoolNotification.objects.create(
        child=child, incident=incident, school=school, pupil_name=f"{child.given_name} {child.family_name}",
        incident_on=incident.occurred_on, contact_name=sender.get_full_name() or sender.get_username(),
        contact_agency=contact_agency, sent_by=sender)
    detail = {"child": child.pk, "incident": incident.pk, "school": school.pk}
    if automatic:
        detail |= {"automatic": True, "on_behalf_of": sender.pk}
    audit.record(AuditAction.CREATE, obj=notification, detail=detail)
    told = 0
    for lead in Membership.objects.active().filter(agency=school, role=Role.SCHOOL_SAFEGUARDING_LEAD):
        notice_send(recipient=lead.user, subject="A notification about one of your pupils",
                    body="Open Hearth to read it and acknowledge it before the school day starts.")
        told += 1
    return notification, told


@transaction.atomic
def school_acknowledge(*, actor, notification: SchoolNotification) -> SchoolNotification:
    """The school's safeguarding lead acknowledges a notification for their own pupil."""
    _require(actor, risk_perms.VIEW_SCHOOL_NOTIFICATIONS)
    if notification.school_id != access.acting(actor).agency_id:
        audit.deny(obj=notification, reason="another school's notification")
        raise PermissionDenied("another school")
    if notification.acknowledged_at is None and lock_for_change(notification).acknowledged_at is None:
        notification.acknowledged_at, notification.acknowledged_by = timezone.now(), actor
        notification.save(update_fields=["acknowledged_at", "acknowledged_by"])
        audit.record(AuditAction.UPDATE, obj=notification, detail={"acknowledged": True})
    return notification


@dataclass
class EncompassRun:
    """What one run of the automatic school notifications did (for the command and the log)."""

    sent: list[SchoolNotification] = field(default_factory=list)
    no_school: int = 0  # children present whose school is not on Hearth: listed for workers to add
    restricted: int = 0  # restricted records: left to the workers named on them, by hand
    no_lead: list[str] = field(default_factory=list)  # schools with nobody on Hearth to read it


def school_notifications_send_due(*, on: date | None = None) -> EncompassRun:
    """Operation Encompass: tell each child's school about every recent incident the child was present at.

    Runs unattended (``run_periodic`` every few minutes, or ``manage.py risk_notify_schools`` from
    cron) so the school's safeguarding lead has it before the next school day. For each child
    present at an incident in the last ``HEARTH_ENCOMPASS_DAYS`` days, on any record of their
    identity, whose school is known: one notification to that school, sent in the name of the
    worker who recorded the incident (the school's contact), audited as automatic, the leads told
    by an in-app notice that says only "a notification about one of your pupils". Idempotent:
    a child, incident and school already told (by hand or by an earlier run) is skipped, and a
    race with a hand-sent one is settled by the database's unique constraint.
    """
    on = on or timezone.localdate()
    run = EncompassRun()
    seen = set()
    for involvement in selectors.children_present_between(on - timedelta(days=selectors.encompass_days()), on):
        present, incident = involvement.person, involvement.incident
        if (present.identity_id, incident.pk) in seen:
            continue
        seen.add((present.identity_id, incident.pk))
        profile = selectors.school_profile(present)
        if profile is None:
            run.no_school += 1
            continue
        child = profile.child
        if selectors.is_restricted(present) or selectors.is_restricted(child):
            run.restricted += 1
            continue
        if selectors.school_already_told(child, incident, profile.school):
            continue
        try:
            with transaction.atomic():
                notification, told = _school_notification_send(
                    child=child, incident=incident, school=profile.school, sender=incident.recorded_by,
                    contact_agency=incident.owner_agency.name, automatic=True)
        except IntegrityError:
            continue  # sent by hand a moment ago
        run.sent.append(notification)
        if not told:
            run.no_lead.append(profile.school.name)
    return run
