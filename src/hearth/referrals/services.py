"""The referral lifecycle. Every step is a function here: checked, atomic, audited, in the history.

Sending gives the receiving agency a relationship to exactly the shared parts; a decline
or withdrawal ends it at once; completion ends it after the lapse period.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from hearth.notify.services import notice_send, survivor_message_send
from hearth.people import permissions as people_perms
from hearth.people.models import Person
from hearth.platform import access, audit, grants
from hearth.platform import permissions as platform_perms
from hearth.platform.locks import lock_for_change
from hearth.platform.models import Agency, AuditAction, Membership
from hearth.platform.roles import Part, RelationshipKind, Role
from hearth.referrals import permissions as referrals_perms

from . import timeliness
from .models import CLOSED_STATUSES, OPEN_STATUSES, LawfulBasis, Reason, Referral, ReferralEvent, Source, Status

# What a receiver may be given; never more than the sender itself can see.
SHAREABLE_PARTS = (Part.IDENTITY, Part.CONTACT, Part.SAFE_ADDRESS, Part.HOUSEHOLD, Part.CHILDREN,
                   Part.INCIDENTS, Part.RISK_LEVEL, Part.NEEDS)
# Until a referral is accepted the receiver sees enough to decide, not how to reach the person:
# contact details and the safe address follow acceptance (ACCESS.md: "from acceptance").
BEFORE_ACCEPTANCE_WITHHELD = frozenset({Part.CONTACT, Part.SAFE_ADDRESS})
# What each kind of agency takes referrals for (until the service directory says it per service).
OFFERED_BY_KIND: dict[str, frozenset[str]] = {
    "charity": frozenset({Reason.PRACTICAL_ITEMS}),
    "da_service": frozenset({Reason.SPECIALIST_SUPPORT, Reason.CHILDRENS_SUPPORT}),
    "refuge": frozenset({Reason.SAFE_ACCOMMODATION, Reason.SPECIALIST_SUPPORT, Reason.CHILDRENS_SUPPORT}),
    "housing": frozenset({Reason.SAFE_ACCOMMODATION, Reason.PRACTICAL_ITEMS}),
    "council": frozenset({Reason.SAFE_ACCOMMODATION, Reason.PRACTICAL_ITEMS}),
    "childrens_services": frozenset({Reason.CHILDRENS_SUPPORT}),
    "perpetrator_service": frozenset({Reason.BEHAVIOUR_CHANGE}),
    "health": frozenset({Reason.SPECIALIST_SUPPORT}),
}


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
    same = Person.objects.filter(identity_id=person.identity_id)  # nosemgrep: hearth-case-query-not-through-visible-to
    open_ = Referral.objects.visible_to(actor).filter(person__in=same, to_agency=to_agency,
                                                      status__in=OPEN_STATUSES)
    if exclude_pk:
        open_ = open_.exclude(pk=exclude_pk)
    return open_.first()


@transaction.atomic
def referral_create(
    *, actor, person: Person, to_agency: Agency | None = None, reasons: list[str], shared_parts: list[str],
    lawful_basis: str, to_service=None,
    needs: str = "", urgency: str = "routine", risk_level: str = "not_known", children=(), alleged_perpetrator=None,
    consent_taken_on: date | None = None, basis_reason: str = "", safe_to_call: bool = False, safe_times: str = "",
    voicemail_ok: bool = False, text_ok: bool = False, share_safe_address: bool = False, send: bool = True,
    idempotency_key: str = "", email_ok: bool = False, survivor_will_call: bool = False,
    source: str = Source.STAFF, consent_taken_by_name: str = "",
) -> Referral:
    """Create a referral (and send it unless ``send`` is false), validating every rule.

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
    if source not in (Source.STAFF, Source.PARTNER_API):
        raise ValidationError({"source": "Self-referrals come through the public help site."})
    membership = access.acting(actor)
    if idempotency_key:
        existing = Referral.objects.filter(from_agency=membership.agency, idempotency_key=idempotency_key).first()
        if existing is not None:
            existing.replayed = True  # made by an earlier submission, not now
            return existing
    errors: dict[str, str] = {}
    if not Person.objects.visible_to(actor).filter(pk=person.pk).exists():
        audit.deny(obj=person, reason="referral about a person the sender cannot see")
        raise PermissionDenied(people_perms.VIEW_PERSON)
    if to_service is not None:
        if to_agency is not None:
            raise ValidationError({"to_service": "Choose an agency or a service from the directory, not both."})
        to_agency = agency_for_service(to_service=to_service)
    elif to_agency is None:
        raise ValidationError({"to_agency": "Choose the agency or service to refer to."})
    # Errors about the receiver belong to whichever field named it.
    receiver_field = "to_service" if to_service is not None else "to_agency"
    if to_agency.pk == membership.agency_id:
        errors[receiver_field] = "Choose another agency: you cannot refer to your own."
    elif not to_agency.is_onboarded:
        errors[receiver_field] = f"{to_agency.name} does not take referrals through Hearth yet."
    if not reasons or set(reasons) - set(Reason.values):
        errors["reasons"] = "Choose what the referral is for."
    elif Reason.BEHAVIOUR_CHANGE in reasons and to_agency.kind != "perpetrator_service":
        errors["reasons"] = "Behaviour change referrals go to a perpetrator service."
    elif to_agency.kind == "perpetrator_service" and set(reasons) != {Reason.BEHAVIOUR_CHANGE}:
        errors["reasons"] = "A perpetrator service only takes behaviour change referrals."
    elif unoffered := unoffered_reasons(to_agency=to_agency, reasons=reasons):
        labels = dict(Reason.choices)
        errors["reasons"] = (f"{to_agency.name} does not offer "
                             f"{', '.join(labels[r][0].lower() + labels[r][1:] for r in unoffered)}.")
    if lawful_basis not in LawfulBasis.values:
        errors["lawful_basis"] = "Choose the lawful basis for sharing."
    elif lawful_basis == LawfulBasis.CONSENT:
        if consent_taken_on is None:
            errors["consent_taken_on"] = "Enter the date consent was given."
        elif consent_taken_on > timezone.localdate():
            errors["consent_taken_on"] = "The date consent was given must be today or in the past."
        if source == Source.PARTNER_API and not consent_taken_by_name.strip():
            errors["consent_taken_by_name"] = "Give the name of the person who took consent."
    elif not basis_reason.strip():
        errors["basis_reason"] = "Explain why the information is shared without consent."
    own_parts = access.parts_for(actor, person)
    parts = set(shared_parts)
    if not parts:
        errors["shared_parts"] = "Choose what the receiving agency may see."
    elif parts - own_parts or parts - set(SHAREABLE_PARTS):
        errors["shared_parts"] = "You can only share parts of the record you can see yourself."
    if to_agency.kind == "perpetrator_service":
        # The wall: a perpetrator service never receives a survivor's whereabouts or contact details.
        parts -= {Part.CONTACT, Part.SAFE_ADDRESS, Part.CHILDREN}
        share_safe_address = False
        # Safe-contact instructions say when and how she can be reached: contact details too.
        safe_to_call = voicemail_ok = text_ok = email_ok = survivor_will_call = False
        safe_times = ""
    if share_safe_address and Part.SAFE_ADDRESS not in parts:
        errors["share_safe_address"] = "Share the safe address part to give the safe address."
    child_ids = {child.pk for child in children}
    if child_ids - set(Person.objects.visible_to(actor).filter(pk__in=child_ids).values_list("pk", flat=True)):
        errors["children"] = "You can only include children whose records you can see."
    if alleged_perpetrator is not None and (
            alleged_perpetrator.pk == person.pk
            or not Person.objects.visible_to(actor).filter(pk=alleged_perpetrator.pk).exists()):
        errors["alleged_perpetrator"] = "You can only name an alleged perpetrator whose record you can see."
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            referral = _create_row(membership, actor, to_agency, person, alleged_perpetrator, reasons, needs, urgency,
                                   risk_level, parts, lawful_basis, consent_taken_on, basis_reason, safe_to_call,
                                   safe_times, voicemail_ok, text_ok, share_safe_address, idempotency_key,
                                   email_ok=email_ok, survivor_will_call=survivor_will_call, source=source,
                                   consent_taken_by_name=consent_taken_by_name, to_service=to_service)
    except IntegrityError:
        # The same submission arrived twice at once (a double click, a retry): one referral.
        existing = Referral.objects.get(from_agency=membership.agency, idempotency_key=idempotency_key)
        existing.replayed = True
        return existing
    referral.children.set(children)
    _event(referral, actor, Status.DRAFT)
    if send:
        referral_send(actor=actor, referral=referral)
    return referral


