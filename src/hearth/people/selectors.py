"""Reads of people's records, always through the access policy and recorded in the audit."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.crypto import salted_hmac

from hearth.people import permissions as people_perms
from hearth.platform import access, audit, crypto
from hearth.platform.models import AuditAction, RecordSeal, SealScope
from hearth.platform.roles import Part, Role

from . import matching
from .linkage import LINK
from .models import (
    HouseholdMember,
    IdentityLinkRequest,
    IdentityMerge,
    Incident,
    Involvement,
    InvolvementRole,
    LinkRequestStatus,
    Person,
)

REPEAT_WINDOW = timedelta(days=365)


def person_list(*, actor, query: str = "") -> QuerySet[Person]:
    """People the actor may see, optionally searched by name or alias; searches are audited."""
    people = Person.objects.visible_to(actor)
    query = query.strip()
    if query:
        for word in query.split()[:4]:
            people = people.filter(Q(given_name__icontains=word) | Q(family_name__icontains=word)
                                   | Q(aliases__icontains=word))
        audit.record(AuditAction.SEARCH, object_type="people.person", detail={"query_length": len(query)})
    else:
        audit.record(AuditAction.LIST, object_type="people.person")
    return people


@dataclass
class Recognition:
    """What the partnership knows of this person beyond this record, as far as the user may know."""

    repeat_victim: bool = False
    serial_perpetrator: bool = False
    other_agencies: list[str] = field(default_factory=list)
    other_agency_count: int = 0
    other_incidents_12_months: int = 0


@dataclass
class PersonView:
    """A person's record cut down to the parts this user may see."""

    person: Person
    parts: frozenset[str]
    incidents: list[Incident] = field(default_factory=list)
    household: list[dict] = field(default_factory=list)
    recognition: Recognition | None = None
    links: list[IdentityMerge] = field(default_factory=list)
    same_person_records: list[Person] = field(default_factory=list)

    def shows(self, part: str) -> bool:
        return part in self.parts

    @property
    def fields(self) -> dict[str, object]:
        return {name: getattr(self.person, name) for name, part in Person.FIELD_PARTS.items() if part in self.parts}


def _age(born: date | None) -> int | None:
    if born is None:
        return None
    today = date.today()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _household(actor, person: Person, parts: frozenset[str]) -> list[dict]:
    """Household members: names where the user may see them, otherwise only adult/child and age."""
    if Part.HOUSEHOLD not in parts:
        return []
    members = list(HouseholdMember.objects.filter(household__members__person=person, left_on__isnull=True)
                   .exclude(person=person).select_related("person").distinct())
    # Only the members are asked about, not every person the user can see.
    visible = set(Person.objects.visible_to(actor).filter(pk__in=[m.person_id for m in members])
                  .values_list("pk", flat=True))
    rows = []
    for member in members:
        named = member.person.pk in visible and (Part.CHILDREN in parts or not member.is_child)
        rows.append({
            "is_child": member.is_child,
            "age": _age(member.person.date_of_birth) if member.is_child else None,
            "name": f"{member.person.given_name} {member.person.family_name}" if named else "",
            "person_id": member.person.pk if named else None,
        })
    return rows


