"""Who may receive a referral: what each kind of agency takes, a directory service's agency,
and an open referral of the same person to the same agency.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from hearth.people.models import Person
from hearth.platform.models import Agency
from hearth.platform.roles import AgencyKind

from ..models import OPEN_STATUSES, Reason, Referral

# What each kind of agency takes referrals for (until the service directory says it per service).
OFFERED_BY_KIND: dict[str, frozenset[str]] = {
    AgencyKind.CHARITY: frozenset({Reason.PRACTICAL_ITEMS}),
    AgencyKind.DA_SERVICE: frozenset({Reason.SPECIALIST_SUPPORT, Reason.CHILDRENS_SUPPORT}),
    AgencyKind.REFUGE: frozenset({Reason.SAFE_ACCOMMODATION, Reason.SPECIALIST_SUPPORT, Reason.CHILDRENS_SUPPORT}),
    AgencyKind.HOUSING: frozenset({Reason.SAFE_ACCOMMODATION, Reason.PRACTICAL_ITEMS}),
    AgencyKind.COUNCIL: frozenset({Reason.SAFE_ACCOMMODATION, Reason.PRACTICAL_ITEMS}),
    AgencyKind.CHILDRENS_SERVICES: frozenset({Reason.CHILDRENS_SUPPORT}),
    AgencyKind.PERPETRATOR_SERVICE: frozenset({Reason.BEHAVIOUR_CHANGE}),
    AgencyKind.HEALTH: frozenset({Reason.SPECIALIST_SUPPORT}),
}


def unoffered_reasons(*, to_agency: Agency, reasons) -> list[str]:
    """The reasons ``to_agency`` does not take referrals for (empty when all are offered)."""
    offered = OFFERED_BY_KIND.get(to_agency.kind, frozenset())
    return [r for r in reasons if r not in offered]


def service_contact_route(service) -> str:
    """How the public reaches a directory service, in words, from its directory entry."""
    phones = [f"{c.phone} ({c.phone_description})" if c.phone_description else c.phone
              for c in service.contacts.all() if c.phone]
    emails = [service.email] if service.email else [c.email for c in service.contacts.all() if c.email]
    if not emails and service.organization.email:
        emails = [service.organization.email]
    url = service.url or service.organization.website
    routes = ([f"phone {', '.join(dict.fromkeys(phones))}"] if phones else []) + (
        [f"email {emails[0]}"] if emails else []) + ([f"website {url}"] if url else [])
    return "; ".join(routes)


def agency_for_service(*, to_service) -> Agency:
    """The onboarded agency that receives referrals to a directory service, or a clear refusal.

    A service not on Hearth (no linked agency, or one not onboarded) is refused with its
    public contact route from the directory, so the sender can still reach it and nothing is
    lost; so is a service that is not active.
    """
    from hearth.directory.models import Status as ServiceStatus

    if to_service.status != ServiceStatus.ACTIVE:
        raise ValidationError({"to_service": f"{to_service.name} is {to_service.get_status_display().lower()} "
                                             "in the directory: choose another service or agency."})
    agency = to_service.agency
    if agency is None or not agency.is_onboarded:
        route = service_contact_route(to_service)
        raise ValidationError({"to_service": f"{to_service.name} does not take referrals through Hearth. "
                                             + (f"Contact them directly: {route}." if route else
                                                "The directory has no contact route for it: "
                                                "ask the partnership admin.")})
    return agency


def duplicate_open_referral(*, actor, person: Person, to_agency: Agency, exclude_pk=None) -> Referral | None:
    """An open referral of the same person to the same agency that the actor's agency may see
    (sent or received), if there is one. Another sender's referral is never named to the
    actor: a duplicate at the receiving end is the receiver's to spot (``selectors.possible_duplicates``)."""
    open_ = Referral.objects.visible_to(actor).filter(person__identity_id=person.identity_id, to_agency=to_agency,
                                                      status__in=OPEN_STATUSES)
    if exclude_pk:
        open_ = open_.exclude(pk=exclude_pk)
    return open_.first()