def _create_row(membership, actor, to_agency, person, alleged_perpetrator, reasons, needs, urgency, risk_level,
                parts, lawful_basis, consent_taken_on, basis_reason, safe_to_call, safe_times, voicemail_ok,
                text_ok, share_safe_address, idempotency_key, *, email_ok, survivor_will_call, source,
                consent_taken_by_name, to_service=None) -> Referral:
    # A partner system, not a person, sends through the API: no sending user, and consent was
    # taken by someone named by the partner system rather than by a Hearth user.
    by_partner = source == Source.PARTNER_API
    return Referral.objects.create(
        source=source, email_ok=email_ok, survivor_will_call=survivor_will_call,
        consent_taken_by_name=consent_taken_by_name.strip()[:200] if lawful_basis == LawfulBasis.CONSENT else "",
        from_agency=membership.agency, from_user=None if by_partner else actor, to_agency=to_agency,
        to_service=to_service, person=person, alleged_perpetrator=alleged_perpetrator,
        reasons=sorted(set(reasons)), needs=needs.strip(), urgency=urgency,
        risk_level=risk_level, shared_parts=sorted(parts), lawful_basis=lawful_basis,
        consent_taken_by=actor if lawful_basis == LawfulBasis.CONSENT and not by_partner else None,
        consent_taken_on=consent_taken_on if lawful_basis == LawfulBasis.CONSENT else None,
        basis_reason=basis_reason.strip(), safe_to_call=safe_to_call, safe_times=safe_times.strip(),
        voicemail_ok=voicemail_ok, text_ok=text_ok, share_safe_address=share_safe_address,
        idempotency_key=idempotency_key,
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


@transaction.atomic
def referral_receive(*, actor, referral: Referral) -> Referral:
    """Mark a sent referral as received the first time someone at the receiving agency opens it.

    Two people opening it at once write one received event: the second sees it received.
    """
    # Checked first without a lock so that reading a received referral takes no lock at all.
    if _is_receiver(actor, referral) and referral.status == Status.SENT \
            and lock_for_change(referral).status == Status.SENT:
        referral.status = Status.RECEIVED
        referral.save(update_fields=["status"])
        _event(referral, actor, Status.RECEIVED)
    return referral


@transaction.atomic
def referral_accept(*, actor, referral: Referral, assigned_to) -> Referral:
    """Accept with a named worker of the receiving agency; access continues for the shared parts."""
    _require(actor, referrals_perms.RESPOND, referral)
    lock_for_change(referral)  # the state is checked on the row as committed, under its lock
    if not _is_receiver(actor, referral) or referral.status not in (Status.SENT, Status.RECEIVED):
        raise ValidationError("Only a referral awaiting a response can be accepted.")
    if not Membership.objects.active().filter(user=assigned_to, agency_id=referral.to_agency_id).exists():
        raise ValidationError({"assigned_to": "Choose a worker in your own agency."})
    referral.status, referral.assigned_to, referral.decided_at = Status.ACCEPTED, assigned_to, timezone.now()
    referral.save()
    _grant_referral_access(referral, accepted=True)
    _event(referral, actor, Status.ACCEPTED, note=f"Assigned to {assigned_to.get_full_name()}")
    if Part.CONTACT in referral.shared_parts:
        # Only as the sender recorded it safe: by an allowed channel, in the safe times, saying
        # nothing. "I will call you" means nobody makes the first contact, not even a text.
        survivor_message_send(phone=referral.person.phone, email=referral.person.email, text_ok=referral.text_ok,
                              email_ok=referral.email_ok, will_call=referral.survivor_will_call,
                              safe_times=referral.safe_times, template="contact_soon",
                              first_name=assigned_to.first_name or "your support worker",
                              purpose=f"referral {referral.pk} accepted")
    _tell_sender(referral, subject=f"Referral {referral.pk} accepted",
                 body=f"{referral.to_agency.name} accepted your referral.")
    return referral


@transaction.atomic
def referral_decline(*, actor, referral: Referral, reason: str,
                     suggested_alternative: Agency | None = None) -> Referral:
    """Decline with a reason (and perhaps another agency to try); the receiver's access ends now."""
    _require(actor, referrals_perms.RESPOND, referral)
    lock_for_change(referral)  # the state is checked on the row as committed, under its lock
    if not _is_receiver(actor, referral) or referral.status not in (Status.SENT, Status.RECEIVED):
        raise ValidationError("Only a referral awaiting a response can be declined.")
    if not reason.strip():
        raise ValidationError({"reason": "Give the reason for declining: the sender will see it."})
    now = timezone.now()
    referral.status, referral.decline_reason = Status.DECLINED, reason.strip()
    referral.suggested_alternative, referral.decided_at, referral.closed_at = suggested_alternative, now, now
    referral.save()
    grants.relationship_end(obj=referral, reason="referral declined", at=now)
    _event(referral, actor, Status.DECLINED, note=reason.strip())
    _tell_sender(referral, subject=f"Referral {referral.pk} declined",
                 body=f"{referral.to_agency.name} declined your referral: {reason.strip()}"
                      + (f" They suggest {suggested_alternative.name}." if suggested_alternative else ""))
    return referral


@transaction.atomic
def referral_start(*, actor, referral: Referral) -> Referral:
    """Record that work on an accepted referral has begun."""
    _require(actor, referrals_perms.RESPOND, referral)
    lock_for_change(referral)  # the state is checked on the row as committed, under its lock
    if not _is_receiver(actor, referral) or referral.status != Status.ACCEPTED:
        raise ValidationError("Only an accepted referral can be started.")
    referral.status = Status.IN_PROGRESS
    referral.save(update_fields=["status"])
    _event(referral, actor, Status.IN_PROGRESS)
    return referral


@transaction.atomic
def referral_complete(*, actor, referral: Referral, outcome: str) -> Referral:
    """Close an accepted referral with its outcome; access lapses after the lapse period."""
    _require(actor, referrals_perms.RESPOND, referral)
    lock_for_change(referral)  # the state is checked on the row as committed, under its lock
    if not _is_receiver(actor, referral) or referral.status not in (Status.ACCEPTED, Status.IN_PROGRESS):
        raise ValidationError("Only an accepted referral can be completed.")
    if not outcome.strip():
        raise ValidationError({"outcome": "Describe the outcome: the sender will see it."})
    now = timezone.now()
    referral.status, referral.outcome, referral.closed_at = Status.COMPLETED, outcome.strip(), now
    referral.save()
    grants.relationship_end(obj=referral, reason="referral completed: access lapses",
                            at=access.referral_lapse_end(now))
    _event(referral, actor, Status.COMPLETED, note=outcome.strip())
    _tell_sender(referral, subject=f"Referral {referral.pk} completed",
                 body=f"{referral.to_agency.name} completed your referral.")
    return referral


@transaction.atomic
def referral_withdraw(*, actor, referral: Referral, reason: str) -> Referral:
    """The sender withdraws an open referral; the receiver's access ends now."""
    _require(actor, referrals_perms.MAKE_REFERRAL)
    lock_for_change(referral)  # the state is checked on the row as committed, under its lock
    if not _is_sender(actor, referral) or referral.status in CLOSED_STATUSES:
        raise ValidationError("Only an open referral you sent can be withdrawn.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the referral is withdrawn."})
    now = timezone.now()
    referral.status, referral.closed_at = Status.WITHDRAWN, now
    referral.save()
    grants.relationship_end(obj=referral, reason="referral withdrawn", at=now)
    _event(referral, actor, Status.WITHDRAWN, note=reason.strip())
    return referral


