"""Risk assessments (drafted, then submitted) and risk grades reported by other agencies."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from hearth.notify.services import notice_send
from hearth.people.models import Person
from hearth.platform import access, audit
from hearth.platform.locks import lock_for_change
from hearth.platform.models import AuditAction
from hearth.platform.roles import Part
from hearth.risk import permissions as risk_perms

from ..models import (
    LEVEL_ORDER,
    Assessment,
    AssessmentStatus,
    GradeKind,
    Level,
    Mode,
    ReportedRisk,
    RiskToolVersion,
    higher_level,
)
from ..tools import engine
from ._common import _require, _require_part


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
