"""Reads of risk data, always through the access policy and recorded in the audit.

A person's risk pages may be reached through the person's record (owner, referral) or
through a relationship held on something about them: a MARAC referral (the coordinator),
a listed MARAC case (attending agencies) or an IDVA allocation. ``risk_parts`` joins these,
each cut by the role's parts and by the person's own seals.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.http import Http404

from hearth.people.models import Incident, Involvement, InvolvementRole, Person
from hearth.platform import access, audit
from hearth.platform.models import AuditAction, RecordSeal, SealScope
from hearth.platform.roles import Part, Role

from . import ports
from .models import (
    Allocation,
    Assessment,
    AssessmentStatus,
    ChildProfile,
    ReportedRisk,
    RiskTool,
    RiskToolVersion,
    SafetyPlan,
    SchoolNotification,
)


def _seals(person: Person):
    return RecordSeal.objects.filter(content_type__app_label="people", content_type__model="person",
                                     object_id=person.pk, lifted_at__isnull=True)


def _related_objects(person: Person) -> list:
    """Things about this person on which a relationship may be held."""
    return [
        *ports.marac().related_records(person),
        *Allocation.objects.filter(person__identity_id=person.identity_id, ended_on__isnull=True),
    ]


def risk_parts(user, person: Person) -> frozenset[str]:
    """The parts of ``person`` the user may see, through the record or a MARAC/IDVA relationship."""
    seals = _seals(person)
    restricted = seals.filter(scope=SealScope.RECORD)
    if restricted.exists() and not restricted.filter(named_users=user).exists():
        return frozenset()
    parts = set(access.parts_for(user, person))
    for obj in _related_objects(person):
        parts |= access.parts_for(user, obj)
    sealed = seals.filter(scope=SealScope.SAFE_ADDRESS).first()
    if sealed is not None and not sealed.named_users.filter(pk=user.pk).exists():
        parts.discard(Part.SAFE_ADDRESS)
    return frozenset(parts)


def _person_id_of(obj) -> int:
    """The person record a MARAC referral, MARAC case or allocation is about."""
    return obj.referral.person_id if hasattr(obj, "referral_id") else obj.person_id


def records_in_view(actor, person: Person) -> frozenset[int]:
    """The records of ``person``'s identity whose details (scores, who, dates) the actor may read.

    Those the actor may see (``visible_to``), the record the page is for (already authorised by
    ``person_for_risk``), and the records a MARAC referral, MARAC case or allocation the actor
    holds a relationship on is about. Linking a new record to another agency's record of the
    same person adds nothing here: only the identity-wide *level* is shared, as a warning.
    """
    ids = set(Person.objects.visible_to(actor).filter(identity_id=person.identity_id).values_list("pk", flat=True))
    ids.add(person.pk)
    for obj in _related_objects(person):
        if access.parts_for(actor, obj):
            ids.add(_person_id_of(obj))
    # A restricted record shows nothing to anyone not named on it, whatever the relationship.
    hidden = RecordSeal.objects.filter(content_type__app_label="people", content_type__model="person",
                                       object_id__in=ids - {person.pk}, scope=SealScope.RECORD,
                                       lifted_at__isnull=True).exclude(named_users=actor)
    return frozenset(ids - set(hidden.values_list("object_id", flat=True)))


def shows_details(parts: frozenset[str]) -> bool:
    """Scores, dates, counts and who assessed: for readers with ``risk_answers`` or ``incidents``.

    ``risk_level`` alone (charity, housing) is the current level and MARAC status: a warning to
    work safely, not the evidence behind it.
    """
    return Part.RISK_ANSWERS in parts or Part.INCIDENTS in parts


@dataclass(frozen=True)
class CriterionRow:
    """A MARAC criterion as one reader may see it: met or not always, the reason only if allowed."""

    label: str
    met: bool
    reason: str | None


def criteria_rows(results, *, records: frozenset[int], details: bool) -> list[CriterionRow]:
    """Cut criteria results (``marac.criteria``) to what the reader may see.

    The met/not-met status is the shared MARAC status. The reason (dates, counts, scores, who)
    shows only to a reader with ``risk_answers`` or ``incidents`` who may see every record the
    reason is drawn from.
    """
    return [CriterionRow(label=r.label, met=r.met,
                         reason=r.reason if details and r.evidence <= records else None) for r in results]


def person_for_risk(*, actor, person_id, need: str = Part.RISK_LEVEL) -> tuple[Person, frozenset[str]]:
    """The person (else a 404) and the parts the actor may see; ``need`` must be among them. Audited."""
    try:
        # The relationship may be held on a MARAC case or allocation rather than on the record,
        # so this lookup cannot start from visible_to; risk_parts decides just below.
        everyone = Person.objects.select_related("identity")  # nosemgrep: hearth-case-query-not-through-visible-to
        person = everyone.get(pk=int(person_id))
    except (Person.DoesNotExist, ValueError, TypeError):
        access.refuse(actor, Person, {"pk": str(person_id)})
        raise Http404 from None
    parts = risk_parts(actor, person)
    if need not in parts:
        access.refuse(actor, Person, {"pk": person.pk}, reason=f"risk page needs {need}")
        # Without any relationship: a 404 that confirms nothing. With one that lacks this part:
        # a 403 (the user already knows the person exists).
        if parts:
            raise PermissionDenied(need)
        raise Http404
    audit.record(AuditAction.VIEW, obj=person, detail={"parts": sorted(parts), "page": f"risk:{need}"})
    return person, parts


def answers_visible(actor, assessment: Assessment, parts: frozenset[str]) -> bool:
    """Checklist answers and the survivor's words: risk_answers, and police only those they took."""
    if Part.RISK_ANSWERS not in parts:
        return False
    membership = access.acting(actor)
    if membership.role == Role.POLICE_OFFICER:
        return assessment.agency_id == membership.agency_id
    return True


