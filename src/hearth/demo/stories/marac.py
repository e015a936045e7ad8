"""Demo story 2 (second half): Liz Walker referred to MARAC for visible high risk, listed at a
MARAC with research returns from police, housing and children's services, actions owned by
agencies and named people, an IDVA allocated, a safety plan written with her, and the new
incident four months later that makes her a repeat. Earlier meetings give the coordinator's
dashboard a year of volume.

Everything is made through the MARAC and risk services, as the demo users, so it is audited.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from hearth.marac import services
from hearth.marac.models import (
    ActionStatus,
    ActionUpdate,
    MaracAction,
    MaracMeeting,
    MaracReferral,
    RepeatFlag,
    ResearchReturn,
)
from hearth.people.models import Person
from hearth.risk import services as risk_services
from hearth.risk.models import Allocation

from .risk import acting, liz_incidents, walker_family

ATTENDING = ["stoke-north-hub", "new-era-victims", "stoke-housing", "stoke-childrens"]
CHAIR = "DCI Rachel Bould, Staffordshire Police"

LIZ_RETURNS = {
    "police.officer": ("stoke-north-hub",
                       "Two domestic abuse call-outs to the family home in Burslem in the last two years, the latest "
                       "with the children present. Dean Walker has a previous conviction for assault (2019) and is "
                       "on police bail with a condition not to contact her."),
    "housing.officer": ("stoke-housing",
                        "Placed in temporary accommodation after leaving the family home. Housing register "
                        "application open; she has asked for a move away from Burslem."),
    "social.worker": ("stoke-childrens",
                      "Both children known since the first incident: child and family assessment started. "
                      "No child protection plan. School attendance good."),
}
LIZ_ACTIONS = [
    # (agency slug, owner, description, days after the meeting, closed?)
    ("new-era-victims", "Sadia Akhtar",
     "Write a safety plan with her and support an application for a non-molestation order.", 14, True),
    ("stoke-north-hub", "PC Hannah Whitmore",
     "Mark her temporary address for an urgent police response and review Dean Walker's bail conditions.", 7, True),
    ("stoke-housing", "Bogdan Popescu",
     "Arrange sanctuary measures (door and window locks) at the temporary address.", 21, False),
    ("stoke-childrens", "Imran Qureshi",
     "Complete the child and family assessment for Mia and Leo and share the outcome with the school.", 28, False),
]
SAFETY_PLAN = {
    "emergency": "999 in an emergency; if I can't speak, 55 when asked. Code word with my sister: 'Did you feed "
                 "the cat?' means call the police.",
    "safe_places": "The library on Bethesda Street; my friend Kerry's house; the school office at drop-off.",
    "escape_bag": "At Kerry's: copies of birth certificates, bank card, spare keys, phone charger, the children's "
                  "medicines, a change of clothes.",
    "children": "Mia knows how to call 999 and to go to next door. School has the list of who may collect them: "
                "not their father.",
    "technology": "New phone and number; location sharing off; passwords changed; no photos on social media "
                  "that show where we are.",
    "work_school": "Different route to school each day; the school knows to call me if anyone else asks for them.",
    "legal": "Bail condition: no contact. Non-molestation order applied for with the IDVA's help.",
    "safe_contact": "Texts are fine in school hours; no voicemails.",
}


def _at(day):
    return timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time())) + timedelta(hours=10)


def _liz_marac(agencies, users, liz, dean, incidents) -> None:
    police, coordinator, idva = users["police.officer"], users["marac.coordinator"], users["idva"]
    first = incidents[0]
    referred_on = first.occurred_on + timedelta(days=2)
    with acting(police, agencies["stoke-north-hub"]):
        referral = services.marac_referral_create(actor=police, person=liz, perpetrator=dean, victim_knows=True,
                                                  victim_consents=True, referred_on=referred_on,
                                                  note="Dash completed with her the day after the incident.")
    held_on = referred_on + timedelta(days=12)
    with acting(coordinator, agencies["stoke-marac"]):
        meeting = services.meeting_create(actor=coordinator, held_on=held_on, chair=CHAIR,
                                          agencies=[agencies[slug] for slug in ATTENDING])
        case = services.meeting_case_add(actor=coordinator, meeting=meeting, referral=referral)
        services.meeting_publish_agenda(actor=coordinator, meeting=meeting)
        idva_membership = idva.memberships.get(agency=agencies["new-era-victims"])
        risk_services.allocation_create(actor=coordinator, person=liz, worker_membership=idva_membership)
    for username, (slug, summary) in LIZ_RETURNS.items():
        with acting(users[username], agencies[slug]):
            services.research_return_save(actor=users[username], case=case, holds_nothing=False, summary=summary)
    with acting(coordinator, agencies["stoke-marac"]):
        services.meeting_minute(
            actor=coordinator, meeting=meeting,
            minute="Quorate: police, New Era, housing and children's services. One case heard.",
            case_minutes={case.pk: "Visible high risk (Dash 15). Escalating control and threats to kill; strangulation "
                                   "disclosed. IDVA to represent her. Actions agreed below."})
        actions = []
        for slug, owner, text, days, _closed in LIZ_ACTIONS:
            actions.append(services.action_create(actor=coordinator, case=case, description=text,
                                                  owner_agency=agencies[slug], owner_name=owner,
                                                  due_on=held_on + timedelta(days=days)))
    for action, (slug, _owner, _text, _days, closed) in zip(actions, LIZ_ACTIONS, strict=True):
        owner_user = {"new-era-victims": idva, "stoke-north-hub": police,
                      "stoke-housing": users["housing.officer"], "stoke-childrens": users["social.worker"]}[slug]
        with acting(owner_user, agencies[slug]):
            if closed:
                services.action_update(actor=owner_user, action=action, status=ActionStatus.CLOSED, note="Done.")
            elif slug == "stoke-housing":
                services.action_update(actor=owner_user, action=action, status=ActionStatus.IN_PROGRESS,
                                       note="Locksmith booked.")
    # The story happened months ago: date the returns, follow-ups and allocation as they were.
    ResearchReturn.objects.filter(case=case).update(entered_at=_at(held_on - timedelta(days=3)))
    for action in actions:
        ActionUpdate.objects.filter(action=action).update(at=_at(action.due_on - timedelta(days=2)))
        MaracAction.objects.filter(pk=action.pk, status=ActionStatus.CLOSED).update(
            closed_at=_at(action.due_on - timedelta(days=2)))
    Allocation.objects.filter(person=liz).update(allocated_on=held_on)
    MaracMeeting.objects.filter(pk=meeting.pk).update(agenda_published_at=_at(referred_on + timedelta(days=1)))
    with acting(idva, agencies["new-era-victims"]):
        risk_services.safety_plan_save(actor=idva, person=liz, sections=SAFETY_PLAN,
                                       review_on=timezone.localdate() + timedelta(days=28))


def _volume(agencies, users) -> None:
    """Earlier monthly MARACs (about a year), so the coordinator's figures have something to show."""
    police, coordinator = users["police.officer"], users["marac.coordinator"]
    rng = random.Random(2005)  # noqa: S311 - demo data, not security
    today = timezone.localdate()
    # People the police recorded in the volume (not the Walker family or story people).
    everyone = Person.objects  # nosemgrep: hearth-case-query-not-through-visible-to
    people = list(everyone.filter(owner_agency__slug="stoke-north-hub", gender="woman")
                  .exclude(family_name__in=["Walker", "Bibi"]).order_by("pk")[:18])
    for month in range(11, 5, -1):
        held_on = today - timedelta(days=30 * month)
        batch, people = people[:3], people[3:]
        if not batch:
            break
        with acting(police, agencies["stoke-north-hub"]):
            referrals = [services.marac_referral_create(
                actor=police, person=person, referred_on=held_on - timedelta(days=10),
                judgement_reason="Escalating coercive control reported by the survivor.") for person in batch]
        with acting(coordinator, agencies["stoke-marac"]):
            meeting = services.meeting_create(actor=coordinator, held_on=held_on, chair=CHAIR,
                                              agencies=[agencies[slug] for slug in ATTENDING])
            actions = []
            for referral in referrals:
                case = services.meeting_case_add(actor=coordinator, meeting=meeting, referral=referral)
                actions.append(services.action_create(
                    actor=coordinator, case=case, owner_agency=agencies["stoke-north-hub"],
                    owner_name="PC Hannah Whitmore", due_on=held_on + timedelta(days=14),
                    description="Check for any further call-outs and update the IDVA."))
            services.meeting_publish_agenda(actor=coordinator, meeting=meeting)
            services.meeting_minute(actor=coordinator, meeting=meeting, minute="Quorate.", case_minutes={})
        # Most actions were done on time; a few are still open (the coordinator's overdue list).
        with acting(police, agencies["stoke-north-hub"]):
            for action in actions:
                if rng.random() < 0.8:
                    services.action_update(actor=police, action=action, status=ActionStatus.CLOSED,
                                           note="No further call-outs; IDVA updated.")
        # One in three comes back within the year: the repeat rate near the national figure.
        if rng.random() < 0.4 and people:
            with acting(police, agencies["stoke-north-hub"]):
                services.marac_referral_create(actor=police, person=batch[0], referred_on=held_on + timedelta(days=40),
                                               judgement_reason="New incident reported to the police.")


def load(*, agencies, users) -> dict[str, int]:
    if MaracMeeting.objects.exists():
        return {}
    family = walker_family()
    if family["liz"] is None:
        return {}
    _volume(agencies, users)
    _liz_marac(agencies, users, family["liz"], family["dean"], liz_incidents(family["liz"]))
    # The periodic check found Liz's new incident within the year of her referral (and any other
    # repeats in the volume), flagged it and told the coordinator. It runs every few minutes,
    # so date each flag the day of its incident, as it was.
    for flag in services.repeats_flag():
        found = timezone.make_aware(timezone.datetime.combine(flag.incident_on, timezone.datetime.min.time()))
        RepeatFlag.objects.filter(pk=flag.pk).update(found_at=min(found + timedelta(hours=23), timezone.now()))
    return {"marac_meetings": MaracMeeting.objects.count(), "marac_referrals": MaracReferral.objects.count(),
            "marac_repeat_flags": RepeatFlag.objects.count()}
