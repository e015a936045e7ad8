"""Appeals and donations: what the public is asked for, and what it gives."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from hearth.platform import audit
from hearth.platform.locks import lock_for_change
from hearth.platform.models import AuditAction
from hearth.support import permissions as support_perms

from ..models import (
    Appeal,
    AppealTarget,
    Donation,
    DonationLine,
    DonorKind,
    ItemType,
    MovementKind,
    Store,
)
from ._common import _agency_id, _own, _require
from .ledger import _locked_line, _move


@transaction.atomic
def appeal_create(*, actor, name: str, starts_on: date, ends_on: date, description: str = "",
                  targets: list[tuple[ItemType, int]] = ()) -> Appeal:
    """Start an appeal for particular donations between two dates."""
    _require(actor, support_perms.RECORD_DONATIONS)
    errors = {}
    if not name.strip():
        errors["name"] = "Enter the appeal's name, for example Winter coats 2026."
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = "The end date must be on or after the start date."
    for item, quantity in targets:
        if item.agency_id != _agency_id(actor):
            errors["targets"] = "Choose items from your own catalogue."
        elif not isinstance(quantity, int) or quantity <= 0:
            errors["targets"] = "Each target needs a number of 1 or more."
    if errors:
        raise ValidationError(errors)
    appeal = Appeal.objects.create(agency_id=_agency_id(actor), name=name.strip(), description=description.strip(),
                                   starts_on=starts_on, ends_on=ends_on, created_by=actor)
    for item, quantity in targets:
        AppealTarget.objects.create(appeal=appeal, item=item, quantity=quantity)
    audit.record(AuditAction.CREATE, obj=appeal, detail={"targets": len(targets)})
    return appeal


@transaction.atomic
def donation_record(*, actor, donor_kind: str, received_on: date, store: Store, lines: list[tuple[ItemType, int]],
                    donor_name: str = "", donor_address: str = "", collected_by: str = "", appeal=None,
                    money_amount: Decimal | None = None, gift_aid: bool = False) -> Donation:
    """Record a donation: who gave it, who brought it in, where it went; its items join the ledger.

    Gift Aid applies only to money given by a member of the public (a business or an
    anonymous donor cannot make a Gift Aid declaration).
    """
    _require(actor, support_perms.RECORD_DONATIONS)
    _own(actor, store, store.agency_id)
    errors: dict[str, str] = {}
    if donor_kind not in DonorKind.values:
        errors["donor_kind"] = "Choose who gave the donation."
    elif donor_kind != DonorKind.ANONYMOUS and not donor_name.strip():
        errors["donor_name"] = "Enter the donor's name, or choose anonymous."
    if received_on and received_on > timezone.localdate():
        errors["received_on"] = "The date received must be today or in the past."
    if appeal is not None and appeal.agency_id != store.agency_id:
        errors["appeal"] = "Choose one of your own appeals."
    if money_amount is not None and money_amount <= 0:
        errors["money_amount"] = "Enter an amount more than £0, or leave it blank."
    if gift_aid and (money_amount is None or donor_kind != DonorKind.PERSON):
        errors["gift_aid"] = "Gift Aid is only for money given by a member of the public."
    if not lines and money_amount is None:
        errors["lines"] = "Enter at least one item, or an amount of money."
    for item, quantity in lines:
        if item.agency_id != store.agency_id:
            errors["lines"] = "Choose items from your own catalogue."
        elif not isinstance(quantity, int) or quantity <= 0:
            errors["lines"] = "Each item needs a number of 1 or more."
    if errors:
        raise ValidationError(errors)
    anonymous = donor_kind == DonorKind.ANONYMOUS
    donation = Donation.objects.create(
        agency_id=store.agency_id, appeal=appeal, donor_kind=donor_kind,
        donor_name="" if anonymous else donor_name.strip(), donor_address="" if anonymous else donor_address.strip(),
        received_on=received_on, collected_by=collected_by.strip(), store=store, money_amount=money_amount,
        gift_aid=gift_aid, recorded_by=actor)
    for item, quantity in lines:
        DonationLine.objects.create(donation=donation, item=item, quantity=quantity)
        _move(actor=actor, line=_locked_line(store, item), kind=MovementKind.RECEIVED, quantity=quantity,
              donation=donation)
    audit.record(AuditAction.CREATE, obj=donation, detail={"lines": len(lines), "money": money_amount is not None})
    return donation


@transaction.atomic
def donation_mark_thanked(*, actor, donation: Donation) -> Donation:
    """Record that the thank-you letter went out."""
    _require(actor, support_perms.RECORD_DONATIONS)
    _own(actor, donation, donation.agency_id)
    if donation.donor_kind == DonorKind.ANONYMOUS:
        raise ValidationError("An anonymous donor cannot be sent a letter.")
    if donation.thanked_at is None and lock_for_change(donation).thanked_at is None:
        donation.thanked_at = timezone.now()
        donation.save(update_fields=["thanked_at"])
        audit.record(AuditAction.UPDATE, obj=donation, detail={"thanked": True})
    return donation