def _recognition(actor, person: Person, incidents_seen: list[Incident]) -> Recognition | None:
    if not access.may(actor, people_perms.SEE_RECOGNITION):
        return None
    # nosemgrep: hearth-case-query-not-through-visible-to -- counts only
    same = Person.objects.filter(identity_id=person.identity_id)
    own_agency = access.acting(actor).agency_id
    others = same.exclude(owner_agency_id=own_agency).values_list("owner_agency__name", flat=True).distinct()
    result = Recognition(other_agency_count=len(set(others)))
    if access.may(actor, people_perms.SEE_OTHER_AGENCIES):
        result.other_agencies = sorted(set(others))
    as_victim = (Involvement.objects.filter(person__identity_id=person.identity_id, role=InvolvementRole.VICTIM)
                 .values_list("incident__occurred_on", flat=True).order_by("incident__occurred_on"))
    dates = list(as_victim)
    result.repeat_victim = any(b - a <= REPEAT_WINDOW for a, b in zip(dates, dates[1:], strict=False))
    victims = (Involvement.objects.filter(
        role=InvolvementRole.VICTIM, incident__involvements__role=InvolvementRole.ALLEGED_PERPETRATOR,
        incident__involvements__person__identity_id=person.identity_id)
        .values_list("person__identity_id", flat=True).distinct())
    result.serial_perpetrator = len(set(victims)) >= 2
    seen = {i.pk for i in incidents_seen}
    cutoff = date.today() - REPEAT_WINDOW
    result.other_incidents_12_months = (
        Incident.objects.filter(involvements__person__identity_id=person.identity_id, occurred_on__gte=cutoff)
        .exclude(pk__in=seen).distinct().count())
    return result


def person_get(*, actor, person_id) -> PersonView:
    """One person the actor may see (else a 404), with the parts they may see. Audited."""
    person = access.get_visible_or_404(actor, Person.objects.select_related("identity"), pk=person_id)
    parts = access.parts_for(actor, person)
    view = PersonView(person=person, parts=parts)
    if Part.INCIDENTS in parts:
        visible = Person.objects.visible_to(actor).filter(identity_id=person.identity_id)
        view.incidents = list(Incident.objects.filter(involvements__person__in=visible)
                              .distinct().prefetch_related("involvements__person"))
    view.household = _household(actor, person, parts)
    view.recognition = _recognition(actor, person, view.incidents)
    view.same_person_records = list(
        Person.objects.visible_to(actor).filter(identity_id=person.identity_id).exclude(pk=person.pk)
        .select_related("owner_agency"))
    if access.may(actor, people_perms.LINK_PERSON, person):
        view.links = list(IdentityMerge.objects.filter(kept_id=person.identity_id, undone_at__isnull=True))
    return view


def person_for_change(*, actor, person_id, shown: frozenset[str]) -> tuple[Person, frozenset[str]]:
    """A record to change, and the parts of it the actor may see (else a 404).

    ``shown`` is what the change form can show; the read's audit row lists exactly the parts of
    those the actor gets, which are all the form renders.
    """
    person = access.get_visible_or_404(actor, Person.objects.all(), shown=shown, pk=person_id)
    return person, access.parts_for(actor, person) & shown


@dataclass
class MatchCandidate:
    """A possible earlier record of the person being entered, cut to what the user may see.

    ``choice`` is what the page's radio button carries: a visible record's id, or for a record
    held elsewhere an opaque token (``held_elsewhere_token``) that names no record.
    """

    person_id: int | None
    probability: float | None
    band: str
    reasons: list[str]
    visible: bool
    name: str = ""
    date_of_birth: date | None = None
    agency: str = ""
    choice: str = ""
    # The record a "held elsewhere" choice stands for: never rendered (templates cannot read "_").
    _target: int | None = field(default=None, repr=False)

    @property
    def target_id(self) -> int | None:
        return self.person_id if self.visible else self._target


# Typed fields a search records (encrypted) in its audit row.
SEARCHED_FIELDS = ("given_name", "family_name", "aliases", "date_of_birth", "phone", "email", "postcode",
                   "safe_address")


def _comparable_fields(actor, ids: list[int]) -> dict[int, tuple[str, ...]]:
    """For each record the actor may open, the matcher fields of the parts they may see of it."""
    people = Person.objects.visible_to(actor).in_bulk(ids)
    return {pk: tuple(name for part in access.parts_for(actor, person)
                      for name in matching.FIELDS_OF_PART.get(part, ()))
            for pk, person in people.items()}


def visible_match_candidates(*, actor, record: matching.Record, limit: int = 10) -> list[matching.Candidate]:
    """Candidates among the records the actor may open, each scored only on the parts the actor
    may see of it: records they cannot open neither appear nor crowd these out."""
    return matching.candidates_for(record, limit=limit, among=Person.objects.visible_to(actor).values("pk"),
                                   comparable=lambda ids: _comparable_fields(actor, ids))