def submitted_assessments(person: Person):
    return (Assessment.objects.filter(person__identity_id=person.identity_id, status=AssessmentStatus.SUBMITTED)
            .select_related("tool_version__tool", "assessed_by", "agency"))


def latest_assessment(person: Person, records: frozenset[int] | None = None) -> Assessment | None:
    """The newest submitted assessment that no later revision replaces (one query); with
    ``records``, only among assessments on those records of the identity."""
    assessments = submitted_assessments(person)
    if records is not None:
        assessments = assessments.filter(person_id__in=records)
    return assessments.exclude(revisions__status=AssessmentStatus.SUBMITTED).order_by("-assessed_on", "-pk").first()


def latest_reported(person: Person) -> ReportedRisk | None:
    return ReportedRisk.objects.filter(person__identity_id=person.identity_id).order_by("-reported_on", "-pk").first()


@dataclass
class RiskSummary:
    person: Person
    parts: frozenset[str]
    level: str | None
    level_source: str
    trend: list[Assessment] = field(default_factory=list)
    drafts: list[Assessment] = field(default_factory=list)
    reported: list[ReportedRisk] = field(default_factory=list)
    allocations: list[Allocation] = field(default_factory=list)
    answers_for: set[int] = field(default_factory=set)
    records: frozenset[int] = frozenset()
    details: bool = False

    def shows(self, part: str) -> bool:
        return part in self.parts


def _level_with_origin(person: Person) -> tuple[str | None, str, int | None]:
    assessment, reported = latest_assessment(person), latest_reported(person)
    if assessment and (reported is None or assessment.assessed_on >= reported.reported_on):
        source = f"{assessment.tool_version.tool.name} on {assessment.assessed_on:%-d %b %Y}"
        return assessment.level, source, assessment.person_id
    if reported:
        return reported.level, reported.describe(), reported.person_id
    return None, "No risk assessment yet", None


def current_level(person: Person) -> tuple[str | None, str]:
    """The person's current level and where it came from (the newest assessment or reported grade)."""
    level, source, _origin = _level_with_origin(person)
    return level, source


def shared_level(person: Person, records: frozenset[int], details: bool) -> tuple[str | None, str]:
    """The identity-wide level (the shared warning) and where it came from, told only to a reader
    who may see that record's details (``records``, ``details``); otherwise it names no agency,
    tool, score or date."""
    level, source, origin = _level_with_origin(person)
    if origin is not None and origin not in records:
        source = "From a linked record"
    elif origin is not None and not details:
        source = "Shared as a warning"
    return level, source


def risk_summary(*, actor, person_id) -> RiskSummary:
    person, parts = person_for_risk(actor=actor, person_id=person_id)
    records, details = records_in_view(actor, person), shows_details(parts)
    level, source = shared_level(person, records, details)
    summary = RiskSummary(person=person, parts=parts, level=level, level_source=source, records=records,
                          details=details)
    if not details:
        # risk_level alone: no trend, no reported grades (scores, dates and who assessed).
        summary.allocations = _open_allocations(person, records)
        return summary
    summary.trend = list(submitted_assessments(person).filter(person_id__in=records).order_by("assessed_on", "pk"))
    previous = None
    for assessment in summary.trend:
        # The trend, in words: each score against the one before.
        if previous is None:
            assessment.change = "First assessment"
        else:
            diff = assessment.score - previous.score
            assessment.change = "No change" if diff == 0 else (f"Up {diff}" if diff > 0 else f"Down {-diff}")
        previous = assessment
    membership = access.acting(actor)
    summary.drafts = list(Assessment.objects.filter(person_id__in=records, status=AssessmentStatus.DRAFT,
                                                    agency_id=membership.agency_id))
    summary.reported = list(ReportedRisk.objects.filter(person_id__in=records))
    summary.allocations = _open_allocations(person, records)
    summary.answers_for = {a.pk for a in summary.trend if answers_visible(actor, a, parts)}
    return summary


