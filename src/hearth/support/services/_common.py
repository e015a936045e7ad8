"""Checks every support service makes: the permission, the agency's own records, a whole number."""

from __future__ import annotations

from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError

from hearth.platform import access, audit

_require = partial(access.require, object_type="support")


def _agency_id(actor) -> int:
    return access.acting(actor).agency_id


def _own(actor, obj, agency_id: int) -> None:
    """Refuse (and audit) work on another agency's support records."""
    if agency_id != _agency_id(actor):
        audit.deny(obj=obj, reason="another agency's support record")
        raise PermissionDenied("another agency's support record")


def _positive(quantity, field: str = "quantity") -> int:
    try:
        number = int(quantity)
    except (TypeError, ValueError):
        raise ValidationError({field: "Enter a whole number, like 2."}) from None
    if number != quantity and not isinstance(quantity, str):
        raise ValidationError({field: "Enter a whole number, like 2."})
    if number <= 0:
        raise ValidationError({field: "Enter a number of 1 or more."})
    return number
