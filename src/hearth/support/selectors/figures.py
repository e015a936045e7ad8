"""The charity's dashboard: open needs, referral-to-delivery times, stock, appeals, families helped."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Sum
from django.utils import timezone

from hearth.platform import audit
from hearth.platform.models import AuditAction

from ..models import (
    Appeal,
    Delivery,
    DeliveryStatus,
    Donation,
    DonationLine,
    Need,
    NeedStatus,
    NeedUrgency,
)
from ._common import _agency_id
from .stock import StockRow, stock_levels


def _percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (the value at or below which pct% of the values lie)."""
    ordered = sorted(values)
    rank = max(math.ceil(pct / 100 * len(ordered)), 1)
    return ordered[rank - 1]


@dataclass
class Dashboard:
    open_by_urgency: list[tuple[str, int]]
    days_to_delivery: list[float]
    median_days: float | None
    p90_days: float | None
    stock: list[StockRow]
    low_stock: list[StockRow]
    by_appeal: list[tuple[str, int, int]]  # appeal, donations, items
    families_this_month: int
    month: date


def dashboard(*, actor) -> Dashboard:
    """The charity's figures: open needs by urgency, referral-to-delivery times (median, 90th
    percentile), stock, donations by appeal and families helped this month."""
    agency_id = _agency_id(actor)
    counts = dict(Need.objects.filter(case__agency_id=agency_id, status=NeedStatus.OPEN)
                  .values("urgency").annotate(n=Count("pk")).values_list("urgency", "n"))
    open_by_urgency = [(label, counts.get(value, 0)) for value, label in NeedUrgency.choices]
    first_delivered: dict[int, tuple] = {}
    for case_id, referred_at, closed_at in (Delivery.objects.filter(case__agency_id=agency_id,
                                                                     status=DeliveryStatus.DELIVERED)
                                            .values_list("case_id", "case__referred_at", "closed_at")):
        if case_id not in first_delivered or closed_at < first_delivered[case_id][1]:
            first_delivered[case_id] = (referred_at, closed_at)
    days = sorted(round((closed - referred).total_seconds() / 86400, 1)
                  for referred, closed in first_delivered.values())
    stock = stock_levels(actor=actor)
    by_appeal = []
    donations = Donation.objects.filter(agency_id=agency_id)
    for appeal in Appeal.objects.filter(agency_id=agency_id).order_by("-starts_on"):
        mine = donations.filter(appeal=appeal)
        by_appeal.append((appeal.name, mine.count(),
                          DonationLine.objects.filter(donation__in=mine).aggregate(n=Sum("quantity"))["n"] or 0))
    loose = donations.filter(appeal__isnull=True)
    if loose.exists():
        by_appeal.append(("Not part of an appeal", loose.count(),
                          DonationLine.objects.filter(donation__in=loose).aggregate(n=Sum("quantity"))["n"] or 0))
    today = timezone.localdate()
    month_start = today.replace(day=1)
    families = (Delivery.objects.filter(case__agency_id=agency_id, status=DeliveryStatus.DELIVERED,
                                        closed_at__date__gte=month_start).values("case").distinct().count())
    audit.record(AuditAction.LIST, object_type="support.dashboard")
    return Dashboard(open_by_urgency, days, statistics.median(days) if days else None,
                     _percentile(days, 90) if days else None, stock, [r for r in stock if r.is_low], by_appeal,
                     families, month_start)