@transaction.atomic
def referral_redirect(*, actor, referral: Referral, to_agency: Agency, note: str) -> Referral:
    """The receiver passes a referral it cannot take to another agency, with the sender's choices kept."""
    _require(actor, referrals_perms.RESPOND, referral)
    lock_for_change(referral)  # the state is checked on the row as committed, under its lock
    if not _is_receiver(actor, referral) or referral.status not in (Status.SENT, Status.RECEIVED):
        raise ValidationError("Only a referral awaiting a response can be redirected.")
    if to_agency.pk in (referral.to_agency_id, referral.from_agency_id) or not to_agency.is_onboarded:
        raise ValidationError({"to_agency": "Choose another onboarded agency."})
    if unoffered_reasons(to_agency=to_agency, reasons=referral.reasons):
        raise ValidationError({"to_agency": f"{to_agency.name} does not offer what this referral is for."})
    now = timezone.now()
    new = Referral.objects.create(
        source=referral.source, consent_taken_by_name=referral.consent_taken_by_name,
        email_ok=referral.email_ok, survivor_will_call=referral.survivor_will_call,
        from_agency=referral.from_agency, from_user=referral.from_user, to_agency=to_agency, person=referral.person,
        alleged_perpetrator=referral.alleged_perpetrator, reasons=referral.reasons, needs=referral.needs,
        urgency=referral.urgency, risk_level=referral.risk_level, shared_parts=referral.shared_parts,
        lawful_basis=referral.lawful_basis, consent_taken_by=referral.consent_taken_by,
        consent_taken_on=referral.consent_taken_on, basis_reason=referral.basis_reason,
        safe_to_call=referral.safe_to_call, safe_times=referral.safe_times, voicemail_ok=referral.voicemail_ok,
        text_ok=referral.text_ok, share_safe_address=referral.share_safe_address, redirected_from=referral,
    )
    new.children.set(referral.children.all())
    referral.status, referral.decided_at, referral.closed_at = Status.REDIRECTED, now, now
    referral.save()
    grants.relationship_end(obj=referral, reason="referral redirected", at=now)
    _event(referral, actor, Status.REDIRECTED, note=f"Redirected to {to_agency.name}. {note}".strip())
    _event(new, actor, Status.DRAFT, note=f"Redirected by {referral.to_agency.name}")
    # Sent on the sender's behalf: the sender's choices of parts and basis stand.
    now = timezone.now()
    new.status, new.sent_at = Status.SENT, now
    new.respond_by = timeliness.respond_by(agency_id=to_agency.pk, urgency=new.urgency, sent_at=now)
    new.save()
    _grant_referral_access(new, accepted=False)
    _event(new, actor, Status.SENT)
    _tell_inbox(new)
    _tell_sender(referral, subject=f"Referral {referral.pk} redirected",
                 body=f"{referral.to_agency.name} passed your referral to {to_agency.name}.")
    return new


