"""Making and sending a referral: every rule checked before anything is saved."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from hearth.people import permissions as people_perms
from hearth.people.models import Person
from hearth.platform import access, audit
from hearth.platform.locks import lock_for_change
from hearth.platform.models import Agency
from hearth.platform.roles import AgencyKind, Part
from hearth.referrals import permissions as referrals_perms

from .. import timeliness
from ..models import LawfulBasis, Reason, Referral, Source, Status
from ._common import SHAREABLE_PARTS, _event, _grant_referral_access, _is_sender, _require, _tell_inbox
from .receivers import agency_for_service, unoffered_reasons

if TYPE_CHECKING:
    from hearth.directory.models import Service


@dataclass(frozen=True, kw_only=True)
class ReferralRequest:
    """Everything a sender asks in one referral, as the staff form or the partner API gives it.

    Who it is about and to whom (``to_agency``, or ``to_service`` from the directory), what
    for, on what lawful basis, which parts the receiver may see, and how the person may safely
    be contacted. ``referral_create`` checks every rule; this only carries the answers. Lists
    given for ``reasons``, ``shared_parts`` and ``children`` are kept as tuples.
    """

    person: Person
    reasons: tuple[str, ...]
    shared_parts: tuple[str, ...]
    lawful_basis: str
    to_agency: Agency | None = None
    to_service: Service | None = None
    needs: str = ""
    urgency: str = "routine"
    risk_level: str = "not_known"
    children: tuple[Person, ...] = ()
    alleged_perpetrator: Person | None = None
    consent_taken_on: date | None = None
    # Only through the partner API: the name of whoever took consent (not a Hearth user).
    consent_taken_by_name: str = ""
    basis_reason: str = ""
    # The safe-contact instructions the receiver must follow.
    safe_to_call: bool = False
    safe_times: str = ""
    voicemail_ok: bool = False
    text_ok: bool = False
    email_ok: bool = False
    survivor_will_call: bool = False
    share_safe_address: bool = False
    # How it is made: sent at once (or left a draft), retried safely, from staff or a partner system.
    send: bool = True
    idempotency_key: str = ""
    source: str = Source.STAFF

    def __post_init__(self) -> None:
        for name in ("reasons", "shared_parts", "children"):
            object.__setattr__(self, name, tuple(getattr(self, name) or ()))


@transaction.atomic
def referral_create(*, actor, request: ReferralRequest) -> Referral:
    """Create a referral (and send it unless ``request.send`` is false), validating every rule.

    With an ``idempotency_key`` a repeated submission returns the referral it already made,
    marked ``replayed = True`` so callers can tell it from a new one.
    ``source=partner_api`` is for the partner API: ``actor`` is then the partner system's own
    account at its agency, the referral has no sending user, and consent is recorded as taken
    by ``consent_taken_by_name``. Raises ``ValidationError`` (by field) or ``PermissionDenied``;
    nothing is saved unless everything is valid.

    Give ``to_agency``, or ``to_service`` (a directory service): a service linked to an
    onboarded agency becomes a referral to that agency with the service named; any other
    service is refused with its public contact route (``agency_for_service``).
    """
    _require(actor, referrals_perms.MAKE_REFERRAL)
    if request.source not in (Source.STAFF, Source.PARTNER_API):
        raise ValidationError({"source": "Self-referrals come through the public help site."})
    membership = access.acting(actor)
    if request.idempotency_key:
        existing = Referral.objects.filter(from_agency=membership.agency,
                                           idempotency_key=request.idempotency_key).first()
        if existing is not None:
            existing.replayed = True  # made by an earlier submission, not now
            return existing
    errors: dict[str, str] = {}
    person, reasons, lawful_basis = request.person, request.reasons, request.lawful_basis
    if not Person.objects.visible_to(actor).filter(pk=person.pk).exists():
        audit.deny(obj=person, reason="referral about a person the sender cannot see")
        raise PermissionDenied(people_perms.VIEW_PERSON)
    to_agency = request.to_agency
    if request.to_service is not None:
        if to_agency is not None:
            raise ValidationError({"to_service": "Choose an agency or a service from the directory, not both."})
        to_agency = agency_for_service(to_service=request.to_service)
    elif to_agency is None:
        raise ValidationError({"to_agency": "Choose the agency or service to refer to."})
    # Errors about the receiver belong to whichever field named it.
    receiver_field = "to_service" if request.to_service is not None else "to_agency"
    if to_agency.pk == membership.agency_id:
        errors[receiver_field] = "Choose another agency: you cannot refer to your own."
    elif not to_agency.is_onboarded:
        errors[receiver_field] = f"{to_agency.name} does not take referrals through Hearth yet."
    if not reasons or set(reasons) - set(Reason.values):
        errors["reasons"] = "Choose what the referral is for."
    elif Reason.BEHAVIOUR_CHANGE in reasons and to_agency.kind != AgencyKind.PERPETRATOR_SERVICE:
        errors["reasons"] = "Behaviour change referrals go to a perpetrator service."
    elif to_agency.kind == AgencyKind.PERPETRATOR_SERVICE and set(reasons) != {Reason.BEHAVIOUR_CHANGE}:
        errors["reasons"] = "A perpetrator service only takes behaviour change referrals."
    elif unoffered := unoffered_reasons(to_agency=to_agency, reasons=reasons):
        labels = dict(Reason.choices)
        errors["reasons"] = (f"{to_agency.name} does not offer "
                             f"{', '.join(labels[r][0].lower() + labels[r][1:] for r in unoffered)}.")
    if lawful_basis not in LawfulBasis.values:
        errors["lawful_basis"] = "Choose the lawful basis for sharing."
    elif lawful_basis == LawfulBasis.CONSENT:
        if request.consent_taken_on is None:
            errors["consent_taken_on"] = "Enter the date consent was given."
        elif request.consent_taken_on > timezone.localdate():
            errors["consent_taken_on"] = "The date consent was given must be today or in the past."
        if request.source == Source.PARTNER_API and not request.consent_taken_by_name.strip():
            errors["consent_taken_by_name"] = "Give the name of the person who took consent."
    elif not request.basis_reason.strip():
        errors["basis_reason"] = "Explain why the information is shared without consent."
    own_parts = access.parts_for(actor, person)
    parts = set(request.shared_parts)
    if not parts:
        errors["shared_parts"] = "Choose what the receiving agency may see."
    elif parts - own_parts or parts - set(SHAREABLE_PARTS):
        errors["shared_parts"] = "You can only share parts of the record you can see yourself."
    if to_agency.kind == AgencyKind.PERPETRATOR_SERVICE:
        # The wall: a perpetrator service never receives a survivor's whereabouts or contact details.
        parts -= {Part.CONTACT, Part.SAFE_ADDRESS, Part.CHILDREN}
        # Safe-contact instructions say when and how she can be reached: contact details too.
        request = replace(request, share_safe_address=False, safe_to_call=False, voicemail_ok=False, text_ok=False,
                          email_ok=False, survivor_will_call=False, safe_times="")
    if request.share_safe_address and Part.SAFE_ADDRESS not in parts:
        errors["share_safe_address"] = "Share the safe address part to give the safe address."
    child_ids = {child.pk for child in request.children}
    if child_ids - set(Person.objects.visible_to(actor).filter(pk__in=child_ids).values_list("pk", flat=True)):
        errors["children"] = "You can only include children whose records you can see."
    alleged_perpetrator = request.alleged_perpetrator
    if alleged_perpetrator is not None and (
            alleged_perpetrator.pk == person.pk
            or not Person.objects.visible_to(actor).filter(pk=alleged_perpetrator.pk).exists()):
        errors["alleged_perpetrator"] = "You can only name an alleged perpetrator whose record you can see."
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            referral = _create_row(membership, actor, request, to_agency=to_agency, parts=parts)
    except IntegrityError:
        # The same submission arrived twice at once (a double click, a retry): one referral.
        existing = Referral.objects.get(from_agency=membership.agency, idempotency_key=request.idempotency_key)
        existing.replayed = True
        return existing
    referral.children.set(request.children)
    _event(referral, actor, Status.DRAFT)
    if request.send:
        referral_send(actor=actor, referral=referral)
    return referral


def _create_row(membership, actor, request: ReferralRequest, *, to_agency: Agency, parts: set[str]) -> Referral:
    # A partner system, not a person, sends through the API: no sending user, and consent was
    # taken by someone named by the partner system rather than by a Hearth user.
    by_partner = request.source == Source.PARTNER_API
    by_consent = request.lawful_basis == LawfulBasis.CONSENT
    return Referral.objects.create(
        source=request.source, email_ok=request.email_ok, survivor_will_call=request.survivor_will_call,
        consent_taken_by_name=request.consent_taken_by_name.strip()[:200] if by_consent else "",
        from_agency=membership.agency, from_user=None if by_partner else actor, to_agency=to_agency,
        to_service=request.to_service, person=request.person, alleged_perpetrator=request.alleged_perpetrator,
        reasons=sorted(set(request.reasons)), needs=request.needs.strip(), urgency=request.urgency,
        risk_level=request.risk_level, shared_parts=sorted(parts), lawful_basis=request.lawful_basis,
        consent_taken_by=actor if by_consent and not by_partner else None,
        consent_taken_on=request.consent_taken_on if by_consent else None,
        basis_reason=request.basis_reason.strip(), safe_to_call=request.safe_to_call,
        safe_times=request.safe_times.strip(), voicemail_ok=request.voicemail_ok, text_ok=request.text_ok,
        share_safe_address=request.share_safe_address, idempotency_key=request.idempotency_key,
    )


@transaction.atomic
def referral_send(*, actor, referral: Referral) -> Referral:
    """Send a draft: the receiver's inbox gets it, with a response target, and sees the shared parts."""
    lock_for_change(referral)
    if not _is_sender(actor, referral) or referral.status != Status.DRAFT:
        raise ValidationError("Only a draft can be sent, by the agency that wrote it.")
    now = timezone.now()
    referral.status, referral.sent_at = Status.SENT, now
    referral.respond_by = timeliness.respond_by(agency_id=referral.to_agency_id, urgency=referral.urgency, sent_at=now)
    referral.save()
    _grant_referral_access(referral, accepted=False)
    _event(referral, actor, Status.SENT)
    _tell_inbox(referral)
    return referral
