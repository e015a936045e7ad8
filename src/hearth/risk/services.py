"""Writes of risk data: tool versions, assessments, reported grades, allocations, safety
plans, children's profiles and school notifications.

Every function takes the acting user, checks the policy, runs in one transaction and
audits. Audit rows name fields, ids and counts, never answers or plan text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from hearth.notify.services import notice_send
from hearth.people.models import Incident, Person
from hearth.platform import access, audit, grants
from hearth.platform.locks import lock_for_change
from hearth.platform.models import Agency, AuditAction, Membership
from hearth.platform.roles import AgencyKind, Part, RelationshipKind, Role
from hearth.risk import permissions as risk_perms

from . import ports, selectors
from .models import (
    LEVEL_ORDER,
    Allocation,
    Assessment,
    AssessmentStatus,
    ChildProfile,
    GradeKind,
    Level,
    Mode,
    ReportedRisk,
    RiskTool,
    RiskToolVersion,
    SafetyPlan,
    SafetyPlanSection,
    SafetyPlanVersion,
    SchoolNotification,
    Wording,
    higher_level,
)
from .tools import engine

_require = partial(access.require, object_type="risk")


def _require_part(actor, person: Person, part: str) -> frozenset[str]:
    parts = selectors.risk_parts(actor, person)
    if part not in parts:
        audit.deny(obj=person, reason=f"no {part} for this person")
        raise PermissionDenied(part)
    return parts


# ---------------------------------------------------------------------------
# Tools
# ---------------------------------------------------------------------------

@transaction.atomic
def tool_version_add(*, actor=None, slug: str, name: str, definition: dict, is_default: bool = False,
                     source_note: str = "") -> RiskToolVersion:
    """Add a definition as the tool's new current version; an identical one is not added twice.

    Earlier versions stay, so assessments answered on them keep their questions. ``actor``
    is None when the shipped tools are loaded by a migration or management command.
    """
    engine.validate(definition)
    tool, _ = RiskTool.objects.get_or_create(slug=slug, defaults={"name": name, "is_default": is_default})
    digest = engine.checksum(definition)
    existing = tool.versions.filter(checksum=digest).first()
    if existing is not None:
        return existing
    number = (tool.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    tool.versions.filter(is_current=True).update(is_current=False)
    version = RiskToolVersion.objects.create(
        tool=tool, number=number, label=definition["version_label"], definition=definition, checksum=digest,
        wording=definition.get("wording", Wording.HEARTH), is_current=True, created_by=actor,
        source_note=source_note[:300])
    audit.record(AuditAction.CREATE, obj=version, user=actor,
                 detail={"tool": slug, "number": number, "wording": version.wording})
    return version


def tools_load_shipped(*, actor=None) -> list[RiskToolVersion]:
    """Load the tools shipped with Hearth (own wording); a no-op once loaded."""
    loaded = []
    for slug in engine.SHIPPED:
        definition = engine.read_shipped(slug)
        loaded.append(tool_version_add(actor=actor, slug=slug, name=definition["name"], definition=definition,
                                       is_default=slug == engine.DEFAULT_TOOL,
                                       source_note="Shipped with Hearth"))
    return loaded


@transaction.atomic
def tool_wording_import(*, actor=None, slug: str, wording: dict, source_note: str = "") -> RiskToolVersion:
    """Make a new version of a tool with the partnership's licensed wording (same questions and scoring)."""
    tool = RiskTool.objects.filter(slug=slug).first()
    if tool is None:
        raise ValidationError(f"There is no risk tool '{slug}'.")
    current = tool.current_version()
    definition = engine.apply_wording(current.definition, wording)
    return tool_version_add(actor=actor, slug=slug, name=tool.name, definition=definition,
                            source_note=source_note or "Licensed wording imported")


# ---------------------------------------------------------------------------
# Assessments
# ---------------------------------------------------------------------------

