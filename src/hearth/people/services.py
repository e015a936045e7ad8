"""Writes to people's records, identities, households and incidents.

Every function takes the acting user, checks the access policy, runs in one transaction
and audits. Audit rows name fields and ids, never the values.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from hearth.notify.services import notice_send
from hearth.people import permissions as people_perms
from hearth.platform import access, audit, grants
from hearth.platform.models import AuditAction, AuditEvent, User
from hearth.platform.roles import RelationshipKind, Role

from . import matching
from .models import (
    AbuseType,
    Household,
    HouseholdMember,
    Identity,
    IdentityLinkRequest,
    IdentityMerge,
    Incident,
    Involvement,
    InvolvementRole,
    LinkRequestStatus,
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
    _require(actor, people_perms.ADD_PERSON)
    membership = access.acting(actor)
    # A record the actor cannot open is never joined here: its agency is asked (a link request).
    request_to = None
    if link_to is not None and not Person.objects.visible_to(actor).filter(pk=link_to.pk).exists():
        request_to, link_to = link_to, None
    identity = link_to.identity if link_to is not None else Identity.objects.create()
    person = Person(identity=identity, owner_agency=membership.agency, created_by=actor, **_clean_values(fields))
    if person.date_of_birth and person.date_of_birth > date.today():
        raise ValidationError({"date_of_birth": "Date of birth must be in the past."})
    person.full_clean()
    person.save()
    grants.relationship_grant(agency=membership.agency, obj=person, kind=RelationshipKind.OWNER,
                              source="recorded the person")
    matching.blocking_keys_store(person)
    audit.record(AuditAction.CREATE, obj=person, detail={
        "fields": sorted(k for k, v in _clean_values(fields).items() if v not in ("", None, False)),
        "linked_to_identity": identity.pk if link_to is not None else None,
    })
    if request_to is not None:
        identity_link_request_create(actor=actor, new_record=person, target=request_to)
    return person


def _link_answerers(agency_id: int):
    """Members of the holding agency who may answer a link request (people, not partner systems)."""
    return User.objects.filter(
        memberships__agency_id=agency_id, memberships__is_active=True,
        memberships__role__in=people_perms.LINKING_ROLES, is_active=True,
    ).exclude(password__startswith=UNUSABLE_PASSWORD_PREFIX).distinct()


@transaction.atomic
def identity_link_request_create(*, actor, new_record: Person, target: Person) -> IdentityLinkRequest:
    """Ask the agency holding ``target`` (a record the actor cannot open) to confirm that the
    actor's ``new_record`` is the same person. Nothing is linked until they confirm; their
    members who answer link requests get a notice naming only their own record."""
    _require(actor, people_perms.LINK_PERSON, new_record)
    if target.owner_agency_id == new_record.owner_agency_id:
        raise ValidationError("Both records are your agency's: link them directly.")
    request, created = IdentityLinkRequest.objects.get_or_create(
        new_record=new_record, target=target, status=LinkRequestStatus.PENDING,
        defaults={"requesting_agency": access.acting(actor).agency, "requested_by": actor})
    if not created:
        return request
    audit.record(AuditAction.CREATE, obj=request, detail={"new_record": new_record.pk, "target": target.pk})
    for member in _link_answerers(target.owner_agency_id):
        notice_send(recipient=member, subject="A request to link one of your records", body=(
            f"{request.requesting_agency.name} asked to link a record of theirs to your agency's record "
            f"Person {target.pk}: the name and date of birth they typed agree with it. Nothing is shared "
            "until your agency confirms. Confirm or decline it under People, Link requests."))
    return request


def _decide(*, actor, link_request: IdentityLinkRequest) -> IdentityLinkRequest:
    """The request, locked, if it is still pending and the actor's agency holds its target."""
    # Locked: a confirm and a decline racing each other have one winner; the other is told.
    locked = IdentityLinkRequest.objects.select_for_update().select_related("target", "new_record").get(
        pk=link_request.pk)
    _require(actor, people_perms.LINK_PERSON, locked.target)
    if locked.target.owner_agency_id != access.acting(actor).agency_id:
        audit.deny(obj=locked, reason="not the holding agency")
        raise PermissionDenied(people_perms.LINK_PERSON)
    if locked.status != LinkRequestStatus.PENDING:
        raise ValidationError(f"This link request was already {locked.get_status_display().lower()}.")
    return locked


@transaction.atomic
def identity_link_request_confirm(*, actor, link_request: IdentityLinkRequest) -> IdentityLinkRequest:
    """The holding agency confirms: the two records join one identity (as ``identity_link``,
    undoable from the record's page), and the requester is told."""
    locked = _decide(actor=actor, link_request=link_request)
    merge = identity_link(actor=actor, person=locked.target, other=locked.new_record)
    locked.status, locked.decided_by, locked.decided_at = LinkRequestStatus.CONFIRMED, actor, timezone.now()
    locked.merge = merge
    locked.save(update_fields=["status", "decided_by", "decided_at", "merge"])
    audit.record(AuditAction.UPDATE, obj=locked, detail={"status": locked.status,
                                                          "merge": merge.pk if merge else None})
    notice_send(recipient=locked.requested_by, subject="Your link request was confirmed", body=(
        f"The agency holding the other record confirmed that your record Person {locked.new_record_id} "
        "is the same person. The records are now linked."))
    return locked


