"""Writes of the api app: agency tokens, and referrals arriving from partner systems."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from hearth.api import permissions as api_perms
from hearth.people.models import Person
from hearth.people.services import person_create
from hearth.platform import access, audit, context, crypto
from hearth.platform.models import Agency, AuditAction, Membership, User
from hearth.platform.roles import AgencyKind, Role
from hearth.referrals import services as referral_services
from hearth.referrals.models import Referral, Source

from .models import ApiToken, Scope

TOKEN_START = "hearth_"  # noqa: S105 - the public start of every token, not a secret
# A partner system acts in the role its agency's staff have when they make referrals.
ROLE_FOR_KIND = {
    AgencyKind.POLICE: Role.POLICE_OFFICER,
    AgencyKind.DA_SERVICE: Role.DA_CASEWORKER,
    AgencyKind.CHARITY: Role.CHARITY_WORKER,
    AgencyKind.HOUSING: Role.HOUSING_OFFICER,
    AgencyKind.REFUGE: Role.HOUSING_OFFICER,
    AgencyKind.COUNCIL: Role.HOUSING_OFFICER,
    AgencyKind.CHILDRENS_SERVICES: Role.CHILDRENS_SOCIAL_WORKER,
    AgencyKind.PERPETRATOR_SERVICE: Role.PERPETRATOR_WORKER,
}
# Idempotency keys from the API live beside the web form's keys: keep them apart.
IDEMPOTENCY_PREFIX = "api:"


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass
class NewToken:
    token: ApiToken
    raw: str  # shown once, never stored


@transaction.atomic
def token_create(*, actor, name: str, scopes: list[str], agency: Agency | None = None) -> NewToken:
    """Make a token for a partner system of the actor's agency (agency admins only).

    ``agency`` is for the management command (no actor); otherwise it is the actor's own.
    The raw token is returned once and only its hash is stored.
    """
    if actor is not None:
        if not access.may(actor, api_perms.MANAGE_TOKENS):
            audit.deny(object_type="api.apitoken", reason="lacks api.manage_tokens")
            raise PermissionDenied(api_perms.MANAGE_TOKENS)
        agency = access.acting(actor).agency
    errors = {}
    if not name.strip():
        errors["name"] = "Enter the name of the system that will use the token."
    if not scopes or set(scopes) - set(Scope.values):
        errors["scopes"] = "Choose what the system may do."
    if agency is None or agency.kind not in ROLE_FOR_KIND:
        errors["name"] = "Only agencies that send referrals can have partner-system tokens."
    elif not agency.is_onboarded:
        errors["name"] = f"{agency.name} is not onboarded yet."
    if errors:
        raise ValidationError(errors)
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(32)}"
    # A reserved (.invalid) address: emails are unique, and this one never receives mail.
    account = User(username=f"partner-system-{prefix}", email=f"partner-system-{prefix}@hearth.invalid",
                   first_name="Partner system", last_name=name.strip()[:150])
    # The account can never sign in to the web pages: it only acts behind its token.
    account.set_unusable_password()
    account.save()
    membership = Membership.objects.create(user=account, agency=agency, role=ROLE_FOR_KIND[agency.kind])
    token = ApiToken.objects.create(agency=agency, name=name.strip(), prefix=prefix, token_hash=token_digest(raw),
                                    scopes=sorted(set(scopes)), membership=membership, created_by=actor)
    audit.record(AuditAction.CREATE, obj=token, detail={"scopes": token.scopes, "agency": agency.pk},
                 user=actor, membership=access.acting(actor) if actor else None)
    return NewToken(token, raw)


@transaction.atomic
def token_revoke(*, actor, token: ApiToken) -> ApiToken:
    """Stop a token working at once (agency admins of its agency, or the command with no actor)."""
    if actor is not None and not (access.may(actor, api_perms.MANAGE_TOKENS)
                                  and access.acting(actor).agency_id == token.agency_id):
        audit.deny(obj=token, reason="lacks api.manage_tokens")
        raise PermissionDenied(api_perms.MANAGE_TOKENS)
    if token.revoked_at is None:
        token.revoked_at, token.revoked_by = timezone.now(), actor
        token.save(update_fields=["revoked_at", "revoked_by"])
        Membership.objects.filter(pk=token.membership_id).update(is_active=False)
        audit.record(AuditAction.UPDATE, obj=token, detail={"revoked": True})
    return token


def token_authenticate(raw: str) -> ApiToken | None:
    """The live token for a presented string, or None. Sets the request's acting account."""
    parts = raw.split("_")
    if not raw.startswith(TOKEN_START) or len(parts) < 3:
        return None
    token = ApiToken.objects.live().select_related("membership__user", "membership__agency", "agency").filter(
        prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.token_hash, token_digest(raw)):
        return None
    account = token.membership.user
    account.membership = token.membership
    ctx = context.current()
    ctx.user, ctx.membership = account, token.membership
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        # At most once a minute: a busy partner system should not write on every call.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


class Duplicate(Exception):
    """An open referral of the same person to the same agency already exists."""

    def __init__(self, referral: Referral):
        super().__init__(referral.to_agency.name)
        self.referral = referral


class IdempotencyConflict(Exception):
    """The Idempotency-Key was used before for a different request."""