# An accepted referral nobody has started after this long gets one reminder to its worker.
START_REMINDER_AFTER = timedelta(days=2)


def referrals_remind_unstarted(*, now=None) -> int:
    """Remind assigned workers, once each, of referrals accepted but not started for two days."""
    now = now or timezone.now()
    waiting = Referral.objects.filter(status=Status.ACCEPTED, decided_at__lt=now - START_REMINDER_AFTER,
                                      reminded_at__isnull=True, assigned_to__isnull=False).select_related(
        "assigned_to")
    count = 0
    for referral in waiting:
        with transaction.atomic():
            notice_send(recipient=referral.assigned_to, subject=f"Referral {referral.pk} is waiting for you",
                        body=f"You accepted referral {referral.pk} on "
                             f"{timezone.localtime(referral.decided_at):%d %b %Y} and work has not started. "
                             "Start work, or pass it to a colleague.", email=True)
            Referral.objects.filter(pk=referral.pk).update(reminded_at=now)
            audit.record(AuditAction.UPDATE, obj=referral, detail={"reminded": True})
            count += 1
    return count


def referrals_escalate_overdue(*, now=None) -> int:
    """Tell team leads (or all members) of receiving agencies about referrals past their target. Once each."""
    now = now or timezone.now()
    overdue = Referral.objects.filter(status__in=(Status.SENT, Status.RECEIVED), respond_by__lt=now,
                                      escalated_at__isnull=True).select_related("to_agency")
    count = 0
    for referral in overdue:
        with transaction.atomic():
            leads = [t.lead for t in referral.to_agency.teams.exclude(lead__isnull=True)]
            for lead in leads or list(_inbox_watchers(referral.to_agency_id)):
                notice_send(recipient=lead, subject=f"Referral {referral.pk} is overdue",
                            body=f"Referral {referral.pk} from {referral.sender_label} was due a response by "
                                 f"{timezone.localtime(referral.respond_by):%d %b %Y %H:%M}.", email=True)
            Referral.objects.filter(pk=referral.pk).update(escalated_at=now)
            audit.record(AuditAction.UPDATE, obj=referral, detail={"escalated": True})
            count += 1
    return count



