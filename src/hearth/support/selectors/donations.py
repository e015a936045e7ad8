"""Reads of appeals and donations, and the thank-you letter."""

from __future__ import annotations

from django.db.models import Count, QuerySet, Sum

from hearth.platform import audit
from hearth.platform.models import AuditAction

from ..models import (
    Appeal,
    Donation,
    DonationLine,
    DonorKind,
    ItemType,
)
from ._common import _agency_id, _get_own


def appeal_list(*, actor) -> QuerySet[Appeal]:
    audit.record(AuditAction.LIST, object_type="support.appeal")
    return Appeal.objects.filter(agency_id=_agency_id(actor)).annotate(donation_count=Count("donations"))


def appeal_get(*, actor, appeal_id) -> Appeal:
    return _get_own(actor, Appeal.objects.all(), appeal_id, "agency_id")


def appeal_progress(appeal: Appeal) -> list[tuple[ItemType, int, int]]:
    """Each target item with its target and how many the appeal's donations brought in."""
    received = dict(DonationLine.objects.filter(donation__appeal=appeal).values("item")
                    .annotate(n=Sum("quantity")).values_list("item", "n"))
    return [(t.item, t.quantity, received.get(t.item_id, 0)) for t in appeal.targets.select_related("item")]


def appeal_donations(appeal: Appeal) -> QuerySet[Donation]:
    """The donations given to an appeal (its page)."""
    return appeal.donations.select_related("store")


def donation_lines(donation: Donation) -> QuerySet[DonationLine]:
    """What a donation brought in, item by item (its page)."""
    return donation.lines.select_related("item")


def donation_list(*, actor) -> QuerySet[Donation]:
    audit.record(AuditAction.LIST, object_type="support.donation")
    return Donation.objects.filter(agency_id=_agency_id(actor)).select_related("appeal", "store")


def donation_get(*, actor, donation_id) -> Donation:
    return _get_own(actor, Donation.objects.select_related("appeal", "store", "agency"), donation_id, "agency_id")


def thank_you_letter(donation: Donation) -> str:
    """A thank-you letter ready to send, in the charity's voice; nothing about any family."""
    if donation.donor_kind == DonorKind.ANONYMOUS:
        return ""
    lines = [f"{line.quantity} × {line.item.name}" for line in donation.lines.select_related("item")]
    gift = []
    if lines:
        gift.append(", ".join(lines))
    if donation.money_amount is not None:
        gift.append(f"£{donation.money_amount:,.2f}")
    appeal = f" to our {donation.appeal.name} appeal" if donation.appeal_id else ""
    collected = f" Thank you too to {donation.collected_by} for bringing it to us." if donation.collected_by else ""
    gift_aid = (" Because you asked us to claim Gift Aid, your gift is worth 25% more to us at no cost to you."
                if donation.gift_aid else "")
    address = f"{donation.donor_address}\n\n" if donation.donor_address else ""
    return (
        f"{address}{donation.received_on:%-d %B %Y}\n\n"
        f"Dear {donation.donor_name},\n\n"
        f"Thank you for your generous donation{appeal}: {' and '.join(gift)}.{collected}\n\n"
        f"Families across Stoke-on-Trent who have had to leave home with very little will have what "
        f"they need sooner because of you. Everything you gave goes straight to local families.{gift_aid}\n\n"
        f"With our thanks,\n\n{donation.agency.name}"
    )