def person_match_or_create(*, actor, person: dict, shared_parts=()) -> tuple[Person, str]:
    """The record a partner system's ``person`` stands for: search before create, as staff do.

    The matcher (``people.matching``) scores the typed details against every record. A
    confident match ("link" band) that the actor's agency may see, and whose visible parts
    cover what the partner asks to share, is reused: nothing typed overwrites it. Anything
    else (no match, only a possible match, or a match to a record the agency cannot see)
    makes a new record of the agency's own, never linked to a record it cannot see, so a
    partner system learns nothing about records beyond its agency. Returns the person and
    how it was found ("matched" or "new").
    """
    from hearth.people import matching
    from hearth.people.selectors import visible_match_candidates

    # Only records the agency may open are candidates, each scored on the parts it may see of
    # them: records beyond the agency neither match nor crowd out those it may see.
    found = [c for c in visible_match_candidates(actor=actor, record=matching.record_from_form(person))
             if c.band == "link"]
    wanted = set(shared_parts)
    # The agency's own records first, then others it may see; best score first within each.
    ranked = sorted(found, key=lambda c: (c.person.owner_agency_id != access.acting(actor).agency_id,
                                          -c.probability))
    for candidate in ranked:
        if wanted <= access.parts_for(actor, candidate.person):
            audit.record(AuditAction.SEARCH, object_type="people.person",
                         detail={"api_match": candidate.person.pk, "band": candidate.band})
            return candidate.person, "matched"
    audit.record(AuditAction.SEARCH, object_type="people.person", detail={"api_match": None})
    return person_create(actor=actor, **person), "new"


def partner_referral_create(*, actor, token: ApiToken, person_id: int | None, **request) -> tuple[Referral, bool]:
    """Create and send a referral from a partner system: the same rules as a member of staff.

    The receiver is ``to_agency`` or a directory service (``to_service``), as on the staff
    form. The person is one the agency can already see (``person_id``), or ``person`` (names
    and optional date of birth, phone, postcode): matched first (``person_match_or_create``),
    so a confident match the agency may see is reused, otherwise a new record owned by the
    agency. Returns the referral and whether it was created now (False: a replay of the same
    Idempotency-Key). One transaction: a refused referral leaves no new person behind, and
    the refusal itself is audited after that transaction is undone.
    """
    try:
        return _partner_referral_create(actor=actor, token=token, person_id=person_id, **request)
    except Duplicate as duplicate:
        audit.record(AuditAction.CREATE, object_type="referrals.referral", outcome="deny",
                     reason="an open referral of this person to this agency exists",
                     detail={"duplicate_of": duplicate.referral.pk})
        raise
    except _NotVisible:
        # Never confirm that someone else's record exists: the same answer as for no record.
        audit.deny(object_type="people.person", object_id=str(person_id)[:64], reason="not visible to the agency")
        raise ValidationError({"person_id": "There is no person with this id that your agency can see."}) from None


class _NotVisible(Exception):
    """The person_id names no record the agency may see."""


@transaction.atomic
def _partner_referral_create(*, actor, token: ApiToken, to_agency: Agency | None = None, person_id: int | None,
                             person: dict | None, idempotency_key: str = "", allow_duplicate: bool = False,
                             consent_taken_on: date | None = None, to_service=None, request_fingerprint: str = "",
                             **fields) -> tuple[Referral, bool]:
    key = f"{IDEMPOTENCY_PREFIX}{idempotency_key}" if idempotency_key else ""
    if key:
        existing = Referral.objects.filter(from_agency=token.agency, idempotency_key=key).first()
        if existing is not None:
            if existing.idempotency_fingerprint:
                # Any difference in the body (another person, receiver or reason) is another request.
                if existing.idempotency_fingerprint != request_fingerprint:
                    raise IdempotencyConflict
            else:  # a referral made before fingerprints were kept
                other_receiver = (existing.to_service_id != to_service.pk if to_service is not None
                                  else existing.to_agency_id != to_agency.pk or existing.to_service_id is not None)
                if other_receiver or (person_id and existing.person_id != person_id):
                    raise IdempotencyConflict
            audit.record(AuditAction.VIEW, obj=existing, detail={"idempotent_replay": True})
            return existing, False
    if person_id is not None:
        subject = Person.objects.visible_to(actor).filter(pk=person_id).first()
        if subject is None:
            raise _NotVisible
    elif person:
        subject, _found = person_match_or_create(actor=actor, person=person,
                                                 shared_parts=fields.get("shared_parts", ()))
    else:
        raise ValidationError({"person": "Give the person: person_id of a record your agency holds, or person."})
    referral = referral_services.referral_create(actor=actor, request=referral_services.ReferralRequest(
        person=subject, to_agency=to_agency, to_service=to_service, source=Source.PARTNER_API,
        idempotency_key=key, consent_taken_on=consent_taken_on, **fields))
    if key and (getattr(referral, "replayed", False) or referral.person_id != subject.pk):
        # The same key arrived twice at once and the other request won: keep its referral and
        # undo this request's new person, so a retry leaves exactly one of each. (With a
        # matched person both requests name the same record: ``replayed`` tells them apart.)
        transaction.set_rollback(True)
        return referral, False
    # Checked after every other rule, so a partner hears about bad input first; raising
    # here undoes the referral just made (one transaction).
    duplicate = referral_services.duplicate_open_referral(actor=actor, person=subject, to_agency=referral.to_agency,
                                                          exclude_pk=referral.pk)
    if duplicate is not None and not allow_duplicate:
        raise Duplicate(duplicate)
    if key and request_fingerprint:
        Referral.objects.filter(pk=referral.pk).update(idempotency_fingerprint=request_fingerprint)
    return referral, True


def request_fingerprint(body) -> str:
    """A keyed hash of a request body (keys sorted), to tell a retry from another request under
    the same Idempotency-Key without keeping the body itself."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return crypto.blind_index(canonical, purpose="idempotency")
