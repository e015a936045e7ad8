"""The receiver's answers and what follows: received, accepted, declined, started, completed,
withdrawn by the sender, or redirected to another agency.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from hearth.notify.services import survivor_message_send
from hearth.platform import access, grants
from hearth.platform.locks import lock_for_change
from hearth.platform.models import Agency, Membership
from hearth.platform.roles import Part
from hearth.referrals import permissions as referrals_perms

from .. import timeliness
from ..models import CLOSED_STATUSES, Referral, Status
from ._common import _event, _grant_referral_access, _is_receiver, _is_sender, _require, _tell_inbox, _tell_sender
from .receivers import unoffered_reasons


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
