"""Writes of MARAC data: referrals, meetings, listings, research returns, minutes, actions.

Every function takes the acting user, checks the policy, runs in one transaction and
audits. Listing a case gives each attending agency a MARAC relationship held on the case,
which lapses 12 months after the meeting.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from hearth.marac import permissions as marac_perms
from hearth.notify.services import notice_send
from hearth.people.models import Person
from hearth.platform import access, audit, grants
from hearth.platform.locks import lock_for_change
from hearth.platform.models import Agency, AuditAction, Membership
from hearth.platform.roles import AgencyKind, Part, RelationshipKind, Role
from hearth.risk import selectors as risk_selectors

from . import criteria
from .models import (
    ActionStatus,
    ActionUpdate,
    Criterion,
    MaracAction,
    MaracCase,
    MaracMeeting,
    MaracReferral,
    MeetingStatus,
    ReferralStatus,
    RepeatFlag,
    ResearchReturn,
)

# What a MARAC relationship opens (each role's own parts still cut it down).
MARAC_PARTS = (Part.IDENTITY, Part.RISK_LEVEL, Part.RISK_ANSWERS)
REPEAT_WINDOW = timedelta(days=365)


_require = partial(access.require, object_type="marac")


def _end_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max))


def marac_agency() -> Agency:
    agency = Agency.objects.filter(kind=AgencyKind.MARAC, is_onboarded=True).order_by("pk").first()
    if agency is None:
        raise ValidationError("The partnership has no MARAC set up in Hearth.")
    return agency


@transaction.atomic
def marac_referral_create(*, actor, person: Person, perpetrator: Person | None = None, victim_knows: bool = False,
                          victim_consents: bool = False, judgement_reason: str = "", note: str = "",
                          referred_on: date | None = None) -> MaracReferral:
    """Refer a survivor to the MARAC coordinator, recording the criteria met and their reasons.

    With no criterion met, the referrer's professional judgement (with a reason) is the
    criterion. A referral within 12 months of the last one is a repeat.
    """
    _require(actor, marac_perms.REFER)
    parts = risk_selectors.risk_parts(actor, person)
    if Part.RISK_LEVEL not in parts:
        audit.deny(obj=person, reason="no relationship for a MARAC referral")
        raise PermissionDenied("no relationship")
    referred_on = referred_on or timezone.localdate()
    if referred_on > timezone.localdate():
        raise ValidationError({"referred_on": "The referral date must be today or in the past."})
    results = criteria.evaluate(person, on=referred_on)
    met = [r for r in results if r.met]
    reasons = [f"{r.label}: {r.reason}" for r in met]
    codes = [r.code for r in met]
    if judgement_reason.strip() and Criterion.PROFESSIONAL_JUDGEMENT not in codes:
        codes.append(Criterion.PROFESSIONAL_JUDGEMENT)
        reasons.append(f"Professional judgement: the referrer's judgement on {referred_on:%-d %B %Y}")
    if not codes:
        raise ValidationError({"judgement_reason": "No MARAC criterion is met. To refer on your professional "
                                                   "judgement, say why."})
    previous = criteria.last_referral(person, on=referred_on)
    is_repeat = previous is not None and referred_on - previous.referred_on <= REPEAT_WINDOW
    if perpetrator is not None and perpetrator.pk == person.pk:
        raise ValidationError({"perpetrator": "The alleged perpetrator cannot be the survivor."})
    membership = access.acting(actor)
    referral = MaracReferral.objects.create(
        person=person, perpetrator=perpetrator, criteria=codes, reasons=reasons, is_repeat=is_repeat,
        referred_on=referred_on, referred_by=actor, referring_agency=membership.agency,
        victim_knows=victim_knows, victim_consents=victim_consents,
        referral_note=(note.strip() + ("\n\nJudgement: " + judgement_reason.strip() if judgement_reason.strip() else "")
                       ).strip())
    coordinator = marac_agency()
    grants.relationship_grant(agency=coordinator, obj=referral, kind=RelationshipKind.MARAC, parts=MARAC_PARTS,
                              ends_at=_end_of(referred_on + REPEAT_WINDOW), cause=referral, source="MARAC referral")
    audit.record(AuditAction.CREATE, obj=referral, detail={"person": person.pk, "criteria": codes,
                                                           "repeat": is_repeat})
    for member in Membership.objects.active().filter(agency=coordinator, role=Role.MARAC_COORDINATOR):
        notice_send(recipient=member.user, subject="New MARAC referral" + (" (repeat)" if is_repeat else ""),
                    body=f"MARAC referral {referral.pk} is waiting to be listed.")
    return referral


@transaction.atomic
def meeting_create(*, actor, held_on: date, chair: str, agencies: list[Agency]) -> MaracMeeting:
    """Plan a MARAC meeting with its chair and the agencies invited."""
    _require(actor, marac_perms.COORDINATE)
    errors = {}
    if held_on is None:
        errors["held_on"] = "Enter the date of the meeting."
    if not chair.strip():
        errors["chair"] = "Name the chair."
    if not agencies:
        errors["agencies"] = "Invite at least one agency."
    elif any(a.kind == AgencyKind.PERPETRATOR_SERVICE for a in agencies):
        errors["agencies"] = "Perpetrator services are not invited: research returns hold survivors' details."
    if errors:
        raise ValidationError(errors)
    membership = access.acting(actor)
    meeting = MaracMeeting.objects.create(held_on=held_on, chair=chair.strip(), coordinator_agency=membership.agency,
                                          created_by=actor)
    meeting.agencies_invited.set(agencies)
    audit.record(AuditAction.CREATE, obj=meeting, detail={"agencies": sorted(a.pk for a in agencies)})
    return meeting


def _grant_attending(meeting: MaracMeeting, case: MaracCase) -> None:
    """Each invited agency's MARAC relationship to a listed case: from the agenda's publication
    (ACCESS.md), never from the listing, so a case listed on an unpublished agenda names nobody
    to the agencies invited; it lapses 12 months after the meeting."""
    ends = _end_of(meeting.held_on + REPEAT_WINDOW)
    for agency in meeting.agencies_invited.all():
        grants.relationship_grant(agency=agency, obj=case, kind=RelationshipKind.MARAC, parts=MARAC_PARTS,
                                  ends_at=ends, cause=meeting, source=f"listed at MARAC meeting {meeting.pk}")


@transaction.atomic
def meeting_case_add(*, actor, meeting: MaracMeeting, referral: MaracReferral) -> MaracCase:
    """List a referral on a meeting's agenda. The coordinator's relationship starts now; each invited
    agency's starts when the agenda is published (at once if it already is)."""
    _require(actor, marac_perms.COORDINATE)
    # Under the meeting's and the referral's locks: one listing each, never on a held meeting.
    lock_for_change(meeting)
    lock_for_change(referral)
    if meeting.status == MeetingStatus.HELD:
        raise ValidationError("This meeting has been held: list the case at a later meeting.")
    if MaracCase.objects.filter(meeting=meeting, referral=referral).exists():
        raise ValidationError("This case is already on the agenda.")
    position = (meeting.cases.aggregate(n=Max("position"))["n"] or 0) + 1
    case = MaracCase.objects.create(meeting=meeting, referral=referral, position=position,
                                    is_repeat=referral.is_repeat)
    grants.relationship_grant(agency=meeting.coordinator_agency, obj=case, kind=RelationshipKind.MARAC,
                              parts=MARAC_PARTS, ends_at=_end_of(meeting.held_on + REPEAT_WINDOW),
                              cause=meeting, source=f"coordinator of meeting {meeting.pk}")
    if meeting.agenda_published_at is not None:
        _grant_attending(meeting, case)
    referral.status = ReferralStatus.LISTED
    referral.save(update_fields=["status"])
    audit.record(AuditAction.CREATE, obj=case, detail={"meeting": meeting.pk, "referral": referral.pk})
    return case


