"""What every step of a referral shares: the event written at each step, who is the sender or receiver,
who is told, and the receiver's access to the shared parts.
"""

from __future__ import annotations

from functools import partial

from django.utils import timezone

from hearth.notify.services import notice_send
from hearth.platform import access, audit, grants
from hearth.platform.models import AuditAction
from hearth.platform.roles import Part, RelationshipKind, Role

from ..models import Referral, ReferralEvent, Status

# What a receiver may be given; never more than the sender itself can see.
SHAREABLE_PARTS = (Part.IDENTITY, Part.CONTACT, Part.SAFE_ADDRESS, Part.HOUSEHOLD, Part.CHILDREN,
                   Part.INCIDENTS, Part.RISK_LEVEL, Part.NEEDS)
# Until a referral is accepted the receiver sees enough to decide, not how to reach the person:
# contact details and the safe address follow acceptance (ACCESS.md: "from acceptance").
BEFORE_ACCEPTANCE_WITHHELD = frozenset({Part.CONTACT, Part.SAFE_ADDRESS})


_require = partial(access.require, object_type="referrals.referral")


def _event(referral: Referral, actor, status: str, note: str = "") -> None:
    membership = access.acting(actor) if actor is not None else None
    ReferralEvent.objects.create(referral=referral, by=actor, agency=membership.agency if membership else None,
                                 status=status, note=note)
    audit.record(AuditAction.UPDATE if status != Status.DRAFT else AuditAction.CREATE, obj=referral,
                 detail={"status": status})


def _is_sender(actor, referral: Referral) -> bool:
    # A self-referral has no sending agency: nobody at any agency is its sender.
    return referral.from_agency_id is not None and access.acting(actor).agency_id == referral.from_agency_id


def _is_receiver(actor, referral: Referral) -> bool:
    return access.acting(actor).agency_id == referral.to_agency_id


def _tell_sender(referral: Referral, *, subject: str, body: str) -> None:
    """Tell whoever sent the referral what happened to it.

    A member of staff gets a notice. A partner system reads the status through the API and a
    self-referral's person is reached only through their safe-contact choices, so neither
    gets a notice here.
    """
    if referral.from_user_id is not None:
        notice_send(recipient=referral.from_user, subject=subject, body=body)


def _grant_referral_access(referral: Referral, *, accepted: bool) -> None:
    """Give the receiver the shared parts: without contact and safe address until it accepts."""
    withheld = set() if accepted else BEFORE_ACCEPTANCE_WITHHELD
    for person in [referral.person, *referral.children.all()]:
        parts = referral.shared_parts if person.pk == referral.person_id else [
            p for p in referral.shared_parts if p in (Part.IDENTITY, Part.CHILDREN, Part.RISK_LEVEL)]
        parts = [p for p in parts if p not in withheld]
        # An empty list on a grant means "every part": never write one from a referral.
        if not parts or (accepted and not set(parts) & BEFORE_ACCEPTANCE_WITHHELD):
            continue  # nothing to give, or nothing more than at sending
        grants.relationship_grant(agency=referral.to_agency, obj=person, kind=RelationshipKind.REFERRAL,
                                  parts=parts, cause=referral, source=f"referral {referral.pk}")


def _tell_inbox(referral: Referral) -> None:
    for member in _inbox_watchers(referral.to_agency_id):
        notice_send(recipient=member, subject=f"New {referral.get_urgency_display().lower()} referral",
                    body=f"{referral.sender_label} sent referral {referral.pk}"
                         + (f" for {referral.to_service.name}" if referral.to_service_id else "") + ". Respond by "
                         f"{timezone.localtime(referral.respond_by):%d %b %Y %H:%M}.", email=True)


def _inbox_watchers(agency_id: int):
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX

    from hearth.platform.models import User

    # Accounts that cannot sign in (a partner system's) read nothing, so get no notices.
    return User.objects.filter(memberships__agency_id=agency_id, memberships__is_active=True, is_active=True,
                               memberships__role__in=[r for r in access.CASE_ROLES
                                                      if r not in (Role.DELIVERY_VOLUNTEER,)]).exclude(
        password__startswith=UNUSABLE_PASSWORD_PREFIX).distinct()
