"""Writes of the public help site: the self-referral guard, held-back referrals, help text.

The guard works without any third party: a honeypot field, a signed start time (a form
filled faster than a person could is refused), per-address and overall hourly limits.
Submissions over a limit are held back, not put in an inbox, and the partnership admins are
told; the visitor sees the same confirmation either way, so a flood learns nothing.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from hearth.directory.models import Service
from hearth.notify.services import notice_send
from hearth.platform import access, audit, crypto
from hearth.platform.models import AuditAction
from hearth.platform.roles import Role
from hearth.public import permissions as public_perms
from hearth.referrals.services import self_referral_receive

from .models import HeldSelfReferral, HelpSection, HelpText, SpentFormToken, SubmissionAttempt, SubmissionOutcome

TOKEN_SALT = "hearth.public.self-referral"  # noqa: S105 - a signing namespace, not a secret
TOKEN_MAX_AGE = 4 * 60 * 60  # a form left open longer than this is started again


def form_token() -> str:
    """A signed note of when the form was shown (no cookie, no session), unique to this showing
    so that it can be spent once."""
    return signing.dumps({"t": int(time.time()), "n": secrets.token_urlsafe(12)}, salt=TOKEN_SALT)


def token_age(token: str) -> float | None:
    """Seconds since the form was shown, or None if the token is missing, forged or too old."""
    try:
        data = signing.loads(token or "", salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    return time.time() - int(data.get("t", 0))


class TokenSpent(Exception):
    """The form's start token was sent before: a replay or a second press of Send."""


def _token_spend(token: str) -> None:
    """Mark a start token used, once: a second use raises ``TokenSpent`` (the unique key decides
    between two requests at once)."""
    key = crypto.blind_index(token, purpose="self-referral-token")
    try:
        with transaction.atomic():
            SpentFormToken.objects.create(key=key)
    except IntegrityError:
        raise TokenSpent from None
    # A token older than this is refused anyway, so its mark is no longer needed.
    SpentFormToken.objects.filter(spent_at__lt=timezone.now() - timedelta(seconds=TOKEN_MAX_AGE)).delete()


def client_key(ip: str | None) -> str:
    """A keyed hash of the visitor's address: enough to count, never stored in the clear."""
    return crypto.blind_index(ip or "unknown", purpose="self-referral-rate")


def attempt_record(*, ip: str | None, outcome: str) -> None:
    SubmissionAttempt.objects.create(client_key=client_key(ip), outcome=outcome)
    # Counting needs only the last hour or so; older rows are pruned as new ones arrive.
    SubmissionAttempt.objects.filter(at__lt=timezone.now() - timedelta(days=1)).delete()


def _over_limit(ip: str | None) -> str:
    hour_ago = timezone.now() - timedelta(hours=1)
    recent = SubmissionAttempt.objects.filter(at__gte=hour_ago)
    mine = recent.filter(client_key=client_key(ip)).exclude(outcome=SubmissionOutcome.TRAP).count()
    if mine >= settings.HEARTH_SELF_REFERRAL_PER_ADDRESS_PER_HOUR:
        return "per_address"
    sent = recent.filter(outcome__in=[SubmissionOutcome.ACCEPTED, SubmissionOutcome.HELD]).count()
    if sent >= settings.HEARTH_SELF_REFERRAL_PER_HOUR:
        return "overall"
    return ""


def _admins():
    from hearth.platform.models import User

    return User.objects.filter(is_active=True, memberships__is_active=True,
                               memberships__role=Role.PARTNERSHIP_ADMIN).distinct()


@dataclass
class Outcome:
    kind: str  # accepted | held
    referral_id: int | None = None


def _answers_json(answers: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in answers.items()}


