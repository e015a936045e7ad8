"""The MARAC referral criteria (SafeLives), evaluated for a person on a date, with reasons.

Thresholds are the partnership's to set (Django settings, defaults below):

- ``HEARTH_MARAC_HIGH_RISK_SCORE`` (14): a Dash score at or above it is visible high risk.
- ``HEARTH_MARAC_ESCALATION_CALLOUTS`` (3) police call-outs within
  ``HEARTH_MARAC_ESCALATION_DAYS`` (365) is potential escalation.
- ``HEARTH_MARAC_REPEAT_DAYS`` (365): a new incident between the same victim and alleged
  perpetrator within this long of the last MARAC referral is a repeat.

Incidents are counted across every record that shares the person's identity, whichever
agency recorded them ("disclosed to any agency"). Reasons name dates and counts, never
what happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Q

from hearth.people.models import Incident, Involvement, InvolvementRole, Person
from hearth.platform.roles import AgencyKind
from hearth.risk import selectors as risk_selectors
from hearth.risk.models import GradeKind, Level

from .models import Criterion, MaracReferral


def thresholds() -> dict[str, int]:
    return {
        "high_risk_score": int(getattr(settings, "HEARTH_MARAC_HIGH_RISK_SCORE", 14)),
        "escalation_callouts": int(getattr(settings, "HEARTH_MARAC_ESCALATION_CALLOUTS", 3)),
        "escalation_days": int(getattr(settings, "HEARTH_MARAC_ESCALATION_DAYS", 365)),
        "repeat_days": int(getattr(settings, "HEARTH_MARAC_REPEAT_DAYS", 365)),
    }


@dataclass(frozen=True)
class CriterionResult:
    code: str
    met: bool
    reason: str
    since: date | None = None  # the event that triggered it: a referral after this answers it
    # The person records whose data the reason is drawn from. The risk pages show the reason only
    # to a reader who may see every one of them: a link between records opens nothing of another's.
    evidence: frozenset[int] = frozenset()

    @property
    def label(self) -> str:
        return dict(Criterion.choices)[self.code]


def _fmt(day: date) -> str:
    return f"{day:%-d %B %Y}"


def _visible_high_risk(person: Person, limit: int) -> CriterionResult:
    assessment = risk_selectors.latest_assessment(person)
    reported = risk_selectors.latest_reported(person)
    if assessment and assessment.score is not None and assessment.score >= limit:
        return CriterionResult(Criterion.VISIBLE_HIGH_RISK, True,
                               f"{assessment.tool_version.tool.name} score {assessment.score} on "
                               f"{_fmt(assessment.assessed_on)} ({limit} or more)", assessment.assessed_on,
                               frozenset({assessment.person_id}))
    if reported and reported.kind == GradeKind.DASH_SCORE and (reported.dash_score or 0) >= limit:
        return CriterionResult(Criterion.VISIBLE_HIGH_RISK, True,
                               f"Dash score {reported.dash_score} reported by {reported.source_agency} on "
                               f"{_fmt(reported.reported_on)} ({limit} or more; answers not shared)",
                               reported.reported_on, frozenset({reported.person_id}))
    if reported and reported.kind == GradeKind.DARA_GRADE and reported.dara_grade == Level.HIGH:
        return CriterionResult(Criterion.VISIBLE_HIGH_RISK, True,
                               f"DARA grade high reported by {reported.source_agency} on {_fmt(reported.reported_on)}",
                               reported.reported_on, frozenset({reported.person_id}))
    score = f"latest score {assessment.score}" if assessment and assessment.score is not None else "no score yet"
    return CriterionResult(Criterion.VISIBLE_HIGH_RISK, False, f"Not met: {score} (needs {limit} or more)",
                           evidence=frozenset({assessment.person_id}) if assessment else frozenset())


def _professional_judgement(person: Person) -> CriterionResult:
    assessment = risk_selectors.latest_assessment(person)
    if assessment and assessment.level == Level.HIGH and assessment.score_level != Level.HIGH:
        return CriterionResult(Criterion.PROFESSIONAL_JUDGEMENT, True,
                               f"Raised to high by {assessment.assessed_by.get_full_name()}'s professional judgement "
                               f"on {_fmt(assessment.assessed_on)} (score {assessment.score})", assessment.assessed_on,
                               frozenset({assessment.person_id}))
    return CriterionResult(Criterion.PROFESSIONAL_JUDGEMENT, False, "Not met: no practitioner has raised the level")


def police_callouts(person: Person, *, on: date, days: int) -> list[Incident]:
    """Incidents with this identity as victim in the window, attended or recorded by police."""
    return list(Incident.objects.filter(
        involvements__person__identity_id=person.identity_id, involvements__role=InvolvementRole.VICTIM,
        occurred_on__gt=on - timedelta(days=days), occurred_on__lte=on,
    ).filter(Q(owner_agency__kind=AgencyKind.POLICE) | ~Q(police_reference="")).distinct().order_by("occurred_on"))


def _victim_records(person: Person, incidents: list[Incident]) -> frozenset[int]:
    """The records of this identity that were the victim in these incidents (whose data a count is)."""
    return frozenset(Involvement.objects.filter(incident__in=incidents, role=InvolvementRole.VICTIM,
                                                person__identity_id=person.identity_id)
                     .values_list("person_id", flat=True))


def _escalation(person: Person, on: date, needed: int, days: int) -> CriterionResult:
    callouts = police_callouts(person, on=on, days=days)
    count = len(callouts)
    evidence = _victim_records(person, callouts)
    if count >= needed:
        return CriterionResult(Criterion.POTENTIAL_ESCALATION, True,
                               f"{count} police call-outs in the {days} days to {_fmt(on)} ({needed} or more)",
                               callouts[-1].occurred_on, evidence)
    return CriterionResult(Criterion.POTENTIAL_ESCALATION, False,
                           f"Not met: {count} police call-out{'s' if count != 1 else ''} in the last {days} days "
                           f"(needs {needed})", evidence=evidence)


def last_referral(person: Person, *, on: date) -> MaracReferral | None:
    return (MaracReferral.objects.filter(person__identity_id=person.identity_id, referred_on__lte=on)
            .order_by("-referred_on", "-pk").first())


def repeat_incidents(person: Person, *, on: date, days: int) -> tuple[MaracReferral | None, list[Incident]]:
    """New incidents between the same victim and alleged perpetrator after the last MARAC referral,
    within ``days`` of it (and not after ``on``)."""
    referral = last_referral(person, on=on)
    if referral is None:
        return None, []
    incidents = Incident.objects.filter(
        involvements__person__identity_id=person.identity_id, involvements__role=InvolvementRole.VICTIM,
        occurred_on__gt=referral.referred_on, occurred_on__lte=min(on, referral.referred_on + timedelta(days=days)))
    if referral.perpetrator_id:
        incidents = incidents.filter(involvements__person__identity_id=referral.perpetrator.identity_id,
                                     involvements__role=InvolvementRole.ALLEGED_PERPETRATOR)
    return referral, list(incidents.distinct().order_by("occurred_on"))


def _repeat(person: Person, on: date, days: int) -> CriterionResult:
    referral, incidents = repeat_incidents(person, on=on, days=days)
    if referral is None:
        return CriterionResult(Criterion.REPEAT, False, "Not met: never referred to MARAC")
    evidence = _victim_records(person, incidents) | {referral.person_id}
    if incidents:
        who = "the same alleged perpetrator" if referral.perpetrator_id else "an alleged perpetrator"
        return CriterionResult(Criterion.REPEAT, True,
                               f"New incident on {_fmt(incidents[0].occurred_on)} with {who}, within {days} days of "
                               f"the MARAC referral of {_fmt(referral.referred_on)}", incidents[0].occurred_on,
                               evidence)
    return CriterionResult(Criterion.REPEAT, False,
                           f"Not met: no new incident since the MARAC referral of {_fmt(referral.referred_on)}"
                           + ("" if on <= referral.referred_on + timedelta(days=days) else " within the window"),
                           evidence=evidence)


def evaluate(person: Person, *, on: date | None = None) -> list[CriterionResult]:
    """Each criterion, met or not, with its reason, as things stood on ``on`` (default today)."""
    from django.utils import timezone

    on = on or timezone.localdate()
    limits = thresholds()
    return [
        _visible_high_risk(person, limits["high_risk_score"]),
        _professional_judgement(person),
        _escalation(person, on, limits["escalation_callouts"], limits["escalation_days"]),
        _repeat(person, on, limits["repeat_days"]),
    ]


@dataclass(frozen=True)
class Prompt:
    met: list[CriterionResult]
    referred_on: date | None

    @property
    def shows(self) -> bool:
        return bool(self.met)


def prompt(person: Person, *, on: date | None = None, results: list | None = None) -> Prompt:
    """The criteria met since the last MARAC referral: each prompts a referral, never silently.

    ``results`` are today's ``evaluate`` results when the caller already has them.
    """
    from django.utils import timezone

    on = on or timezone.localdate()
    results = evaluate(person, on=on) if results is None else results
    referral = last_referral(person, on=on)
    outstanding = [r for r in results if r.met and (referral is None or (r.since and r.since > referral.referred_on))]
    return Prompt(met=outstanding, referred_on=referral.referred_on if referral else None)
