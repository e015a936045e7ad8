"""Reads of people's records, always through the access policy and recorded in the audit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Q, QuerySet
from django.http import Http404

from hearth.platform import access, audit
from hearth.platform.models import AuditAction, RecordSeal, SealScope
from hearth.platform.roles import Part

from . import matching
from .models import HouseholdMember, IdentityMerge, Incident, Involvement, InvolvementRole, Person

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
    if not access.may(actor, "people.see_recognition"):
        return None
    # nosemgrep: hearth-case-query-not-through-visible-to -- counts only
    same = Person.objects.filter(identity_id=person.identity_id)
    own_agency = access.acting(actor).agency_id
    others = same.exclude(owner_agency_id=own_agency).values_list("owner_agency__name", flat=True).distinct()
    result = Recognition(other_agency_count=len(set(others)))
    if access.may(actor, "people.see_other_agencies"):
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
    if access.may(actor, "people.link_person", person):
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
    """A possible earlier record of the person being entered, cut to what the user may see."""

    person_id: int
    probability: float
    band: str
    reasons: list[str]
    visible: bool
    name: str = ""
    date_of_birth: date | None = None
    agency: str = ""


def match_candidates(*, actor, data: dict) -> list[MatchCandidate]:
    """Search before create: ranked candidates with reasons, showing only fields the user may see.

    Records the user cannot open appear without any of their details ("held by another
    agency"), so a link can still be made; perpetrator services see only their own.
    """
    found = matching.candidates_for(matching.record_from_form(data))
    visible = set(Person.objects.visible_to(actor).filter(pk__in=[c.person.pk for c in found])
                  .values_list("pk", flat=True))
    walled = access.acting_role(actor) == "perpetrator_worker"
    candidates = []
    for c in found:
        if c.person.pk in visible:
            parts = access.parts_for(actor, c.person)
            candidates.append(MatchCandidate(c.person.pk, c.probability, c.band, _reasons_shown(c, parts), True,
                                             f"{c.person.given_name} {c.person.family_name}",
                                             c.person.date_of_birth, c.person.owner_agency.name))
        elif not walled and not _restricted(c.person):
            # Only reasons about what the user typed of the person's identity: "address agrees"
            # with a record they cannot open would tell them where someone lives.
            candidates.append(MatchCandidate(c.person.pk, c.probability, c.band,
                                             _reasons_shown(c, frozenset({Part.IDENTITY})), False))
    audit.record(AuditAction.SEARCH, object_type="people.person",
                 detail={"match_candidates": [c.person_id for c in candidates]})
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