@transaction.atomic
def response_targets_set(*, actor, routine_hours: int, urgent_hours: int) -> None:
    """An agency admin sets how fast their agency promises to answer referrals."""
    _require(actor, platform_perms.MANAGE_MEMBERS)
    from .models import ResponseTarget, Urgency

    errors = {}
    if not 1 <= routine_hours <= 80:
        errors["routine_hours"] = "Enter between 1 and 80 working hours."
    if not 1 <= urgent_hours <= 48:
        errors["urgent_hours"] = "Enter between 1 and 48 hours."
    if errors:
        raise ValidationError(errors)
    agency = access.acting(actor).agency
    for urgency, hours in ((Urgency.ROUTINE, routine_hours), (Urgency.URGENT, urgent_hours)):
        ResponseTarget.objects.update_or_create(agency=agency, urgency=urgency, defaults={"hours": hours})
    audit.record(AuditAction.UPDATE, obj=agency, detail={"response_targets": [routine_hours, urgent_hours]})


# --- self-referrals (public help site) ---

SELF_REFERRAL_REASON_BY_KIND = {"perpetrator_service": Reason.BEHAVIOUR_CHANGE}


def public_site_user():
    """The account that stands for the public help site on records it creates (it cannot sign in)."""
    from hearth.platform.models import User

    user, created = User.objects.get_or_create(
        username="public-help-site",
        defaults={"first_name": "Public help site", "email": "public-help-site@hearth.invalid", "is_active": False})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def self_referral_receive(
    *, to_agency: Agency, given_name: str, family_name: str, date_of_birth: date | None = None, phone: str = "",
    email: str = "", postcode: str = "", safe_times: str = "", safe_to_call: bool = False,
    voicemail_ok: bool = False, text_ok: bool = False, email_ok: bool = False, survivor_will_call: bool = False,
    needs: str = "", language: str = "",
) -> Referral:
    """A member of the public refers themselves (the help site has checked and consented them).

    The referral lands in ``to_agency``'s inbox as sent, with no sending agency or user. The
    person is matched first: a confident match to the agency's own record reuses that record
    (its details are never overwritten by what a visitor typed: they travel on the referral);
    otherwise a new record of the agency's own, with an identity of its own. A match to another
    agency's record is never joined here: anyone can type a survivor's details into the public
    form, and a join would let the receiver see what the other record knows. The referral is
    marked as a possible match, for the receiver's staff to check and, if it is her, to ask the
    holding agency to link (a link request). Audited as a public action.
    """
    from hearth.people import matching
    from hearth.people.models import Identity

    if not to_agency.is_onboarded:
        raise ValidationError({"to_agency": "This service does not take referrals through Hearth."})
    if not given_name.strip() or not family_name.strip():
        raise ValidationError({"given_name": "A name is needed."})
    if not (phone.strip() or email.strip() or survivor_will_call):
        raise ValidationError({"phone": "A way to make contact is needed, or the person will call."})
    record = matching.record_from_form({"given_name": given_name, "family_name": family_name,
                                        "date_of_birth": date_of_birth, "postcode": postcode, "phone": phone,
                                        "email": email})
    candidates = matching.candidates_for(record, limit=5)
    confident = [c for c in candidates if c.band == "link"]
    own = next((c.person for c in confident if c.person.owner_agency_id == to_agency.pk), None)
    contact_note = ""
    if own is not None:
        person, matched = own, "own_record"
        given = [f"phone {phone.strip()}" if phone.strip() else "", f"email {email.strip()}" if email.strip() else ""]
        given = [g for g in given if g]
        if given:
            contact_note = "Contact details given with this self-referral: " + ", ".join(given) + "."
    else:
        identity = Identity.objects.create()
        matched = "possible_match" if candidates else "new"
        person = Person(identity=identity, owner_agency=to_agency, created_by=public_site_user(),
                        given_name=given_name.strip(), family_name=family_name.strip(),
                        date_of_birth=date_of_birth, phone=phone.strip(), email=email.strip(),
                        postcode=postcode.strip(), language=language[:60],
                        safe_contact=safe_times.strip())
        person.full_clean()
        person.save()
        grants.relationship_grant(agency=to_agency, obj=person, kind=RelationshipKind.OWNER,
                                  source="self-referral")
        matching.blocking_keys_store(person)
        audit.record(AuditAction.CREATE, obj=person, detail={"source": Source.SELF_REFERRAL, "matched": matched})
    reason = SELF_REFERRAL_REASON_BY_KIND.get(to_agency.kind, Reason.SPECIALIST_SUPPORT)
    text = "\n\n".join(t for t in [needs.strip(), contact_note] if t)
    now = timezone.now()
    referral = Referral.objects.create(
        source=Source.SELF_REFERRAL, from_agency=None, from_user=None, to_agency=to_agency, person=person,
        reasons=[reason], needs=text, shared_parts=sorted([Part.IDENTITY, Part.CONTACT, Part.NEEDS]),
        lawful_basis=LawfulBasis.CONSENT, consent_taken_on=timezone.localdate(),
        consent_taken_by_name="Given online by the person", safe_to_call=safe_to_call and not survivor_will_call,
        safe_times=safe_times.strip(), voicemail_ok=voicemail_ok and not survivor_will_call,
        text_ok=text_ok and not survivor_will_call, email_ok=email_ok and not survivor_will_call,
        survivor_will_call=survivor_will_call, status=Status.SENT, sent_at=now,
        respond_by=timeliness.respond_by(agency_id=to_agency.pk, urgency="routine", sent_at=now),
    )
    # No access grant: the receiving agency owns the person's record either way (new or its own).
    ReferralEvent.objects.create(referral=referral, status=Status.SENT,
                                 note="Self-referral from the public help site"
                                 + (". A possible match to an existing record: check before linking."
                                    if matched == "possible_match" else "."))
    audit.record(AuditAction.CREATE, obj=referral, detail={"source": Source.SELF_REFERRAL, "matched": matched,
                                                           "status": Status.SENT})
    _tell_inbox(referral)
    return referral
