"""Support cases and needs: a family's household, and what each member of it needs."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum

from hearth.people import selectors as people_selectors
from hearth.platform import audit
from hearth.platform.locks import lock_for_change
from hearth.platform.models import AuditAction
from hearth.referrals.models import Status as ReferralStatus
from hearth.support import permissions as support_perms

from ..models import (
    AllocationStatus,
    ItemType,
    Need,
    NeedStatus,
    NeedUrgency,
    SupportCase,
)
from ._common import _agency_id, _own, _positive, _require

# Referrals a support case may be opened from: accepted and not yet closed.
OPENABLE_REFERRAL_STATUSES = (ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS)


@transaction.atomic
def case_open(*, actor, referral) -> SupportCase:
    """Open (or return the already open) support case for an accepted referral to this agency.

    The household's shape comes from what the people app lets this worker see: the number
    of adults and the children's ages, never the children's names.
    """
    _require(actor, support_perms.VIEW_NEEDS)
    if referral.to_agency_id != _agency_id(actor):
        audit.deny(obj=referral, reason="support case for another agency's referral")
        raise PermissionDenied("not this agency's referral")
    # Two workers opening it at once: the second waits here, then finds the first one's case.
    lock_for_change(referral)
    existing = SupportCase.objects.filter(referral_id=referral.pk).first()
    if existing is not None:
        return existing
    if referral.status not in OPENABLE_REFERRAL_STATUSES:
        raise ValidationError("Only an accepted referral can become a support case: accept it first.")
    adults, ages = 1, []
    view = people_selectors.person_get(actor=actor, person_id=referral.person_id)
    for member in view.household:
        if member["is_child"]:
            if member["age"] is not None:
                ages.append(member["age"])
        else:
            adults += 1
    case = SupportCase.objects.create(agency_id=referral.to_agency_id, referral=referral, person_id=referral.person_id,
                                      referred_at=referral.sent_at or referral.created_at, adults=adults,
                                      children_ages=sorted(ages, reverse=True), opened_by=actor)
    audit.record(AuditAction.CREATE, obj=case, detail={"referral": referral.pk})
    return case


@transaction.atomic
def case_household_set(*, actor, case: SupportCase, adults: int, children_ages: list[int]) -> SupportCase:
    """Correct the household's shape (adults, children's ages) that drives suggestions."""
    _require(actor, support_perms.VIEW_NEEDS)
    _own(actor, case, case.agency_id)
    if not isinstance(adults, int) or adults < 1 or adults > 10:
        raise ValidationError({"adults": "Enter the number of adults, from 1 to 10."})
    if any(not isinstance(a, int) or a < 0 or a > 17 for a in children_ages):
        raise ValidationError({"children_ages": "Enter each child's age from 0 to 17, separated by commas."})
    case.adults, case.children_ages = adults, sorted(children_ages, reverse=True)
    case.save(update_fields=["adults", "children_ages"])
    audit.record(AuditAction.UPDATE, obj=case, detail={"fields": ["adults", "children_ages"]})
    return case


@dataclass(frozen=True)
class Suggestion:
    member: str
    item: ItemType
    quantity: int
    size: str
    urgency: str

    @property
    def key(self) -> str:
        return f"{self.item.pk}|{self.member}|{self.size}"


# What a family that left with little usually needs, by who they are (names in the catalogue).
def _suggested_names(case: SupportCase) -> list[tuple[str, str, int, str, str]]:
    rows = []
    adult_labels = [c for c in case.member_choices() if c.startswith("Adult")]
    for label in adult_labels:
        rows += [(label, "Single bed", 1, "", NeedUrgency.TODAY), (label, "Bedding set (single)", 1, "",
                                                                    NeedUrgency.TODAY)]
    for age in case.children_ages:
        label = f"Child aged {age}"
        if age < 2:
            rows += [(label, "Cot", 1, "", NeedUrgency.TODAY), (label, "Cot bedding", 1, "", NeedUrgency.TODAY),
                     (label, "Baby essentials pack", 1, "", NeedUrgency.TODAY)]
        else:
            rows += [(label, "Single bed", 1, "", NeedUrgency.TODAY),
                     (label, "Bedding set (single)", 1, "", NeedUrgency.TODAY)]
        if 4 <= age <= 16:
            rows.append((label, "School uniform", 1, f"age {age}–{age + 1}", NeedUrgency.THIS_WEEK))
        if age >= 2:
            rows.append((label, "Clothes bundle", 1, f"age {age}–{age + 1}", NeedUrgency.THIS_WEEK))
    rows += [("Whole household", "Cooker", 1, "", NeedUrgency.THIS_WEEK),
             ("Whole household", "Toiletries pack", 1, "", NeedUrgency.TODAY)]
    return rows


def case_suggestions(case: SupportCase) -> list[Suggestion]:
    """Needs the household's shape suggests (bed and bedding per person, a cot under 2,
    uniform from 4 to 16), for items in the catalogue and not already recorded."""
    catalogue = {i.name: i for i in ItemType.objects.filter(agency_id=case.agency_id, is_active=True)}
    recorded = set(case.needs.exclude(status=NeedStatus.CANCELLED).values_list("item__name", "member"))
    found = []
    for member, name, quantity, size, urgency in _suggested_names(case):
        if name in catalogue and (name, member) not in recorded:
            found.append(Suggestion(member, catalogue[name], quantity, size, urgency))
    return found


@transaction.atomic
def need_add(*, actor, case: SupportCase, member: str, item: ItemType, quantity: int, size: str = "",
             urgency: str = NeedUrgency.THIS_WEEK, notes: str = "") -> Need:
    """Record one need of one household member."""
    _require(actor, support_perms.VIEW_NEEDS)
    _own(actor, case, case.agency_id)
    errors = {}
    if case.closed_at is not None:
        raise ValidationError("This support case is closed.")
    if member not in case.member_choices():
        errors["member"] = "Choose who in the household it is for."
    if item is None or item.agency_id != case.agency_id:
        errors["item"] = "Choose an item from your catalogue."
    try:
        quantity = _positive(quantity)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if urgency not in NeedUrgency.values:
        errors["urgency"] = "Choose how soon it is needed."
    if item is not None and item.has_size and not size.strip():
        errors["size"] = f"Enter the size or age for {item.name}."
    if errors:
        raise ValidationError(errors)
    need = Need.objects.create(case=case, member=member, item=item, quantity=quantity, size=size.strip(),
                               urgency=urgency, notes=notes.strip(), created_by=actor)
    audit.record(AuditAction.CREATE, obj=need, detail={"item": item.pk, "quantity": quantity})
    return need


@transaction.atomic
def needs_add_suggested(*, actor, case: SupportCase, keys: list[str]) -> list[Need]:
    """Record the suggestions the worker ticked (by their keys)."""
    by_key = {s.key: s for s in case_suggestions(case)}
    chosen = [by_key[k] for k in keys if k in by_key]
    if not chosen:
        raise ValidationError({"suggestions": "Tick at least one suggested need."})
    return [need_add(actor=actor, case=case, member=s.member, item=s.item, quantity=s.quantity, size=s.size,
                     urgency=s.urgency) for s in chosen]


def need_outstanding(need: Need) -> int:
    """How many of a need are not yet reserved or delivered."""
    covered = need.allocations.exclude(status=AllocationStatus.RELEASED).aggregate(n=Sum("quantity"))["n"] or 0
    return max(need.quantity - covered, 0)
