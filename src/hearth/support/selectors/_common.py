"""What every support read shares: the acting agency's own records (a 404 otherwise), and
names as far as the reader may see them.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from hearth.people import selectors as people_selectors
from hearth.people.models import Person
from hearth.platform import access, audit
from hearth.platform.models import AuditAction
from hearth.platform.roles import Part


def _agency_id(actor) -> int:
    return access.acting(actor).agency_id


def _get_own(actor, queryset: QuerySet, pk, agency_lookup: str):
    """One of the acting agency's support records (else a 404 that confirms nothing). Audited."""
    try:
        obj = queryset.filter(**{agency_lookup: _agency_id(actor)}).get(pk=int(pk))
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        audit.deny(object_type=queryset.model._meta.label_lower, object_id=str(pk)[:64], reason="no access")
        raise Http404 from None
    audit.record(AuditAction.VIEW, obj=obj)
    return obj


def _person_view(actor, person_id: int):
    """The person's record as far as the user may see it now (audited), or None without a 404."""
    if not Person.objects.visible_to(actor).filter(pk=person_id).exists():
        return None
    return people_selectors.person_get(actor=actor, person_id=person_id)


def _label(view, *, first_name_only: bool = False) -> str:
    if view is None or Part.IDENTITY not in view.parts:
        return "Name not shown"
    return view.person.given_name if first_name_only else f"{view.person.given_name} {view.person.family_name}"


def _person_label(actor, person_id: int, *, first_name_only: bool = False) -> str:
    """The person's name as far as the user may see it now (identity part), else a placeholder."""
    return _label(_person_view(actor, person_id), first_name_only=first_name_only)