@transaction.atomic
def meeting_publish_agenda(*, actor, meeting: MaracMeeting) -> MaracMeeting:
    """Publish the agenda so attending agencies research their records. A meeting with no cases cannot."""
    _require(actor, marac_perms.COORDINATE)
    lock_for_change(meeting)  # published once, with one notice each, however many press the button
    if not meeting.cases.exists():
        raise ValidationError("List at least one case before publishing the agenda.")
    if meeting.status != MeetingStatus.PLANNED:
        raise ValidationError("The agenda is already published.")
    meeting.status, meeting.agenda_published_at = MeetingStatus.AGENDA_PUBLISHED, timezone.now()
    meeting.save(update_fields=["status", "agenda_published_at"])
    for case in meeting.cases.all():
        _grant_attending(meeting, case)
    audit.record(AuditAction.UPDATE, obj=meeting, detail={"agenda_published": True, "cases": meeting.cases.count()})
    members = Membership.objects.active().filter(agency__in=meeting.agencies_invited.all()).exclude(
        role__in=[Role.AGENCY_ADMIN, Role.DATA_PROTECTION_OFFICER, Role.DELIVERY_VOLUNTEER])
    for member in members:
        notice_send(recipient=member.user, subject=f"MARAC agenda for {meeting.held_on:%-d %B %Y}",
                    body="Research your records for each listed case and enter your return in Hearth.")
    return meeting


