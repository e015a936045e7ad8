"""Demo stories 2 and 3 (first half): Liz Walker's Dash checklist scoring 15, and her children
Mia and Leo, pupils at Hanley Park Primary, whose school the periodic check notified the evening of
each incident they were present at, before the next school day (the first acknowledged, the latest
waiting).

Everything is made through the risk services, as the demo users, so it is audited.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

from django.utils import timezone

from hearth.people.models import Incident, Person
from hearth.platform import context
from hearth.risk import services
from hearth.risk.models import Assessment, RiskToolVersion, SchoolNotification

# Fifteen "yes" answers of the 24; the rest "no" or "not known".
LIZ_YES = ["injury", "frightened", "fears", "isolated", "separation", "child_contact", "stalking",
           "more_often", "getting_worse", "control", "threats_to_kill", "strangulation", "money", "substances",
           "breaches"]
LIZ_NOT_KNOWN = ["animals", "criminal_history"]


@contextmanager
def acting(user, agency):
    membership = user.memberships.get(agency=agency)
    with context.acting_as(user, membership):
        user.membership = membership
        yield user


def next_school_day(day):
    """The next weekday after ``day`` (the demo ignores school holidays)."""
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _at(day, hour, minute=0):
    return timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time())) + timedelta(
        hours=hour, minutes=minute)


def walker_family() -> dict[str, Person]:
    # The demo world made these (world._load_people): the police records of the family.
    def one(given):
        everyone = Person.objects  # nosemgrep: hearth-case-query-not-through-visible-to
        return everyone.filter(given_name=given, family_name="Walker",
                               owner_agency__slug="stoke-north-hub").order_by("pk").first()

    return {"liz": one("Elizabeth"), "mia": one("Mia"), "leo": one("Leo"), "dean": one("Dean")}


def liz_incidents(liz: Person) -> list[Incident]:
    return list(Incident.objects.filter(involvements__person=liz).distinct().order_by("occurred_on"))


def load(*, agencies, users) -> dict[str, int]:
    family = walker_family()
    liz = family["liz"]
    if liz is None or Assessment.objects.filter(person=liz).exists():
        return {}
    services.tools_load_shipped()
    incidents = liz_incidents(liz)
    first, latest = incidents[0], incidents[-1]
    police = users["police.officer"]
    dash = RiskToolVersion.objects.get(tool__slug="safelives-dash", is_current=True)
    answers = {q["id"]: "yes" if q["id"] in LIZ_YES else ("not_known" if q["id"] in LIZ_NOT_KNOWN else "no")
               for q in dash.questions}
    with acting(police, agencies["stoke-north-hub"]):
        draft = services.assessment_save_draft(
            actor=police, person=liz, tool_version=dash, mode="with_survivor",
            assessed_on=first.occurred_on + timedelta(days=1), answers=answers,
            fears_most="That he finds out where we are staying and takes the children. He said he would.",
            answer_sources="")
        services.assessment_submit(actor=police, assessment=draft)
        school = agencies["hanley-park-primary"]
        needs = {
            "mia": "Quiet and withdrawn since the move; worried about her mum. Would benefit from a trusted adult "
                   "at school and a place to go at break times.",
            "leo": "Reception class. Wetting again since the incident; needs a calm start to the day.",
        }
        for key in ("mia", "leo"):
            services.child_profile_save(actor=police, child=family[key], school=school, needs=needs[key])
    # Operation Encompass: nobody sends these by hand. The periodic check (run_periodic, every few
    # minutes) told the school the evening of each incident, in the name of the officer who
    # recorded it, so the safeguarding lead had it before the next school day.
    for incident in (first, latest):
        services.school_notifications_send_due(on=incident.occurred_on)
        SchoolNotification.objects.filter(incident=incident).update(sent_at=_at(incident.occurred_on, 21))
    # The first were acknowledged at the start of the next school day; the latest are still waiting.
    lead = users["school.lead"]
    with acting(lead, agencies["hanley-park-primary"]):
        for notification in SchoolNotification.objects.filter(incident=first):
            services.school_acknowledge(actor=lead, notification=notification)
    SchoolNotification.objects.filter(incident=first).update(
        acknowledged_at=_at(next_school_day(first.occurred_on), 8, 20))
    return {"risk_assessments": Assessment.objects.count(), "school_notifications": SchoolNotification.objects.count()}