def held_elsewhere_token(*, actor, data: dict, person_id: int) -> str:
    """An opaque value standing for a record the user cannot open, for this user and this typed
    name and date of birth only. A keyed hash rather than a signed value: ``signing`` output
    carries its payload readable, and this must not reveal the record's id. The same search
    by the same user gives the same token, so the page does not change between searches."""
    typed = "|".join(str(data.get(name) or "").strip().lower() for name in ("given_name", "family_name",
                                                                            "date_of_birth"))
    value = f"{actor.pk}|{access.acting(actor).agency_id}|{typed}|{person_id}"
    return "held-" + salted_hmac("hearth.people.held_elsewhere", value, algorithm="sha256").hexdigest()[:32]


def _held_elsewhere(*, actor, data: dict, visible_ids: set[int], visible_identities: set[int]) -> list[MatchCandidate]:
    """Records the user cannot open whose name and date of birth, on their own, agree with what
    was typed: only those two are compared (the user typed them and may compare them), so a
    changed address, postcode or phone on such a record changes nothing on the page."""
    if not data.get("date_of_birth"):
        return []
    typed = matching.only_fields(matching.record_from_form(data), matching.IDENTITY_FIELDS)
    offered, identities = [], set(visible_identities)
    for c in matching.candidates_for(typed, limit=10):
        if c.band != LINK or c.person.pk in visible_ids or c.person.identity_id in identities:
            continue
        if _restricted(c.person):
            continue
        # One line per identity: how many records another agency holds is not the user's to know.
        identities.add(c.person.identity_id)
        offered.append(MatchCandidate(None, None, "", [], False, choice=held_elsewhere_token(
            actor=actor, data=data, person_id=c.person.pk), _target=c.person.pk))
    return offered


def match_candidates(*, actor, data: dict) -> list[MatchCandidate]:
    """Search before create: the records the typed details may match, as far as the user may know.

    Records the user may open come ranked with a score and reasons, computed only on the parts
    of each they may see. A record they cannot open is offered only as "a record with matching
    name and date of birth is held elsewhere": no score, no reasons, no id, no agency; choosing
    it asks its agency to confirm the link. Perpetrator services are offered only their own.
    The search is audited with what was typed, encrypted.
    """
    record = matching.record_from_form(data)
    candidates = []
    for c in visible_match_candidates(actor=actor, record=record):
        parts = access.parts_for(actor, c.person)
        candidates.append(MatchCandidate(c.person.pk, c.probability, c.band, _reasons_shown(c, parts), True,
                                         f"{c.person.given_name} {c.person.family_name}",
                                         c.person.date_of_birth, c.person.owner_agency.name, choice=str(c.person.pk)))
    if access.acting_role(actor) != Role.PERPETRATOR_WORKER:
        visible_ids = {c.person_id for c in candidates}
        # nosemgrep: hearth-case-query-not-through-visible-to -- identities of records already shown
        identities = set(Person.objects.filter(pk__in=visible_ids).values_list("identity_id", flat=True))
        candidates += _held_elsewhere(actor=actor, data=data, visible_ids=visible_ids, visible_identities=identities)
    searched = {name: (data.get(name).isoformat() if isinstance(data.get(name), date) else data.get(name) or "")
                for name in SEARCHED_FIELDS}
    audit.record(AuditAction.SEARCH, object_type="people.person", detail={
        "match_search": crypto.encrypt(json.dumps(searched, sort_keys=True)),
        "match_candidates": [c.target_id for c in candidates]})
    return candidates


# Which part of a record each matcher field belongs to (see Person.FIELD_PARTS).
REASON_PARTS = {
    "given_name": Part.IDENTITY, "surname": Part.IDENTITY, "date_of_birth": Part.IDENTITY,
    "address": Part.SAFE_ADDRESS, "postcode": Part.SAFE_ADDRESS, "locality": Part.SAFE_ADDRESS,
    "phone": Part.CONTACT, "email": Part.CONTACT,
}


