"""The catalogue and stores: where an agency keeps its items, and what items it keeps."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from hearth.platform import audit
from hearth.platform.models import AuditAction
from hearth.support import permissions as support_perms

from ..models import (
    Category,
    ItemType,
    Store,
)
from ._common import _agency_id, _require


@transaction.atomic
def store_create(*, actor, name: str) -> Store:
    """Add a store location for the acting agency (names are unique within an agency)."""
    _require(actor, support_perms.MANAGE_STOCK)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Enter the store's name."})
    if Store.objects.filter(agency_id=_agency_id(actor), name__iexact=name).exists():
        raise ValidationError({"name": "There is already a store with this name."})
    store = Store.objects.create(agency_id=_agency_id(actor), name=name)
    audit.record(AuditAction.CREATE, obj=store)
    return store


@transaction.atomic
def item_type_create(*, actor, name: str, category: str, unit: str = "item", low_stock_level: int = 0,
                     has_size: bool = False) -> ItemType:
    """Add an item type to the acting agency's catalogue."""
    _require(actor, support_perms.MANAGE_STOCK)
    errors = {}
    name = name.strip()
    if not name:
        errors["name"] = "Enter the item's name."
    elif ItemType.objects.filter(agency_id=_agency_id(actor), name__iexact=name).exists():
        errors["name"] = "There is already an item with this name in the catalogue."
    if category not in Category.values:
        errors["category"] = "Choose a category."
    if low_stock_level is None or int(low_stock_level) < 0:
        errors["low_stock_level"] = "Enter 0 or more."
    if errors:
        raise ValidationError(errors)
    item = ItemType.objects.create(agency_id=_agency_id(actor), name=name, category=category,
                                   unit=(unit or "item").strip(), low_stock_level=int(low_stock_level),
                                   has_size=has_size)
    audit.record(AuditAction.CREATE, obj=item)
    return item