@transaction.atomic
def research_return_save(*, actor, case: MaracCase, holds_nothing: bool, summary: str) -> ResearchReturn:
    """Enter (or correct, before the meeting) what the actor's agency holds about a listed case."""
    _require(actor, marac_perms.ATTEND)
    membership = access.acting(actor)
    if not case.meeting.agencies_invited.filter(pk=membership.agency_id).exists():
        audit.deny(obj=case, reason="agency not invited")
        raise PermissionDenied("not invited")
    # The meeting's lock orders this against its minuting: no return is written after it is held.
    lock_for_change(case.meeting)
    if case.meeting.status == MeetingStatus.HELD:
        raise ValidationError("The meeting has been held: research returns are closed.")
    summary = summary.strip()
    if holds_nothing and summary:
        raise ValidationError({"summary": "Either say your agency holds nothing, or describe what it holds."})
    if not holds_nothing and not summary:
        raise ValidationError({"summary": "Describe what your agency holds, or say it holds nothing."})
    found = ResearchReturn.objects.filter(case=case, agency=membership.agency).first()
    research = found or ResearchReturn(case=case, agency=membership.agency)
    research.holds_nothing, research.summary = holds_nothing, summary
    research.entered_by, research.entered_at = actor, timezone.now()
    research.save()
    audit.record(AuditAction.UPDATE if found else AuditAction.CREATE, obj=research, detail={"case": case.pk})
    return research


@transaction.atomic
def meeting_minute(*, actor, meeting: MaracMeeting, minute: str, case_minutes: dict[int, str]) -> MaracMeeting:
    """Record the meeting's minute (and each case's) and mark it held."""
    _require(actor, marac_perms.COORDINATE)
    lock_for_change(meeting)
    if not meeting.cases.exists():
        raise ValidationError("A meeting with no cases has nothing to minute. List a case first.")
    if not minute.strip():
        raise ValidationError({"minute": "Write the minute of the meeting."})
    for case in meeting.cases.all():
        text = (case_minutes.get(case.pk) or "").strip()
        if text != case.minute:
            case.minute = text
            case.save(update_fields=["minute"])
    meeting.minute, meeting.status = minute.strip(), MeetingStatus.HELD
    meeting.save(update_fields=["minute", "status"])
    MaracReferral.objects.filter(listings__meeting=meeting).update(status=ReferralStatus.HEARD)
    audit.record(AuditAction.UPDATE, obj=meeting, detail={"held": True, "case_minutes": len(case_minutes)})
    return meeting


@transaction.atomic
def action_create(*, actor, case: MaracCase, description: str, owner_agency: Agency | None, owner_name: str,
                  due_on: date | None) -> MaracAction:
    """Add an action to a case's plan, owned by an attending agency and a named person there."""
    _require(actor, marac_perms.COORDINATE)
    errors = {}
    if not description.strip():
        errors["description"] = "Describe the action."
    if owner_agency is None:
        errors["owner_agency"] = "Choose the agency that owns this action."
    elif not (case.meeting.agencies_invited.filter(pk=owner_agency.pk).exists()
              or owner_agency.pk == case.meeting.coordinator_agency_id):
        errors["owner_agency"] = "The owning agency must be one invited to the meeting."
    if not owner_name.strip():
        errors["owner_name"] = "Name the person who owns this action."
    if due_on is None:
        errors["due_on"] = "Enter the date the action is due."
    if errors:
        raise ValidationError(errors)
    action = MaracAction.objects.create(case=case, description=description.strip(), owner_agency=owner_agency,
                                        owner_name=owner_name.strip(), due_on=due_on, created_by=actor)
    audit.record(AuditAction.CREATE, obj=action, detail={"case": case.pk, "owner_agency": owner_agency.pk})
    return action


