from datetime import datetime
from zoneinfo import ZoneInfo

from hearth.referrals.timeliness import _add_working_hours

LONDON = ZoneInfo("Europe/London")


def test_a_friday_afternoon_referral_is_due_on_monday_afternoon():
    friday = datetime(2026, 11, 20, 15, 0, tzinfo=LONDON)
    due = _add_working_hours(friday, 8)
    assert due == datetime(2026, 11, 23, 15, 0, tzinfo=LONDON)


def test_an_evening_referral_counts_from_the_next_morning():
    tuesday_evening = datetime(2026, 11, 17, 20, 0, tzinfo=LONDON)
    assert _add_working_hours(tuesday_evening, 8) == datetime(2026, 11, 18, 17, 0, tzinfo=LONDON)