def _check_assessment(*, tool_version: RiskToolVersion, mode: str, assessed_on: date, answers: dict,
                      judgement_level: str, judgement_reason: str) -> dict:
    errors = {}
    if mode not in Mode.values:
        errors["mode"] = "Say whether the survivor took part."
    if assessed_on is None or assessed_on > timezone.localdate():
        errors["assessed_on"] = "The date of the assessment must be today or in the past."
    known = {q["id"] for q in tool_version.questions}
    values = {o["value"] for o in tool_version.answer_options}
    if set(answers) - known or any(v not in values for v in answers.values()):
        errors["__all__"] = "Some answers do not belong to this checklist."
    if judgement_level and judgement_level not in Level.values:
        errors["judgement_level"] = "Choose a level."
    if judgement_level and not judgement_reason.strip():
        errors["judgement_reason"] = "Say why your professional judgement sets this level."
    return errors


@transaction.atomic
def assessment_save_draft(*, actor, person: Person, tool_version: RiskToolVersion, mode: str, assessed_on: date,
                          answers: dict, answer_sources: str = "", fears_most: str = "",
                          judgement_level: str = "", judgement_reason: str = "",
                          draft: Assessment | None = None, revises: Assessment | None = None) -> Assessment:
    """Save answers as a draft (complete or not). A draft is never scored.

    With ``draft``, that draft (the actor's agency's own) is updated; with ``revises``, a
    new draft is started that will replace a submitted assessment once submitted.
    """
    _require(actor, risk_perms.ASSESS)
    _require_part(actor, person, Part.RISK_ANSWERS)
    membership = access.acting(actor)
    answers = {k: v for k, v in (answers or {}).items() if v}
    errors = _check_assessment(tool_version=tool_version, mode=mode, assessed_on=assessed_on, answers=answers,
                               judgement_level=judgement_level, judgement_reason=judgement_reason)
    if errors:
        raise ValidationError(errors)
    if draft is not None:
        if not draft.is_draft:
            raise ValidationError("This assessment was submitted: changing it makes a new version.")
        if draft.agency_id != membership.agency_id:
            raise PermissionDenied("another agency's draft")
        assessment = draft
    else:
        if revises is not None and revises.is_draft:
            raise ValidationError("Only a submitted assessment can be revised.")
        assessment = Assessment(person=person, tool_version=tool_version, revises=revises, agency=membership.agency,
                                assessed_by=actor)
    assessment.mode, assessment.assessed_on, assessment.answers = mode, assessed_on, answers
    assessment.answer_sources, assessment.fears_most = answer_sources.strip(), fears_most.strip()
    assessment.judgement_level, assessment.judgement_reason = judgement_level, judgement_reason.strip()
    assessment.status = AssessmentStatus.DRAFT
    assessment.score = None
    assessment.score_level = assessment.level = ""
    assessment.save()
    audit.record(AuditAction.UPDATE if draft else AuditAction.CREATE, obj=assessment, detail={
        "draft": True, "answered": len(answers), "questions": len(tool_version.questions),
        "revises": revises.pk if revises else None})
    return assessment