@transaction.atomic
def self_referral_submit(*, service: Service, answers: dict, ip: str | None, language: str,
                         token: str = "") -> Outcome:
    """A checked self-referral from the help site: into the service's inbox, or held back.

    ``answers`` are the form's cleaned answers (name, contact, safe-contact choices). Over a
    rate limit the answers are kept encrypted in ``HeldSelfReferral`` and the partnership
    admins get one notice per hour of holding; nothing reaches the inbox until released.
    ``token`` (the form's start token) works once: a second use raises ``TokenSpent``.
    """
    if not service.takes_self_referrals:
        raise ValidationError({"service": "This service does not take self-referrals."})
    if token:
        _token_spend(token)
    limit = _over_limit(ip)
    if limit:
        already_held = HeldSelfReferral.objects.filter(received_at__gte=timezone.now() - timedelta(hours=1),
                                                       released_at__isnull=True, discarded_at__isnull=True).exists()
        held = HeldSelfReferral.objects.create(service=service, reason=limit,
                                               answers={**_answers_json(answers), "language": language})
        attempt_record(ip=ip, outcome=SubmissionOutcome.HELD)
        audit.record(AuditAction.CREATE, obj=held, outcome="held", reason=f"rate limit: {limit}",
                     detail={"service": str(service.pk)})
        if not already_held:
            for admin in _admins():
                notice_send(recipient=admin, subject="Self-referrals held back",
                            body=f"The public help site held back self-referrals ({limit.replace('_', ' ')} "
                                 "limit reached). Review them under Held self-referrals.", email=True)
        return Outcome("held")
    referral = self_referral_send(service=service, answers=answers, language=language)
    attempt_record(ip=ip, outcome=SubmissionOutcome.ACCEPTED)
    return Outcome("accepted", referral.pk)


def self_referral_send(*, service: Service, answers: dict, language: str):
    """Put checked answers into the service's inbox as a self-referral (no limits applied here)."""
    ways = set(answers.get("ways") or [])
    will_call = answers.get("how") == "i_will_call"
    dob = answers.get("date_of_birth")
    if isinstance(dob, str) and dob:
        dob = date.fromisoformat(dob)
    return self_referral_receive(
        to_agency=service.agency, given_name=answers["given_name"], family_name=answers["family_name"],
        date_of_birth=dob or None, phone="" if will_call else answers.get("phone", ""),
        email="" if will_call else answers.get("email", ""), postcode=answers.get("postcode", ""),
        safe_times=answers.get("safe_times", ""), safe_to_call="call" in ways, voicemail_ok="voicemail" in ways,
        text_ok="text" in ways, email_ok="email" in ways, survivor_will_call=will_call,
        needs=answers.get("needs", ""), language=language)


def refused_record(*, ip: str | None, why: str) -> None:
    """A submission refused as automated (honeypot, forged or missing start time): counted, audited."""
    attempt_record(ip=ip, outcome=SubmissionOutcome.TRAP)
    audit.record(AuditAction.DENY, object_type="public.self_referral", outcome="deny", reason=why)


@transaction.atomic
def held_decide(*, actor, held: HeldSelfReferral, release: bool) -> HeldSelfReferral:
    """A partnership admin releases a held self-referral into its inbox, or deletes its answers."""
    if not access.may(actor, public_perms.REVIEW_HELD):
        audit.deny(obj=held, reason="lacks public.review_held")
        raise PermissionDenied(public_perms.REVIEW_HELD)
    if held.released_at or held.discarded_at:
        raise ValidationError("This self-referral has already been dealt with.")
    now = timezone.now()
    if release and not (held.answers or {}).get("given_name"):
        raise ValidationError("There is nothing to release: delete it instead.")
    if release:
        answers = dict(held.answers)
        language = answers.pop("language", "")
        self_referral_send(service=held.service, answers=answers, language=language)
        held.released_at = now
    else:
        held.discarded_at = now
    held.answers = {}  # what the visitor typed now lives only in the referral, or nowhere
    held.decided_by = actor
    held.save()
    audit.record(AuditAction.UPDATE, obj=held, detail={"released": release})
    return held


@transaction.atomic
def help_text_publish(*, actor, section: str, language: str, title: str, body: str) -> HelpText:
    """Publish a new version of a help section in one language; the public sees it at once."""
    if not access.may(actor, public_perms.EDIT_HELP):
        audit.deny(object_type="public.helptext", reason="lacks public.edit_help")
        raise PermissionDenied(public_perms.EDIT_HELP)
    errors = {}
    if section not in HelpSection.values:
        errors["section"] = "Choose a section."
    if language not in dict(settings.LANGUAGES):
        errors["language"] = "Choose a language."
    if not title.strip():
        errors["title"] = "Enter a heading."
    if not body.strip():
        errors["body"] = "Enter the text."
    if errors:
        raise ValidationError(errors)
    text = HelpText.objects.create(section=section, language=language, title=title.strip(), body=body.strip(),
                                   published_by=actor)
    audit.record(AuditAction.CREATE, obj=text, detail={"section": section, "language": language})
    return text