def _reasons_shown(candidate: matching.Candidate, parts: frozenset[str]) -> list[str]:
    if not candidate.reason_fields:
        return list(candidate.reasons) if Part.IDENTITY in parts else []
    return [text for name, text in candidate.reason_fields if REASON_PARTS.get(name) in parts]


def _restricted(person: Person) -> bool:
    return RecordSeal.objects.filter(content_type__app_label="people", content_type__model="person",
                                     object_id=person.pk, scope=SealScope.RECORD, lifted_at__isnull=True).exists()


def person_for_break_glass(*, actor, person_id) -> Person | None:
    """The record a break-glass request names, or None when there is none break-glass may open.

    A missing record and a restricted one both give None, each audited as a deny (the
    restricted record's owner is told of the attempt), so callers can answer them alike.
    """
    try:
        # Break-glass is for records outside the agency's relationships, so this lookup
        # cannot start from visible_to; restricted records are refused just below.
        person = Person.objects.get(pk=int(person_id))  # nosemgrep: hearth-case-query-not-through-visible-to
    except (Person.DoesNotExist, ValueError, TypeError):
        audit.deny(object_type="people.person", object_id=str(person_id)[:64], reason="break-glass")
        return None
    if _restricted(person):
        access.refuse(actor, Person, {"pk": person.pk}, reason="break-glass refused: restricted record")
        return None
    return person


def match_target(candidate: MatchCandidate) -> Person | None:
    """The record a match the user chose stands for, to link the new record to.

    The user may not be able to open it: such a record is not linked here, the service makes
    a link request to the agency that holds it. Nothing of it is shown.
    """
    # nosemgrep: hearth-case-query-not-through-visible-to -- a record held elsewhere, never shown (see above)
    return Person.objects.filter(pk=candidate.target_id).first()


def incident_others(*, actor, person: Person) -> tuple[QuerySet[Person], QuerySet[Person]]:
    """Who else may be named in an incident with this person: the records the actor may see
    besides theirs, and of those the children (to name as present)."""
    others = Person.objects.visible_to(actor).exclude(pk=person.pk)
    return others, others.filter(households__is_child=True).distinct()


def colleagues(*, actor):
    """Active members of the acting agency besides the actor (whom a record may be restricted to)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(
        memberships__agency=access.acting(actor).agency, memberships__is_active=True,
    ).exclude(pk=actor.pk)


def merge_get(*, actor, merge_id) -> IdentityMerge:
    try:
        merge = IdentityMerge.objects.get(pk=int(merge_id), undone_at__isnull=True)
    except (IdentityMerge.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    # The user must be able to see at least one of the linked records.
    if not Person.objects.visible_to(actor).filter(identity_id=merge.kept_id).exists():
        audit.deny(object_type="people.identitymerge", object_id=str(merge.pk))
        raise Http404
    return merge


def link_request_list(*, actor) -> QuerySet[IdentityLinkRequest]:
    """Pending requests to link another agency's new record to a record the acting agency holds
    (and the user may open), oldest first. Audited as a list."""
    audit.record(AuditAction.LIST, object_type="people.identitylinkrequest")
    return (IdentityLinkRequest.objects.visible_to(actor).filter(status=LinkRequestStatus.PENDING)
            .select_related("target", "requesting_agency", "requested_by"))


def link_request_get(*, actor, link_request_id) -> IdentityLinkRequest:
    """One link request the acting agency may answer (it holds the target record), else a 404."""
    return access.get_visible_or_404(actor, IdentityLinkRequest.objects.select_related("target", "new_record"),
                                     pk=link_request_id)


def link_requests_waiting(*, actor, person: Person) -> int:
    """How many link requests to this record wait for the acting agency's answer (for its page)."""
    return IdentityLinkRequest.objects.visible_to(actor).filter(target=person,
                                                                status=LinkRequestStatus.PENDING).count()
