"""Reads of referrals: inboxes, sent lists and one referral, through the access policy, audited."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from hearth.people import selectors as people_selectors
from hearth.people.models import Person
from hearth.platform import access, audit
from hearth.platform.models import Agency, AuditAction
from hearth.platform.roles import AgencyKind, Part
from hearth.referrals import permissions as referrals_perms

from .models import AWAITING_RESPONSE, OPEN_STATUSES, Reason, Referral, Source, Urgency

INBOX_FILTERS = {
    "new": "New",
    "overdue": "Overdue",
    "mine": "Assigned to me",
    "team": "My team's",
    "open": "All open",
    "closed": "Closed",
}


def _base(actor) -> QuerySet[Referral]:
    return Referral.objects.visible_to(actor).select_related("from_agency", "to_agency", "to_service", "person",
                                                             "assigned_to", "consent_taken_by")


def inbox_narrowing(params) -> dict[str, str]:
    """The inbox's narrowing choices from a query: each one known, or blank.

    An unknown value is dropped here, so it reaches neither a query, the page's links nor the
    audit, where it would be written raw.
    """
    known = {"urgency": Urgency.values, "reason": Reason.values, "source": Source.values}
    return {key: value if (value := params.get(key, "")) in values else "" for key, values in known.items()}


def inbox(*, actor, view: str = "new", urgency: str = "", reason: str = "",
          source: str = "") -> tuple[QuerySet[Referral], dict[str, int]]:
    """The acting agency's received referrals for one view, with a count for every view.

    ``urgency``, ``reason`` and ``source`` narrow the list and the counts alike; unknown
    values are ignored rather than emptying the inbox.
    """
    urgency, reason, source = inbox_narrowing({"urgency": urgency, "reason": reason, "source": source}).values()
    membership = access.acting(actor)
    received = _base(actor).filter(to_agency_id=membership.agency_id).exclude(status="draft")
    if urgency in Urgency.values:
        received = received.filter(urgency=urgency)
    if source in Source.values:
        received = received.filter(source=source)
    if reason in Reason.values:
        # Reasons are a JSON list; a text match on the quoted value works on SQLite and PostgreSQL.
        received = received.filter(reasons__icontains=f'"{reason}"')
    now = timezone.now()
    team_members = Q(assigned_to__memberships__team_id=membership.team_id) if membership.team_id else Q(pk__in=[])
    views = {
        "new": Q(status__in=AWAITING_RESPONSE),
        "overdue": Q(status__in=AWAITING_RESPONSE, respond_by__lt=now),
        "mine": Q(assigned_to=actor, status__in=OPEN_STATUSES),
        "team": team_members & Q(status__in=OPEN_STATUSES),
        "open": Q(status__in=OPEN_STATUSES),
        "closed": ~Q(status__in=OPEN_STATUSES),
    }
    counts = received.aggregate(**{name: Count("pk", filter=condition, distinct=True)
                                   for name, condition in views.items()})
    chosen = views.get(view, views["new"])
    audit.record(AuditAction.LIST, object_type="referrals.referral",
                 detail={"inbox": view, "urgency": urgency, "reason": reason, "source": source})
    return received.filter(chosen).distinct().order_by("respond_by", "-created_at"), counts


def sent(*, actor) -> QuerySet[Referral]:
    """Referrals the acting agency sent, newest first."""
    membership = access.acting(actor)
    audit.record(AuditAction.LIST, object_type="referrals.referral", detail={"sent": True})
    return _base(actor).filter(from_agency_id=membership.agency_id).order_by("-created_at")


@dataclass
class ReferralView:
    referral: Referral
    is_sender: bool
    is_receiver: bool
    person: people_selectors.PersonView | None
    # Other open referrals of the same person this agency received (receivers only).
    possible_duplicates: list[int] = field(default_factory=list)

    @property
    def sees_safe_contact(self) -> bool:
        """Safe-contact instructions are part of contact details: the sender, or a receiver holding that part."""
        return self.is_sender or (self.person is not None and self.person.shows(Part.CONTACT))


def referral_get(*, actor, referral_id) -> ReferralView:
    """One referral the acting agency is party to (else 404), with the person as far as still visible."""
    referral = access.get_visible_or_404(actor, _base(actor), pk=referral_id)
    agency_id = access.acting(actor).agency_id
    person = None
    if Person.objects.visible_to(actor).filter(pk=referral.person_id).exists():
        person = people_selectors.person_get(actor=actor, person_id=referral.person_id)
    view = ReferralView(referral, referral.from_agency_id == agency_id, referral.to_agency_id == agency_id, person)
    view.possible_duplicates = possible_duplicates(actor=actor, referrals=[referral]).get(referral.pk, [])
    return view


def receiving_agencies(*, actor) -> QuerySet[Agency]:
    """Onboarded agencies other than the actor's own, to refer to."""
    return Agency.objects.filter(is_onboarded=True).exclude(pk=access.acting(actor).agency_id).exclude(
        kind__in=[AgencyKind.BOARD, AgencyKind.MARAC, AgencyKind.SCHOOL])


