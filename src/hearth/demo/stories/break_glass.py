"""Demo story: an out-of-hours break-glass for the partnership's data-protection officer to review.

Stoke-on-Trent Housing Options has no data-protection officer of its own, so break-glass by
its staff is reviewed by the partnership's (Grace Fenton, at the partnership board). Two
nights ago the housing officer opened New Era's record of Tariq Hussain, who had come to
the housing office out of hours asking for emergency accommodation; the access is over and
waits for review. Made through the break-glass service, as the housing officer, so it is
audited and the reviewer's notice is in her inbox.
"""

from __future__ import annotations

from datetime import timedelta

from hearth.people.models import Person
from hearth.platform import context, grants
from hearth.platform.models import BreakGlassGrant, BreakGlassReason
from hearth.platform.services import break_glass_open


def load(*, agencies, users) -> dict[str, int]:
    officer = users["housing.officer"]
    tariq = Person.objects.filter(given_name="Tariq", family_name="Hussain").first()
    if tariq is None or BreakGlassGrant.objects.filter(user=officer).exists():
        return {"break-glass to review": BreakGlassGrant.objects.filter(reviewed_at__isnull=True).count()}
    membership = officer.memberships.get(agency=agencies["stoke-housing"])
    with context.acting_as(officer, membership):
        officer.membership = membership
        grant = break_glass_open(
            actor=officer, obj=tariq, reason_category=BreakGlassReason.OUT_OF_HOURS,
            reason=("He came to the housing office at 11pm asking for emergency accommodation and says he "
                    "fled violence at home; New Era's office was closed and I needed the risk before placing him."),
            hours=6)
    # Two nights ago, and long over: it opens nothing now, it only waits for review.
    shift = timedelta(days=2)
    grants.break_glass_backdate(grant=grant, by=shift, reason="demo: an emergency two nights ago")
    return {"break-glass to review": BreakGlassGrant.objects.filter(reviewed_at__isnull=True).count()}