@transaction.atomic
def action_update(*, actor, action: MaracAction, status: str, note: str = "") -> ActionUpdate:
    """Follow up an action (its owner agency or the coordinator) until it is closed."""
    _require(actor, marac_perms.ATTEND)
    membership = access.acting(actor)
    if membership.agency_id not in (action.owner_agency_id, action.case.meeting.coordinator_agency_id):
        audit.deny(obj=action, reason="not the owning agency")
        raise PermissionDenied("not the owner")
    lock_for_change(action)  # of two people closing it at once, the second is told it is closed
    if action.status == ActionStatus.CLOSED:
        raise ValidationError("This action is closed.")
    if status not in ActionStatus.values:
        raise ValidationError({"status": "Choose the action's status."})
    if status == ActionStatus.CLOSED and not note.strip():
        raise ValidationError({"note": "Say what was done before closing the action."})
    update = ActionUpdate.objects.create(action=action, status=status, note=note.strip(), by=actor)
    action.status = status
    action.closed_at = timezone.now() if status == ActionStatus.CLOSED else None
    action.save(update_fields=["status", "closed_at"])
    audit.record(AuditAction.UPDATE, obj=action, detail={"status": status})
    return update


def grants_for_case(case: MaracCase):
    """The live MARAC relationships a listing created (for tests and the coordinator's view)."""
    return grants.held_on(case)


def repeats_flag(*, on: date | None = None) -> list[RepeatFlag]:
    """Find repeats nobody has been told about: flag them and tell the MARAC coordinators, once per incident.

    A repeat is a new incident between the same victim and alleged perpetrator (on any record of
    either identity, whichever agency recorded it) after the last MARAC referral and within
    ``HEARTH_MARAC_REPEAT_DAYS`` of it: the criterion the risk page shows. The people app records
    incidents, so this runs as a periodic check (``run_periodic``, or ``manage.py marac_repeats``
    from cron) rather than at the moment of recording. The notice names the referral and dates,
    never what happened; the coordinator opens the referral to decide whether to re-refer.
    """
    on = on or timezone.localdate()
    days = criteria.thresholds()["repeat_days"]
    flags, seen = [], set()
    recent = (MaracReferral.objects.filter(referred_on__gte=on - timedelta(days=days), referred_on__lte=on)
              .select_related("person").order_by("-referred_on", "-pk"))
    for candidate in recent:
        identity = candidate.person.identity_id
        if identity in seen:
            continue
        seen.add(identity)
        referral, incidents = criteria.repeat_incidents(candidate.person, on=on, days=days)
        for incident in incidents:
            if RepeatFlag.objects.filter(incident=incident, referral__person__identity_id=identity).exists():
                continue
            try:
                with transaction.atomic():
                    flags.append(_repeat_flag_create(referral=referral, incident=incident))
            except IntegrityError:
                continue  # another run flagged it a moment ago
    return flags


def _repeat_flag_create(*, referral: MaracReferral, incident) -> RepeatFlag:
    flag = RepeatFlag.objects.create(referral=referral, incident=incident, incident_on=incident.occurred_on)
    # The same coordinators a new referral tells (marac_referral_create): the partnership's MARAC.
    coordinators = Membership.objects.active().filter(role=Role.MARAC_COORDINATOR, agency=marac_agency())
    for member in coordinators.select_related("user"):
        notice_send(recipient=member.user, subject="Possible repeat MARAC",
                    body=f"A new incident on {incident.occurred_on:%-d %B %Y} involves the survivor and alleged "
                         f"perpetrator of MARAC referral {referral.pk} (referred {referral.referred_on:%-d %B %Y}). "
                         "It meets the repeat criterion: check whether to re-refer.", email=True)
    flag.coordinators_told = coordinators.count()
    flag.save(update_fields=["coordinators_told"])
    audit.record(AuditAction.CREATE, obj=flag, detail={"referral": referral.pk, "incident": incident.pk,
                                                       "coordinators_told": flag.coordinators_told})
    return flag
