"""Reads of referrals: inboxes, sent lists and one referral, through the access policy, audited."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from hearth.people import selectors as people_selectors
from hearth.people.models import Person
from hearth.platform import access, audit
from hearth.platform.models import Agency, AuditAction
from hearth.platform.roles import Part

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


def inbox(*, actor, view: str = "new", urgency: str = "", reason: str = "",
          source: str = "") -> tuple[QuerySet[Referral], dict[str, int]]:
    """The acting agency's received referrals for one view, with a count for every view.

    ``urgency``, ``reason`` and ``source`` narrow the list and the counts alike; unknown
    values are ignored rather than emptying the inbox.
    """
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
    return ReferralView(referral, referral.from_agency_id == agency_id, referral.to_agency_id == agency_id, person)


def receiving_agencies(*, actor) -> QuerySet[Agency]:
    """Onboarded agencies other than the actor's own, to refer to."""
    return Agency.objects.filter(is_onboarded=True).exclude(pk=access.acting(actor).agency_id).exclude(
        kind__in=["board", "marac", "school"])


def person_for_referral(*, actor, person_id) -> Person:
    view = people_selectors.person_get(actor=actor, person_id=person_id)
    return view.person


def workers(*, actor):
    from hearth.platform.models import User

    membership = access.acting(actor)
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX

    # A partner system's account is no worker to assign.
    return User.objects.filter(memberships__agency_id=membership.agency_id, memberships__is_active=True,
                               memberships__role__in=access.REFERRAL_ROLES, is_active=True).exclude(
        password__startswith=UNUSABLE_PASSWORD_PREFIX).distinct()


def open_duplicate(*, person: Person, to_agency: Agency):
    """An open referral of this person to this agency by anyone, for the duplicate warning.

    The warning names another sender's referral (receiver, date) that the user may not otherwise
    see, so showing it is a read of that referral and is audited as one.
    """
    from .services import duplicate_open_referral

    found = duplicate_open_referral(person=person, to_agency=to_agency)
    if found is not None:
        audit.record(AuditAction.VIEW, obj=found, detail={"duplicate_warning": True})
    return found
