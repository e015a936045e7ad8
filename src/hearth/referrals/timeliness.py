"""Response targets: when a referral must be answered by."""

from __future__ import annotations

from datetime import datetime, timedelta

from .models import ResponseTarget, Urgency

DEFAULT_HOURS = {Urgency.ROUTINE: 8, Urgency.URGENT: 4}
WORKDAY_START, WORKDAY_END = 9, 17


def _add_working_hours(start: datetime, hours: int) -> datetime:
    """Add working hours (Monday to Friday, 9 to 5, local time) to a moment."""
    from django.utils import timezone

    moment = timezone.localtime(start)
    remaining = timedelta(hours=hours)
    while remaining > timedelta(0):
        if moment.weekday() >= 5 or moment.hour >= WORKDAY_END:
            moment = (moment + timedelta(days=1)).replace(hour=WORKDAY_START, minute=0, second=0, microsecond=0)
            continue
        if moment.hour < WORKDAY_START:
            moment = moment.replace(hour=WORKDAY_START, minute=0, second=0, microsecond=0)
        end_of_day = moment.replace(hour=WORKDAY_END, minute=0, second=0, microsecond=0)
        step = min(remaining, end_of_day - moment)
        moment += step
        remaining -= step
    return moment


def respond_by(*, agency_id: int, urgency: str, sent_at: datetime) -> datetime:
    """Routine referrals count working hours (default one working day); urgent ones count clock hours."""
    target = ResponseTarget.objects.filter(agency_id=agency_id, urgency=urgency).values_list("hours", flat=True).first()
    hours = target or DEFAULT_HOURS[urgency]
    if urgency == Urgency.URGENT:
        return sent_at + timedelta(hours=hours)
    return _add_working_hours(sent_at, hours)