def _open_allocations(person: Person, records: frozenset[int]) -> list[Allocation]:
    return list(Allocation.objects.filter(person_id__in=records, ended_on__isnull=True)
                .select_related("worker", "agency"))


def assessment_get(*, actor, assessment_id) -> tuple[Assessment, frozenset[str], bool]:
    """One assessment (404 unless its person's risk level is visible) and whether answers show."""
    try:
        assessment = Assessment.objects.select_related("tool_version__tool", "person", "assessed_by", "agency").get(
            pk=int(assessment_id))
    except (Assessment.DoesNotExist, ValueError, TypeError):
        audit.deny(object_type="risk.assessment", object_id=str(assessment_id)[:64])
        raise Http404 from None
    parts = risk_parts(actor, assessment.person)
    membership = access.acting(actor)
    # A draft is its own agency's work in progress.
    if Part.RISK_LEVEL not in parts or (assessment.is_draft and assessment.agency_id != membership.agency_id):
        audit.deny(obj=assessment, reason="no relationship to the assessed person")
        raise Http404
    visible = answers_visible(actor, assessment, parts)
    audit.record(AuditAction.VIEW, obj=assessment, detail={"answers_shown": visible})
    return assessment, parts, visible


def tools() -> list[RiskTool]:
    return list(RiskTool.objects.prefetch_related("versions"))


def tool_version_default() -> RiskToolVersion | None:
    """The version an assessment starts on unless another is chosen: the default tool's current one."""
    return (RiskToolVersion.objects.filter(is_current=True, tool__is_default=True).first()
            or RiskToolVersion.objects.filter(is_current=True).first())


def tool_version_current(*, raw: str) -> RiskToolVersion | None:
    """The version chosen by number, if it is a current one (only a current version may be started)."""
    raw = raw[:12]
    return RiskToolVersion.objects.filter(is_current=True, pk=raw).first() if raw.isdigit() else None


def incident_for_notice(*, incident_id: int) -> Incident:
    """An incident already shown to the reader (``child_get``), fetched afresh to tell the school of it."""
    return Incident.objects.get(pk=incident_id)


def caseload(*, actor) -> dict:
    """Open allocations of the actor's agency, by worker, with each survivor's current level."""
    membership = access.acting(actor)
    # A restricted record shows nothing, not even a name in a list, to anyone not named on it.
    hidden = RecordSeal.objects.filter(content_type__app_label="people", content_type__model="person",
                                       scope=SealScope.RECORD, lifted_at__isnull=True).exclude(named_users=actor)
    rows = (Allocation.objects.filter(agency_id=membership.agency_id, ended_on__isnull=True)
            .exclude(person_id__in=hidden.values("object_id"))
            .select_related("worker", "person").order_by("worker__last_name", "allocated_on"))
    by_worker: dict = {}
    for allocation in rows:
        level, _ = current_level(allocation.person)
        by_worker.setdefault(allocation.worker, []).append({"allocation": allocation, "level": level})
    audit.record(AuditAction.LIST, object_type="risk.allocation", detail={"count": len(rows)})
    return by_worker


def safety_plan_get(*, actor, person_id):
    """The person and their plans (each agency's), newest version first. Needs ``safety_plan``."""
    person, parts = person_for_risk(actor=actor, person_id=person_id, need=Part.SAFETY_PLAN)
    # Plans on this record, and on the person's other records only where the actor may see those
    # records' plans: a link between two agencies' records opens nothing of the other's record.
    plans = [plan for plan in SafetyPlan.objects.filter(person__identity_id=person.identity_id)
             .select_related("agency", "person").prefetch_related("versions__written_by")
             if plan.person_id == person.pk or Part.SAFETY_PLAN in risk_parts(actor, plan.person)]
    audit.record(AuditAction.VIEW, object_type="risk.safetyplan", object_id=person.pk,
                 detail={"plans": [p.pk for p in plans]})
    return person, parts, plans


@dataclass
class ChildView:
    child: Person
    profile: ChildProfile | None
    incidents_present: list[Incident]
    notifications: list[SchoolNotification]