@transaction.atomic
def assessment_submit(*, actor, assessment: Assessment) -> Assessment:
    """Score a complete draft and submit it. An incomplete checklist stays a draft (error lists the gaps).

    Professional judgement may raise the level above the score's, never lower it.
    """
    _require(actor, risk_perms.ASSESS)
    _require_part(actor, assessment.person, Part.RISK_ANSWERS)
    lock_for_change(assessment)  # submitted once: a second submit sees it submitted
    if not assessment.is_draft:
        raise ValidationError("This assessment is already submitted: changing it makes a new version.")
    if assessment.agency_id != access.acting(actor).agency_id:
        raise PermissionDenied("another agency's draft")
    definition = assessment.tool_version.definition
    scored = engine.score(definition, assessment.answers)
    if not scored.complete:
        numbers = [str(i) for i, q in enumerate(definition["questions"], start=1) if q["id"] in scored.missing]
        raise ValidationError(
            f"The checklist is not complete: answer question{'s' if len(numbers) > 1 else ''} {', '.join(numbers)} "
            "(\"Not known\" is an answer). It is saved as a draft and has not been scored.")
    if assessment.judgement_level and LEVEL_ORDER[assessment.judgement_level] < LEVEL_ORDER[scored.level]:
        raise ValidationError({"judgement_level": "Professional judgement may raise the level, never lower it. "
                                                  f"The score gives {scored.level}."})
    assessment.score, assessment.score_level = scored.score, scored.level
    assessment.level = higher_level(scored.level, assessment.judgement_level or None)
    if assessment.judgement_level == scored.level:
        assessment.judgement_level, assessment.judgement_reason = "", ""
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.submitted_at = timezone.now()
    assessment.save()
    audit.record(AuditAction.UPDATE, obj=assessment, detail={
        "submitted": True, "score": scored.score, "level": assessment.level,
        "raised_by_judgement": assessment.level != scored.level, "revises": assessment.revises_id})
    if assessment.level == Level.HIGH:
        # Never silent: the assessor is told the MARAC criteria are met, as well as seeing the prompt.
        notice_send(recipient=actor, subject="High risk: consider a MARAC referral",
                    body=f"Assessment {assessment.pk} is high risk. Its risk page shows the MARAC criteria met "
                         "and a button to refer.")
    return assessment


@transaction.atomic
def reported_risk_record(*, actor, person: Person, kind: str, reported_on: date, source_agency: str,
                         dash_score: int | None = None, dara_grade: str = "", reference: str = "") -> ReportedRisk:
    """Record a Dash score or a DARA grade that arrived without answers (e.g. on a police referral)."""
    _require(actor, risk_perms.RECORD_REPORTED_GRADE)
    _require_part(actor, person, Part.RISK_LEVEL)
    errors = {}
    if kind == GradeKind.DASH_SCORE:
        if dash_score is None or not 0 <= dash_score <= 27:
            errors["dash_score"] = "Enter the Dash score, a whole number from 0 to 27."
        # The score is read against the default tool's current thresholds (the partnership's).
        default = RiskToolVersion.objects.filter(tool__is_default=True, is_current=True).first()
        definition = default.definition if default else engine.read_shipped(engine.DEFAULT_TOOL)
        level = engine.level_for(definition, dash_score or 0)
        dara_grade = ""
    elif kind == GradeKind.DARA_GRADE:
        if dara_grade not in Level.values:
            errors["dara_grade"] = "Choose the DARA grade: standard, medium or high."
        level, dash_score = dara_grade, None
    else:
        errors["kind"] = "Say whether the referral carries a Dash score or a DARA grade."
        level = ""
    if not source_agency.strip():
        errors["source_agency"] = "Say who graded the risk."
    if reported_on is None or reported_on > timezone.localdate():
        errors["reported_on"] = "The date must be today or in the past."
    if errors:
        raise ValidationError(errors)
    membership = access.acting(actor)
    reported = ReportedRisk.objects.create(
        person=person, kind=kind, dash_score=dash_score, dara_grade=dara_grade, level=level, reported_on=reported_on,
        source_agency=source_agency.strip(), reference=reference.strip(), recorded_by=actor, agency=membership.agency)
    audit.record(AuditAction.CREATE, obj=reported, detail={"kind": kind, "level": level})
    return reported


# ---------------------------------------------------------------------------
# IDVA allocation
# ---------------------------------------------------------------------------