@transaction.atomic
def identity_link_request_decline(*, actor, link_request: IdentityLinkRequest, reason: str) -> IdentityLinkRequest:
    """The holding agency declines: the records stay separate. The reason is kept with the
    request for the holding agency; the requester is told only that it was declined."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why you are declining the link (your agency keeps this)."})
    locked = _decide(actor=actor, link_request=link_request)
    locked.status, locked.decided_by, locked.decided_at = LinkRequestStatus.DECLINED, actor, timezone.now()
    locked.reason = reason
    locked.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    audit.record(AuditAction.UPDATE, obj=locked, detail={"status": locked.status})
    notice_send(recipient=locked.requested_by, subject="Your link request was declined", body=(
        f"The agency holding the other record declined to link it to your record Person {locked.new_record_id}. "
        "The records stay separate."))
    return locked


# Search before create, used to probe: many searches by one user and no record made.
PROBING_SEARCHES = 10
PROBING_WINDOW = timedelta(hours=1)


@transaction.atomic
def match_probing_check(*, actor) -> bool:
    """After a search-before-create: if the actor has searched ``PROBING_SEARCHES`` times within
    ``PROBING_WINDOW`` without recording anyone since, tell their agency's data-protection
    officers, once per user per window. Returns whether an alert was raised."""
    # Locked so two searches at once cannot both raise the alert.
    User.objects.select_for_update().filter(pk=actor.pk).first()
    since = timezone.now() - PROBING_WINDOW
    mine = AuditEvent.objects.filter(user_id=actor.pk, object_type="people.person", at__gte=since)
    last_create = mine.filter(action=AuditAction.CREATE).order_by("-at").values_list("at", flat=True).first()
    searches = mine.filter(action=AuditAction.SEARCH, detail__has_key="match_search")
    if last_create is not None:
        searches = searches.filter(at__gt=last_create)
    count = searches.count()
    if count < PROBING_SEARCHES or mine.filter(detail__has_key="probing_alert").exists():
        return False
    membership = access.acting(actor)
    name = actor.get_full_name() or actor.get_username()
    for dpo in User.objects.filter(memberships__agency_id=membership.agency_id, memberships__is_active=True,
                                   memberships__role=Role.DATA_PROTECTION_OFFICER, is_active=True).distinct():
        notice_send(recipient=dpo, subject="Possible probing of the person search", body=(
            f"{name} searched for a person {count} times in the last hour without recording anyone. "
            "What they typed is in your agency's audit (encrypted): review it."))
    audit.record(AuditAction.SEARCH, object_type="people.person", outcome="alert",
                 detail={"probing_alert": True, "searches": count})
    return True


@transaction.atomic
def person_update(*, actor, person: Person, **fields) -> Person:
    """Change a record the actor's agency owns, keeping the earlier values (encrypted).

    Only parts the actor may see can be changed: a field of any other part (a sealed address,
    say) is refused before it is compared, so the answer tells nothing about its value.
    """
    _require(actor, people_perms.CHANGE_PERSON, person)
    values = _clean_values(fields)
    hidden = sorted(name for name in values if Person.FIELD_PARTS[name] not in access.parts_for(actor, person))
    if hidden:
        audit.deny(obj=person, reason="change of parts not shown", detail={"fields": hidden})
        raise PermissionDenied(people_perms.CHANGE_PERSON)
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
    _require(actor, people_perms.LINK_PERSON, person)
    if person.identity_id == other.identity_id:
        return None
    if NotSamePerson.objects.filter(person_a__in=[person, other], person_b__in=[person, other]).exists():
        raise ValidationError("These records were marked as different people. Remove that mark first.")
    kept, absorbed = person.identity, other.identity
    # Every record of the absorbed identity moves, whichever agency holds it: a write, nothing shown.
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
    # The moved records may be held elsewhere: the permission is checked on one of them just below.
    # nosemgrep: hearth-case-query-not-through-visible-to
    person = Person.objects.filter(pk__in=merge.moved_records).first()
    _require(actor, people_perms.LINK_PERSON, person)
    # Every moved record goes back, whichever agency holds it: a write, nothing shown.
    # nosemgrep: hearth-case-query-not-through-visible-to
    Person.objects.filter(pk__in=merge.moved_records).update(identity=merge.absorbed)
    merge.undone_by, merge.undone_at = actor, timezone.now()
    merge.save()
    audit.record(AuditAction.UPDATE, object_type="people.identitymerge", object_id=merge.pk, detail={"undone": True})


@transaction.atomic
def person_mark_not_same(*, actor, person: Person, other: Person) -> NotSamePerson:
    """Record that two records are different people, and split them if they were linked."""
    _require(actor, people_perms.LINK_PERSON, person)
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
    _require(actor, people_perms.ADD_PERSON)
    for person, _ in members:
        _require(actor, people_perms.VIEW_PERSON, person)
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
    _require(actor, people_perms.RECORD_INCIDENT, object_type="people.incident")
    if occurred_on > date.today():
        raise ValidationError({"occurred_on": "The date of the incident must be today or in the past."})
    unknown = set(abuse_types) - set(AbuseType.values)
    if unknown or not abuse_types:
        raise ValidationError({"abuse_types": "Choose at least one kind of abuse from the list."})
    roles = [role for _, role in involvements]
    if InvolvementRole.VICTIM not in roles:
        raise ValidationError("Name the person the abuse was against.")
    for person, _role in involvements:
        _require(actor, people_perms.VIEW_PERSON, person)
    children_present = children_present or InvolvementRole.CHILD_PRESENT in roles
    incident = Incident.objects.create(
        occurred_on=occurred_on, abuse_types=sorted(set(abuse_types)), place=place.strip(),
        children_present=children_present, police_reference=police_reference.strip(), summary=summary.strip(),
        owner_agency=access.acting(actor).agency, recorded_by=actor)
    Involvement.objects.bulk_create(Involvement(incident=incident, person=p, role=r) for p, r in involvements)
    audit.record(AuditAction.CREATE, obj=incident, detail={"people": [p.pk for p, _ in involvements]})
    return incident
