"""Checks every risk service makes: the permission, and the part of the person's record it needs."""

from __future__ import annotations

from functools import partial

from django.core.exceptions import PermissionDenied

from hearth.people.models import Person
from hearth.platform import access, audit

from .. import selectors

_require = partial(access.require, object_type="risk")


def _require_part(actor, person: Person, part: str) -> frozenset[str]:
    parts = selectors.risk_parts(actor, person)
    if part not in parts:
        audit.deny(obj=person, reason=f"no {part} for this person")
        raise PermissionDenied(part)
    return parts
