"""Safety plans: each save is a new version; audit rows name sections, never their text."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from hearth.people.models import Person
from hearth.platform import access, audit
from hearth.platform.locks import lock_for_change
from hearth.platform.models import AuditAction
from hearth.platform.roles import Part
from hearth.risk import permissions as risk_perms

from ..models import (
    SafetyPlan,
    SafetyPlanSection,
    SafetyPlanVersion,
)
from ._common import _require, _require_part


@transaction.atomic
def safety_plan_save(*, actor, person: Person, sections: dict, review_on: date) -> SafetyPlanVersion:
    """Write a new version of the actor's agency's plan with this survivor; earlier versions stay."""
    _require(actor, risk_perms.WRITE_SAFETY_PLAN)
    _require_part(actor, person, Part.SAFETY_PLAN)
    clean = {key: (sections.get(key) or "").strip() for key in SafetyPlanSection.values}
    errors = {}
    if not any(clean.values()):
        errors["__all__"] = "Write at least one section of the plan."
    if review_on is None or review_on < timezone.localdate():
        errors["review_on"] = "Enter a review date today or later."
    if errors:
        raise ValidationError(errors)
    membership = access.acting(actor)
    plan, _ = SafetyPlan.objects.get_or_create(person=person, agency=membership.agency)
    # Two workers saving at once get consecutive version numbers, not the same one.
    lock_for_change(plan)
    number = (plan.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = SafetyPlanVersion.objects.create(plan=plan, number=number, sections=clean, review_on=review_on,
                                               written_by=actor)
    audit.record(AuditAction.CREATE, obj=version, detail={
        "plan": plan.pk, "number": number, "sections": sorted(k for k, v in clean.items() if v)})
    return version