@transaction.atomic
def allocation_create(*, actor, person: Person, worker_membership: Membership) -> Allocation:
    """Allocate an IDVA or caseworker to a high-risk survivor.

    A DA service allocates its own workers; the MARAC coordinator allocates an IDVA from a
    DA service for a referred case, which gives that service a relationship to the survivor
    held on the allocation (the IDVA represents the survivor at MARAC).
    """
    _require(actor, risk_perms.ALLOCATE)
    _require_part(actor, person, Part.RISK_LEVEL)
    membership = access.acting(actor)
    level, _ = selectors.current_level(person)
    referred = ports.marac().referred(person)
    if level != Level.HIGH and not referred:
        raise ValidationError("Only a survivor assessed as high risk, or referred to MARAC, is allocated here.")
    if worker_membership.role != Role.DA_CASEWORKER or not worker_membership.is_active:
        raise ValidationError({"worker": "Choose an IDVA or caseworker."})
    if membership.role == Role.DA_CASEWORKER and worker_membership.agency_id != membership.agency_id:
        raise ValidationError({"worker": "Choose a worker in your own agency."})
    if Allocation.objects.filter(person=person, worker=worker_membership.user, ended_on__isnull=True).exists():
        raise ValidationError({"worker": "This worker is already allocated to this survivor."})
    allocation = Allocation.objects.create(person=person, worker=worker_membership.user,
                                           agency=worker_membership.agency, allocated_by=actor,
                                           allocated_on=timezone.localdate())
    grants.relationship_grant(agency=worker_membership.agency, obj=allocation, kind=RelationshipKind.MARAC,
                              cause=allocation, source="IDVA allocation for a high-risk survivor")
    audit.record(AuditAction.CREATE, obj=allocation, detail={"person": person.pk, "worker": worker_membership.user_id})
    notice_send(recipient=worker_membership.user, subject="A high-risk survivor has been allocated to you",
                body="Open your caseload in Hearth to see who.")
    return allocation


@transaction.atomic
def allocation_end(*, actor, allocation: Allocation) -> Allocation:
    """End an allocation (the survivor's case with the IDVA closes). The relationship the
    allocation gave ends with it; what the service wrote stays."""
    _require(actor, risk_perms.VIEW_CASELOAD)
    if allocation.agency_id != access.acting(actor).agency_id:
        audit.deny(obj=allocation, reason="another agency's allocation")
        raise PermissionDenied("another agency")
    lock_for_change(allocation)
    if allocation.ended_on is not None:
        raise ValidationError("This allocation has already ended.")
    allocation.ended_on = timezone.localdate()
    allocation.save(update_fields=["ended_on"])
    grants.relationship_end(obj=allocation, reason="allocation ended")
    audit.record(AuditAction.UPDATE, obj=allocation, detail={"ended": True})
    return allocation


# ---------------------------------------------------------------------------
# Safety plans
# ---------------------------------------------------------------------------

@transaction.atomic
def safety_plan_save(*, actor, person: Person, sections: dict, review_on: date) -> SafetyPlanVersion:
    """Write a new version of the actor's agency's plan with this survivor; earlier versions stay."""
    _require(actor, risk_perms.WRITE_SAFETY_PLAN)
    _require_part(actor, person, Part.SAFETY_PLAN)
    clean = {key: (sections.get(key) or "").strip() for key in SafetyPlanSection.values}
    errors = {}
    if not any(clean.values()):
        errors["__all__"] = "Write at least one section of the plan."
    if review_on is None or review_on < timezone.localdate():
        errors["review_on"] = "Enter a review date today or later."
    if errors:
        raise ValidationError(errors)
    membership = access.acting(actor)
    plan, _ = SafetyPlan.objects.get_or_create(person=person, agency=membership.agency)
    # Two workers saving at once get consecutive version numbers, not the same one.
    lock_for_change(plan)
    number = (plan.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = SafetyPlanVersion.objects.create(plan=plan, number=number, sections=clean, review_on=review_on,
                                               written_by=actor)
    audit.record(AuditAction.CREATE, obj=version, detail={
        "plan": plan.pk, "number": number, "sections": sorted(k for k, v in clean.items() if v)})
    return version


# ---------------------------------------------------------------------------
# Children: profile, school, notifications
# ---------------------------------------------------------------------------

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
