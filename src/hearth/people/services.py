"""Writes to people's records, identities, households and incidents.

Every function takes the acting user, checks the access policy, runs in one transaction
and audits. Audit rows name fields and ids, never the values.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from hearth.platform import access, audit
from hearth.platform.models import AuditAction
from hearth.platform.roles import RelationshipKind

from . import matching
from .models import (
    AbuseType,
    Household,
    HouseholdMember,
    Identity,
    IdentityMerge,
    Incident,
    Involvement,
    InvolvementRole,
    NotSamePerson,
    Person,
    PersonHistory,
)

PERSON_FIELDS = (
    "given_name", "family_name", "aliases", "date_of_birth", "approximate_age", "gender", "language",
    "interpreter_needed", "ethnicity", "disability", "sexual_orientation", "phone", "email",
    "safe_contact", "safe_address", "postcode",
)


def _require(actor, permission: str, obj=None, *, object_type: str = "people.person") -> None:
    access.require(actor, permission, obj, object_type=object_type)


def _clean_values(fields: dict) -> dict:
    values = {}
    for name in PERSON_FIELDS:
        if name in fields:
            value = fields[name]
            values[name] = value.strip() if isinstance(value, str) else value
    return values


@transaction.atomic
def person_create(*, actor, link_to: Person | None = None, **fields) -> Person:
    """Record a new person for the actor's agency, which becomes the record's owner.

    With ``link_to`` (a candidate the matcher found and the user confirmed) the new record
    joins that record's identity: the two agencies' records stay separate, so nothing of
    the other agency's record becomes visible through the link.
    """
    _require(actor, "people.add_person")
    membership = access.acting(actor)
    identity = link_to.identity if link_to is not None else Identity.objects.create()
    person = Person(identity=identity, owner_agency=membership.agency, created_by=actor, **_clean_values(fields))
    if person.date_of_birth and person.date_of_birth > date.today():
        raise ValidationError({"date_of_birth": "Date of birth must be in the past."})
    person.full_clean()
    person.save()
    access.grant_relationship(agency=membership.agency, obj=person, kind=RelationshipKind.OWNER,
                              source="recorded the person")
    matching.blocking_keys_store(person)
    audit.record(AuditAction.CREATE, obj=person, detail={
        "fields": sorted(k for k, v in _clean_values(fields).items() if v not in ("", None, False)),
        "linked_to_identity": identity.pk if link_to is not None else None,
    })
    return person


@transaction.atomic
def person_update(*, actor, person: Person, **fields) -> Person:
    """Change a record the actor's agency owns, keeping the earlier values (encrypted).

    Only parts the actor may see can be changed: a field of any other part (a sealed address,
    say) is refused before it is compared, so the answer tells nothing about its value.
    """
    _require(actor, "people.change_person", person)
    values = _clean_values(fields)
    hidden = sorted(name for name in values if Person.FIELD_PARTS[name] not in access.parts_for(actor, person))
    if hidden:
        audit.deny(obj=person, reason="change of parts not shown", detail={"fields": hidden})
        raise PermissionDenied("people.change_person")
    previous = {name: getattr(person, name) for name in values if getattr(person, name) != values[name]}
    if not previous:
        return person
    for name, value in values.items():
        setattr(person, name, value)
    person.full_clean()
    person.save()
    PersonHistory.objects.create(person=person, changed_by=actor, previous={
        k: (v.isoformat() if isinstance(v, date) else v) for k, v in previous.items()})
    matching.blocking_keys_store(person)
    audit.record(AuditAction.UPDATE, obj=person, detail={"changed": sorted(previous)})
    return person


@transaction.atomic
def identity_link(*, actor, person: Person, other: Person) -> IdentityMerge | None:
    """Confirm two records are the same person: join their identities (undoable)."""
    _require(actor, "people.link_person", person)
    if person.identity_id == other.identity_id:
        return None
    if NotSamePerson.objects.filter(person_a__in=[person, other], person_b__in=[person, other]).exists():
        raise ValidationError("These records were marked as different people. Remove that mark first.")
    kept, absorbed = person.identity, other.identity
    # nosemgrep: hearth-case-query-not-through-visible-to
    moved = list(Person.objects.filter(identity=absorbed).values_list("pk", flat=True))
    Person.objects.filter(pk__in=moved).update(identity=kept)  # nosemgrep: hearth-case-query-not-through-visible-to
    merge = IdentityMerge.objects.create(kept=kept, absorbed=absorbed, moved_records=moved, merged_by=actor)
    audit.record(AuditAction.UPDATE, obj=person, detail={"identity_merge": merge.pk, "other": other.pk})
    return merge


@transaction.atomic
def identity_merge_undo(*, actor, merge: IdentityMerge) -> None:
    """Split a merged identity back into the two it was made from."""
    if merge.undone_at is not None:
        raise ValidationError("This link has already been undone.")
    # nosemgrep: hearth-case-query-not-through-visible-to
    person = Person.objects.filter(pk__in=merge.moved_records).first()
    _require(actor, "people.link_person", person)
    # nosemgrep: hearth-case-query-not-through-visible-to
    Person.objects.filter(pk__in=merge.moved_records).update(identity=merge.absorbed)
    merge.undone_by, merge.undone_at = actor, timezone.now()
    merge.save()
    audit.record(AuditAction.UPDATE, object_type="people.identitymerge", object_id=merge.pk, detail={"undone": True})


@transaction.atomic
def person_mark_not_same(*, actor, person: Person, other: Person) -> NotSamePerson:
    """Record that two records are different people, and split them if they were linked."""
    _require(actor, "people.link_person", person)
    if person.pk == other.pk:
        raise ValidationError("Choose two different records.")
    a, b = sorted([person, other], key=lambda p: p.pk)
    mark, _ = NotSamePerson.objects.get_or_create(person_a=a, person_b=b, defaults={"decided_by": actor})
    if person.identity_id == other.identity_id:
        other.identity = Identity.objects.create()
        other.save(update_fields=["identity"])
    audit.record(AuditAction.UPDATE, obj=person, detail={"not_same_as": other.pk})
    return mark


@transaction.atomic
def household_create(*, actor, name: str, members: list[tuple[Person, bool]]) -> Household:
    """Record a household of people the actor may see (``(person, is_child)`` pairs)."""
    _require(actor, "people.add_person")
    for person, _ in members:
        _require(actor, "people.view_person", person)
    household = Household.objects.create(name=name.strip(), owner_agency=access.acting(actor).agency)
    HouseholdMember.objects.bulk_create(
        HouseholdMember(household=household, person=p, is_child=child) for p, child in members)
    audit.record(AuditAction.CREATE, obj=household, detail={"members": [p.pk for p, _ in members]})
    return household


@transaction.atomic
def incident_record(*, actor, occurred_on: date, abuse_types: list[str], involvements: list[tuple[Person, str]],
                    place: str = "", children_present: bool = False, police_reference: str = "",
                    summary: str = "") -> Incident:
    """Record an incident and the people in it (each must be visible to the actor)."""
    _require(actor, "people.record_incident", object_type="people.incident")
    if occurred_on > date.today():
        raise ValidationError({"occurred_on": "The date of the incident must be today or in the past."})
    unknown = set(abuse_types) - set(AbuseType.values)
    if unknown or not abuse_types:
        raise ValidationError({"abuse_types": "Choose at least one kind of abuse from the list."})
    roles = [role for _, role in involvements]
    if InvolvementRole.VICTIM not in roles:
        raise ValidationError("Name the person the abuse was against.")
    for person, _role in involvements:
        _require(actor, "people.view_person", person)
    children_present = children_present or InvolvementRole.CHILD_PRESENT in roles
    incident = Incident.objects.create(
        occurred_on=occurred_on, abuse_types=sorted(set(abuse_types)), place=place.strip(),
        children_present=children_present, police_reference=police_reference.strip(), summary=summary.strip(),
        owner_agency=access.acting(actor).agency, recorded_by=actor)
    Involvement.objects.bulk_create(Involvement(incident=incident, person=p, role=r) for p, r in involvements)
    audit.record(AuditAction.CREATE, obj=incident, detail={"people": [p.pk for p, _ in involvements]})
    return incident
