"""Reads of MARAC data, through the access policy and recorded in the audit.

Meetings are seen by their coordinator's agency and the agencies invited; a listed case
(and its research returns and actions) through the MARAC relationship its listing made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from hearth.people.models import InvolvementRole, Person
from hearth.platform import access, audit
from hearth.platform.models import Agency, AuditAction
from hearth.platform.roles import Part
from hearth.risk import selectors as risk_selectors

from . import criteria
from .models import ActionStatus, MaracAction, MaracCase, MaracMeeting, MaracReferral, ReferralStatus

NATIONAL_REPEAT_RATE = 31  # per cent, SafeLives, year to 30 September 2024
RECOMMENDED_PER_10K = 40  # cases a year per 10,000 adult women (SafeLives)


def _agency_id(actor) -> int:
    return access.acting(actor).agency_id


def meeting_list(*, actor):
    agency_id = _agency_id(actor)
    meetings = (MaracMeeting.objects.filter(Q(coordinator_agency_id=agency_id) | Q(agencies_invited=agency_id))
                .distinct().prefetch_related("agencies_invited"))
    audit.record(AuditAction.LIST, object_type="marac.maracmeeting")
    return meetings


def meeting_get(*, actor, meeting_id) -> MaracMeeting:
    agency_id = _agency_id(actor)
    try:
        meeting = (MaracMeeting.objects.filter(Q(coordinator_agency_id=agency_id) | Q(agencies_invited=agency_id))
                   .distinct().get(pk=int(meeting_id)))
    except (MaracMeeting.DoesNotExist, ValueError, TypeError):
        audit.deny(object_type="marac.maracmeeting", object_id=str(meeting_id)[:64])
        raise Http404 from None
    audit.record(AuditAction.VIEW, obj=meeting)
    return meeting


@dataclass
class CaseRow:
    case: MaracCase
    name: str
    level: str | None


def agenda(*, actor, meeting: MaracMeeting) -> list[CaseRow]:
    """The listed cases, named where the actor's MARAC relationship shows identity."""
    rows = []
    for case in meeting.cases.select_related("referral__person").order_by("position"):
        parts = access.parts_for(actor, case)
        person = case.referral.person
        rows.append(CaseRow(case=case, name=f"{person.given_name} {person.family_name}" if Part.IDENTITY in parts
                            else "", level=risk_selectors.current_level(person)[0] if Part.RISK_LEVEL in parts
                            else None))
    return rows


@dataclass
class CaseView:
    case: MaracCase
    parts: frozenset[str]
    level: str | None
    level_source: str
    assessment: object = None
    answers_visible: bool = False
    returns: list = field(default_factory=list)
    actions: list = field(default_factory=list)
    own_return: object = None
    is_coordinator: bool = False


def case_get(*, actor, case_id) -> CaseView:
    """A listed case the actor's agency attends (else a 404), cut to its MARAC parts. Audited."""
    case = access.get_visible_or_404(
        actor, MaracCase.objects.select_related("meeting", "referral__person", "referral__perpetrator"), pk=case_id)
    parts = access.parts_for(actor, case)
    person = case.referral.person
    # Only assessments on records the reader may see in detail: linking another agency's record
    # of the same person shares its level as a warning, never its answers or the survivor's words.
    records = risk_selectors.records_in_view(actor, person)
    level, source = risk_selectors.shared_level(person, records, risk_selectors.shows_details(parts))
    view = CaseView(case=case, parts=parts, level=level, level_source=source)
    view.assessment = risk_selectors.latest_assessment(person, records)
    if view.assessment is not None:
        view.answers_visible = risk_selectors.answers_visible(actor, view.assessment, parts)
    view.returns = list(case.research_returns.select_related("agency", "entered_by"))
    view.own_return = next((r for r in view.returns if r.agency_id == _agency_id(actor)), None)
    view.actions = list(case.actions.select_related("owner_agency").prefetch_related("updates__by"))
    view.is_coordinator = case.meeting.coordinator_agency_id == _agency_id(actor)
    return view


def action_get(*, actor, action_id) -> MaracAction:
    try:
        action = MaracAction.objects.select_related("case__meeting", "owner_agency").get(pk=int(action_id))
    except (MaracAction.DoesNotExist, ValueError, TypeError):
        audit.deny(object_type="marac.maracaction", object_id=str(action_id)[:64])
        raise Http404 from None
    if not access.visible_to(actor, MaracCase.objects.filter(pk=action.case_id)).exists():
        audit.deny(obj=action, reason="no MARAC relationship to the case")
        raise Http404
    audit.record(AuditAction.VIEW, obj=action)
    return action