def child_get(*, actor, person_id) -> ChildView:
    child, parts = person_for_risk(actor=actor, person_id=person_id, need=Part.CHILDREN)
    profile = ChildProfile.objects.filter(child=child).select_related("school").first()
    incidents = []
    if Part.INCIDENTS in parts:
        incidents = list(Incident.objects.filter(involvements__person=child,
                                                 involvements__role=InvolvementRole.CHILD_PRESENT).distinct())
    notifications = list(SchoolNotification.objects.filter(child=child).select_related("school", "acknowledged_by"))
    return ChildView(child=child, profile=profile, incidents_present=incidents, notifications=notifications)


def school_inbox(*, actor):
    """The acting school's notifications, and nothing else about its pupils."""
    membership = access.acting(actor)
    rows = SchoolNotification.objects.filter(school_id=membership.agency_id).select_related("acknowledged_by")
    audit.record(AuditAction.LIST, object_type="risk.schoolnotification", detail={"count": rows.count()})
    return rows


def school_notification_get(*, actor, notification_id) -> SchoolNotification:
    membership = access.acting(actor)
    try:
        found = SchoolNotification.objects.get(pk=int(notification_id), school_id=membership.agency_id)
    except (SchoolNotification.DoesNotExist, ValueError, TypeError):
        audit.deny(object_type="risk.schoolnotification", object_id=str(notification_id)[:64])
        raise Http404 from None
    return found


def child_was_present(child: Person, incident: Incident) -> bool:
    return Involvement.objects.filter(incident=incident, person=child, role=InvolvementRole.CHILD_PRESENT).exists()


def allocation_get(*, actor, allocation_id) -> Allocation:
    """An open allocation of the actor's own agency (else a 404)."""
    membership = access.acting(actor)
    try:
        return Allocation.objects.select_related("person").get(pk=int(allocation_id), agency_id=membership.agency_id,
                                                                ended_on__isnull=True)
    except (Allocation.DoesNotExist, ValueError, TypeError):
        audit.deny(object_type="risk.allocation", object_id=str(allocation_id)[:64])
        raise Http404 from None


# ---------------------------------------------------------------------------
# Operation Encompass: children present at recent incidents
# ---------------------------------------------------------------------------

def encompass_days() -> int:
    """How far back the automatic school notifications look (``HEARTH_ENCOMPASS_DAYS``, default 7).

    Encompass is about the next school day: an older incident found late is for a worker to
    send by hand from the child's page, not for a batch to push out unannounced.
    """
    from django.conf import settings

    return int(getattr(settings, "HEARTH_ENCOMPASS_DAYS", 7))


def children_present_between(since, until) -> list[Involvement]:
    """Every record of a child present at an incident that happened in [since, until] (system read)."""
    return list(Involvement.objects.filter(role=InvolvementRole.CHILD_PRESENT, incident__occurred_on__gte=since,
                                           incident__occurred_on__lte=until)
                .select_related("person", "incident__owner_agency", "incident__recorded_by")
                .order_by("incident__occurred_on", "incident_id", "person_id"))


def school_profile(child: Person) -> ChildProfile | None:
    """The school known for this child on any record of their identity (the latest recorded)."""
    return (ChildProfile.objects.filter(child__identity_id=child.identity_id, school__isnull=False)
            .select_related("school", "child").order_by("-updated_at", "-pk").first())


def school_already_told(child: Person, incident: Incident, school) -> bool:
    """Whether the school has a notification for this incident about any record of this child."""
    return SchoolNotification.objects.filter(child__identity_id=child.identity_id, incident=incident,
                                             school=school).exists()


def is_restricted(person: Person) -> bool:
    return _seals(person).filter(scope=SealScope.RECORD).exists()


@dataclass
class MissingSchool:
    child: Person
    incident: Incident


def children_without_school(*, actor, on=None, days: int = 30) -> list[MissingSchool]:
    """Children present at an incident in the last ``days`` whose school is not on Hearth, among
    the children the actor may see: the list a social worker or officer works through so the
    school can be told."""
    from datetime import timedelta

    from django.utils import timezone

    on = on or timezone.localdate()
    rows, seen = [], set()
    for involvement in children_present_between(on - timedelta(days=days), on):
        child = involvement.person
        key = (child.identity_id, involvement.incident_id)
        if key in seen or school_profile(child) is not None:
            continue
        seen.add(key)
        if Part.CHILDREN in risk_parts(actor, child):
            rows.append(MissingSchool(child=child, incident=involvement.incident))
    audit.record(AuditAction.LIST, object_type="risk.childprofile", detail={"without_school": len(rows)})
    return rows
