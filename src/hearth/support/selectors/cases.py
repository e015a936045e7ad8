"""Reads of support cases and needs: the families list, one case with its needs, what can be
allocated to them, and the referrer's feedback (counts only, never the charity's notes).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from hearth.people.models import Person
from hearth.platform import access, audit
from hearth.platform.models import AuditAction, Membership
from hearth.platform.roles import Part
from hearth.referrals import selectors as referral_selectors

from ..models import (
    URGENCY_ORDER,
    Allocation,
    AllocationStatus,
    Delivery,
    Need,
    NeedStatus,
    StockMovement,
    Store,
    SupportCase,
)
from ..services import DRIVER_ROLES, OPENABLE_REFERRAL_STATUSES, case_suggestions, need_outstanding
from ._common import _agency_id, _get_own, _person_label


def case_list(*, actor) -> tuple[list[SupportCase], list]:
    """The agency's support cases, and accepted referrals still waiting for one."""
    cases = list(SupportCase.objects.filter(agency_id=_agency_id(actor)).annotate(
        open_needs=Count("needs", filter=Q(needs__status=NeedStatus.OPEN)),
        met_needs=Count("needs", filter=Q(needs__status=NeedStatus.MET))).order_by("-opened_at"))
    audit.record(AuditAction.LIST, object_type="support.supportcase")
    received, _ = referral_selectors.inbox(actor=actor, view="open")
    waiting = list(received.filter(status__in=OPENABLE_REFERRAL_STATUSES, support_case__isnull=True))
    # Names for the list in one query, under the same rule as a record page (identity part);
    # the list's own audit row covers them, not a record view per family.
    people = Person.objects.visible_to(actor).in_bulk([case.person_id for case in cases])
    for case in cases:
        person = people.get(case.person_id)
        named = person is not None and Part.IDENTITY in access.parts_for(actor, person)
        case.label = f"{person.given_name} {person.family_name}" if named else "Name not shown"
    return cases, waiting


@dataclass
class NeedRow:
    need: Need
    outstanding: int
    allocations: list[Allocation]


@dataclass
class CaseView:
    case: SupportCase
    person_label: str
    needs: list[NeedRow]
    deliveries: list[Delivery]
    suggestions: list
    feedback: str
    reserved_free: list[Allocation] = field(default_factory=list)


def case_get(*, actor, support_case_id) -> CaseView:
    """One support case of the acting agency with its needs, allocations and deliveries."""
    case = _get_own(actor, SupportCase.objects.select_related("referral"), support_case_id, "agency_id")
    needs = []
    for need in case.needs.select_related("item").order_by("member", "pk"):
        allocations = list(need.allocations.select_related("line__store", "delivery"))
        needs.append(NeedRow(need, need_outstanding(need) if need.status == NeedStatus.OPEN else 0, allocations))
    needs.sort(key=lambda r: (r.need.status != NeedStatus.OPEN, URGENCY_ORDER.get(r.need.urgency, 9)))
    free = [a for row in needs for a in row.allocations
            if a.status == AllocationStatus.RESERVED and not (a.delivery_id and a.delivery.is_open)]
    return CaseView(case=case, person_label=_person_label(actor, case.person_id), needs=needs,
                    deliveries=list(case.deliveries.select_related("driver")),
                    suggestions=case_suggestions(case), feedback=feedback_for_case(case), reserved_free=free)


def allocations_free(*, view: CaseView) -> QuerySet[Allocation]:
    """The case's reserved items not yet on a planned delivery (to put on one)."""
    return Allocation.objects.filter(pk__in=[a.pk for a in view.reserved_free]).select_related(
        "need__item", "line__store")


def need_get(*, actor, need_id) -> Need:
    return _get_own(actor, Need.objects.select_related("case", "item"), need_id, "case__agency_id")


def allocation_get(*, actor, allocation_id) -> Allocation:
    return _get_own(actor, Allocation.objects.select_related("need__case", "line"), allocation_id,
                    "need__case__agency_id")


def referral_for_case(*, actor, support_referral_id):
    """A referral this agency received, read through the referrals selectors (audited, 404 otherwise)."""
    view = referral_selectors.referral_get(actor=actor, referral_id=support_referral_id)
    if not view.is_receiver:
        audit.deny(obj=view.referral, reason="support case for a referral this agency sent")
        raise Http404
    return view.referral


@dataclass
class StoreOption:
    store: Store
    available: int


def allocation_options(*, need: Need) -> list[StoreOption]:
    """Stores holding the need's item with some available, most first: the suggestion a worker confirms."""
    rows = (StockMovement.objects.filter(line__item=need.item, line__store__is_active=True)
            .values("line__store").annotate(on_hand=Sum("on_hand_change"), reserved=Sum("reserved_change")))
    stores = {s.pk: s for s in Store.objects.filter(agency_id=need.case.agency_id)}
    options = [StoreOption(stores[r["line__store"]], r["on_hand"] - r["reserved"]) for r in rows
               if r["line__store"] in stores and r["on_hand"] - r["reserved"] > 0]
    return sorted(options, key=lambda o: -o.available)


def drivers(*, actor):
    """Members of the acting agency who may drive a delivery."""
    from hearth.platform.models import User

    return User.objects.filter(memberships__in=Membership.objects.active().filter(
        agency_id=_agency_id(actor), role__in=DRIVER_ROLES)).distinct().order_by("first_name")


NEEDS_MET, PARTLY_MET, NOT_YET_MET = "Needs met", "Partly met", "Not yet met"


def feedback_for_case(case: SupportCase) -> str:
    """Needs met / partly met / not yet met: counts only, never the charity's notes."""
    statuses = list(case.needs.exclude(status=NeedStatus.CANCELLED).values_list("status", flat=True))
    if not statuses:
        return NOT_YET_MET
    met = sum(1 for s in statuses if s == NeedStatus.MET)
    if met == len(statuses):
        return NEEDS_MET
    return PARTLY_MET if met else NOT_YET_MET


def referral_feedback(*, referral) -> str:
    """The practical-support answer for a referral's page, or "" when there is no support case."""
    case = SupportCase.objects.filter(referral_id=getattr(referral, "pk", None)).first()
    return feedback_for_case(case) if case is not None else ""