def person_for_referral(*, actor, person_id) -> Person:
    view = people_selectors.person_get(actor=actor, person_id=person_id)
    return view.person


def referral_children(*, actor, person: Person) -> QuerySet[Person]:
    """The children of the person's households the actor may see, to name in a referral."""
    return Person.objects.visible_to(actor).filter(
        households__household__members__person=person, households__is_child=True).distinct()


def referral_perpetrators(*, actor, person: Person) -> QuerySet[Person]:
    """Who may be named as the alleged perpetrator: someone so named in an incident with this person."""
    return Person.objects.visible_to(actor).filter(
        involvements__role="alleged_perpetrator",
        involvements__incident__involvements__person=person).exclude(pk=person.pk).distinct()


def response_targets(*, actor) -> dict[str, int]:
    """The acting agency's response targets in hours by urgency, the defaults where none is set."""
    from .models import ResponseTarget
    from .timeliness import DEFAULT_HOURS

    agency = access.acting(actor).agency
    return {**DEFAULT_HOURS, **dict(ResponseTarget.objects.filter(agency=agency).values_list("urgency", "hours"))}


def workers(*, actor):
    from hearth.platform.models import User

    membership = access.acting(actor)
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX

    # A partner system's account is no worker to assign.
    return User.objects.filter(memberships__agency_id=membership.agency_id, memberships__is_active=True,
                               memberships__role__in=referrals_perms.REFERRAL_ROLES, is_active=True).exclude(
        password__startswith=UNUSABLE_PASSWORD_PREFIX).distinct()


def open_duplicate(*, actor, person: Person, to_agency: Agency):
    """An open referral of this person to this agency that the actor's agency sent or received,
    for the duplicate warning (audited as a read of that referral). Another agency's referral
    is never named: the receiver spots that one (``possible_duplicates``)."""
    from .services import duplicate_open_referral

    found = duplicate_open_referral(actor=actor, person=person, to_agency=to_agency)
    if found is not None:
        audit.record(AuditAction.VIEW, obj=found, detail={"duplicate_warning": True})
    return found


def possible_duplicates(*, actor, referrals) -> dict[int, list[int]]:
    """For referrals the acting agency received: the other open referrals it received of the
    same person (the same identity), by referral id. Both are the receiver's to see."""
    agency_id = access.acting(actor).agency_id
    received = [r for r in referrals if r.to_agency_id == agency_id]
    if not received:
        return {}
    identities = {r.person.identity_id for r in received}
    open_ = list(_base(actor).filter(to_agency_id=agency_id, status__in=OPEN_STATUSES,
                                     person__identity_id__in=identities).values_list("pk", "person__identity_id"))
    found = {}
    for r in received:
        others = sorted(pk for pk, identity in open_ if identity == r.person.identity_id and pk != r.pk)
        if others:
            found[r.pk] = others
    return found