def referral_list(*, actor):
    """Referrals the actor's MARAC holds (the coordinator's queue)."""
    referrals = access.visible_to(actor, MaracReferral.objects.select_related("person", "referring_agency"))
    audit.record(AuditAction.LIST, object_type="marac.maracreferral")
    return referrals


def referrals_waiting(*, actor):
    """The coordinator's referrals not yet listed at a meeting."""
    return referral_list(actor=actor).filter(status=ReferralStatus.WAITING)


def referral_chosen(*, actor, raw: str) -> MaracReferral | None:
    """The referral a coordinator chose by number from their queue, or None (nothing or not theirs)."""
    return referral_list(actor=actor).filter(pk=raw).first() if raw.isdigit() else None


def alleged_perpetrators(*, actor, person: Person):
    """Who the actor may name as the alleged perpetrator: so named in an incident with this person's identity."""
    return Person.objects.visible_to(actor).filter(
        involvements__role=InvolvementRole.ALLEGED_PERPETRATOR,
        involvements__incident__involvements__person__identity_id=person.identity_id).distinct()


def meeting_cases(*, meeting: MaracMeeting) -> list[MaracCase]:
    """The meeting's cases in agenda order (for the minute)."""
    return list(meeting.cases.order_by("position"))


def meeting_agencies(*, meeting: MaracMeeting):
    """The agencies an action may be given to: those invited and the coordinator's."""
    return Agency.objects.filter(pk__in=[*meeting.agencies_invited.values_list("pk", flat=True),
                                         meeting.coordinator_agency_id])


def is_invited(*, meeting: MaracMeeting, agency_id: int) -> bool:
    return meeting.agencies_invited.filter(pk=agency_id).exists()


def referral_get(*, actor, referral_id) -> MaracReferral:
    return access.get_visible_or_404(actor, MaracReferral.objects.select_related("person"), pk=referral_id)


@dataclass
class Dashboard:
    overdue: list[MaracAction]
    waiting: int
    cases_12_months: int
    repeats_12_months: int
    adult_women: int
    recommended: int
    possible_repeats: list[tuple[MaracReferral, object]]

    @property
    def repeat_rate(self) -> float | None:
        return round(100 * self.repeats_12_months / self.cases_12_months, 1) if self.cases_12_months else None

    @property
    def volume_percent(self) -> int | None:
        return round(100 * self.cases_12_months / self.recommended) if self.recommended else None

    national_repeat_rate: int = NATIONAL_REPEAT_RATE
    recommended_per_10k: int = RECOMMENDED_PER_10K


def dashboard(*, actor) -> Dashboard:
    """The coordinator's view: overdue actions, volume against the recommended level, repeat rate."""
    agency_id = _agency_id(actor)
    today = timezone.localdate()
    overdue = list(MaracAction.objects.filter(case__meeting__coordinator_agency_id=agency_id, due_on__lt=today)
                   .exclude(status=ActionStatus.CLOSED).select_related("owner_agency", "case__meeting"))
    year_ago = today - timedelta(days=365)
    cases = MaracCase.objects.filter(meeting__coordinator_agency_id=agency_id, meeting__held_on__gt=year_ago,
                                     meeting__held_on__lte=today)
    adult_women = int(getattr(settings, "HEARTH_MARAC_ADULT_WOMEN", 104_000))
    recommended = round(adult_women * RECOMMENDED_PER_10K / 10_000)
    referrals = access.visible_to(actor, MaracReferral.objects.exclude(status=ReferralStatus.WAITING))
    possible = []
    days = criteria.thresholds()["repeat_days"]
    seen = set()
    for referral in referrals.select_related("person").order_by("-referred_on"):
        if referral.person.identity_id in seen:
            continue
        seen.add(referral.person.identity_id)
        last, incidents = criteria.repeat_incidents(referral.person, on=today, days=days)
        if last is not None and last.pk == referral.pk and incidents:
            possible.append((referral, incidents[0].occurred_on))
    audit.record(AuditAction.LIST, object_type="marac.dashboard", detail={"overdue": len(overdue)})
    return Dashboard(
        overdue=overdue,
        waiting=access.visible_to(actor, MaracReferral.objects.filter(status=ReferralStatus.WAITING)).count(),
        cases_12_months=cases.count(), repeats_12_months=cases.filter(is_repeat=True).count(),
        adult_women=adult_women, recommended=recommended, possible_repeats=possible)
