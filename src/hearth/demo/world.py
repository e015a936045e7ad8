"""The demo world. Every person here is fictional."""

from __future__ import annotations

import functools
import hashlib
import hmac
import random
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from hearth.people.models import Person
from hearth.people.services import household_create, incident_record, person_create
from hearth.platform import context, grants
from hearth.platform.models import (
    AccessGrant,
    Agency,
    Membership,
    SealScope,
    Team,
    User,
)
from hearth.platform.roles import AgencyKind, Part, RelationshipKind, Role
from hearth.referrals.services import ReferralRequest, referral_accept, referral_create, referral_decline

# Modules under hearth.demo.stories, each with ``load(*, agencies, users) -> dict[str, int]``,
# loaded in this order after the people (each app adds its own story here).
STORIES: list[str] = [
    "hearth.demo.stories.referrals",
    "hearth.demo.stories.risk",
    "hearth.demo.stories.marac",
    "hearth.demo.stories.directory",
    "hearth.demo.stories.support",
    "hearth.demo.stories.break_glass",
]

DEMO_PASSWORD = "hearth-demo-2026"  # noqa: S105 - printed for newcomers; demo mode only


@functools.cache
def _demo_password_hash() -> str:
    # One argon2 hash (salted once) for every demo user: hashing is slow on purpose, and the demo,
    # reloaded by each browser test, would otherwise spend seconds of every load on it.
    return make_password(DEMO_PASSWORD)

AGENCIES = [
    # slug, name, kind, onboarded, teams
    ("stoke-north-hub", "Staffordshire Police – Stoke North NPT Harm Reduction Hub",
     AgencyKind.POLICE, True, ["Harm Reduction Hub", "PCSO team"]),
    ("stoke-south-npt", "Staffordshire Police – Stoke South NPT", AgencyKind.POLICE, False, []),
    ("alice-charity", "The Alice Charity", AgencyKind.CHARITY, True, ["Family support", "Store and van"]),
    ("new-era-victims", "New Era – victim services", AgencyKind.DA_SERVICE, True, ["IDVA team", "Community outreach"]),
    ("new-era-perpetrators", "New Era – perpetrator services", AgencyKind.PERPETRATOR_SERVICE, True,
     ["Behaviour change"]),
    ("stoke-housing", "Stoke-on-Trent City Council – Housing Options", AgencyKind.HOUSING, True, ["Housing options"]),
    ("potteries-refuge", "Potteries Refuge", AgencyKind.REFUGE, True, ["Refuge team"]),
    ("stoke-childrens", "Stoke-on-Trent Children's Services", AgencyKind.CHILDRENS_SERVICES, True, ["Assessment team"]),
    ("hanley-park-primary", "Hanley Park Primary School", AgencyKind.SCHOOL, True, []),
    ("burslem-fields-primary", "Burslem Fields Primary School", AgencyKind.SCHOOL, True, []),
    ("stoke-marac", "Stoke-on-Trent MARAC", AgencyKind.MARAC, True, []),
    ("da-board", "Stoke-on-Trent Domestic Abuse Partnership Board", AgencyKind.BOARD, True, []),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    memberships: tuple[tuple[str, str, str | None], ...]  # (agency slug, role, team)


USERS = [
    DemoUser("police.officer", "Hannah", "Whitmore", (("stoke-north-hub", Role.POLICE_OFFICER, "Harm Reduction Hub"),)),
    DemoUser("police.admin", "Gareth", "Lowe", (("stoke-north-hub", Role.AGENCY_ADMIN, None),)),
    DemoUser("police.dpo", "Priya", "Sandhu", (("stoke-north-hub", Role.DATA_PROTECTION_OFFICER, None),)),
    DemoUser("charity.worker", "Joanne", "Bloor", (("alice-charity", Role.CHARITY_WORKER, "Family support"),)),
    DemoUser("charity.volunteer", "Dave", "Mountford", (("alice-charity", Role.DELIVERY_VOLUNTEER, "Store and van"),)),
    DemoUser("charity.dpo", "Ruth", "Capewell", (("alice-charity", Role.DATA_PROTECTION_OFFICER, None),)),
    DemoUser("idva", "Sadia", "Akhtar", (("new-era-victims", Role.DA_CASEWORKER, "IDVA team"),
                                          ("stoke-marac", Role.MARAC_COORDINATOR, None))),
    DemoUser("caseworker", "Marta", "Kowalczyk", (("new-era-victims", Role.DA_CASEWORKER, "Community outreach"),)),
    DemoUser("newera.dpo", "Colin", "Birks", (("new-era-victims", Role.DATA_PROTECTION_OFFICER, None),)),
    DemoUser("perpetrator.worker", "Tom", "Hulme",
             (("new-era-perpetrators", Role.PERPETRATOR_WORKER, "Behaviour change"),)),
    DemoUser("housing.officer", "Bogdan", "Popescu", (("stoke-housing", Role.HOUSING_OFFICER, "Housing options"),)),
    DemoUser("refuge.worker", "Lisa", "Plant", (("potteries-refuge", Role.HOUSING_OFFICER, "Refuge team"),)),
    DemoUser("social.worker", "Imran", "Qureshi",
             (("stoke-childrens", Role.CHILDRENS_SOCIAL_WORKER, "Assessment team"),)),
    DemoUser("school.lead", "Claire", "Heath", (("hanley-park-primary", Role.SCHOOL_SAFEGUARDING_LEAD, None),)),
    DemoUser("marac.coordinator", "Andrea", "Salt", (("stoke-marac", Role.MARAC_COORDINATOR, None),)),
    DemoUser("analyst", "Nadia", "Rahman", (("da-board", Role.ANALYST, None),)),
    DemoUser("partnership.admin", "Kevin", "Dale", (("da-board", Role.PARTNERSHIP_ADMIN, None),)),
    # Reviews break-glass by agencies without a data-protection officer of their own.
    DemoUser("partnership.dpo", "Grace", "Fenton", (("da-board", Role.DATA_PROTECTION_OFFICER, None),)),
]


def demo_totp_key(username: str) -> str:
    """A stable TOTP secret per demo user, so `manage.py demo_code` can print codes."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"demo-totp:{username}".encode(), hashlib.sha256)
    return digest.hexdigest()[:40]


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


GIVEN_F = ["Kirsty", "Amy", "Shazia", "Agnieszka", "Ioana", "Gemma", "Nasreen", "Katarzyna",
           "Elena", "Leanne", "Samina", "Joanne", "Zofia", "Andreea", "Rebecca", "Farah"]
GIVEN_M = ["Dean", "Tariq", "Piotr", "Mihai", "Lee", "Imran", "Craig", "Adrian", "Wayne", "Bilal"]
FAMILY = ["Walker", "Hussain", "Nowak", "Popa", "Bennett", "Khan", "Wozniak", "Stan", "Barlow",
          "Ahmed", "Lewandowski", "Dumitru", "Hollins", "Iqbal", "Shenton", "Rogers", "Mahmood"]
POSTCODES = ["ST1 3EA", "ST1 5NP", "ST2 8DD", "ST3 1PB", "ST4 2HU", "ST4 6QQ", "ST5 0DJ", "ST6 2HR", "ST6 5SE"]
STREETS = ["Leek Road", "Waterloo Road", "Victoria Road", "Werrington Road",
           "Uttoxeter Road", "King Street", "Lightwood Road", "Boothen Road", "Moorland Road"]


def _person(actor, membership, **fields) -> Person:
    with context.acting_as(actor, membership):
        actor.membership = membership
        return person_create(actor=actor, **fields)


def _refer(actor, membership, person, to_agency, reasons, parts, **fields):
    with context.acting_as(actor, membership):
        actor.membership = membership
        return referral_create(actor=actor, request=ReferralRequest(person=person, to_agency=to_agency,
                                                                    reasons=reasons, shared_parts=parts, **fields))


def _respond(user, referral, *, accept: bool, reason: str = "", alternative=None):
    membership = user.memberships.get(agency=referral.to_agency)
    with context.acting_as(user, membership):
        user.membership = membership
        if accept:
            referral_accept(actor=user, referral=referral, assigned_to=user)
        else:
            referral_decline(actor=user, referral=referral, reason=reason, suggested_alternative=alternative)


VOLUME_ROUTES = [
    ("alice-charity", ["practical_items"], "charity.worker"),
    ("new-era-victims", ["specialist_support"], "caseworker"),
    ("stoke-housing", ["safe_accommodation"], "housing.officer"),
    ("potteries-refuge", ["safe_accommodation"], "refuge.worker"),
]


def _volume_referral(rng, actor, membership, person, agencies, users):
    """A referral somewhere in the last 18 months, in a realistic mix of states."""
    from hearth.referrals.models import Referral, ReferralEvent
    from hearth.referrals.services import referral_complete

    slug, reasons, receiver = rng.choice([r for r in VOLUME_ROUTES if r[0] != membership.agency.slug])
    referral = _refer(actor, membership, person, agencies[slug], reasons, [Part.IDENTITY, Part.RISK_LEVEL],
                      lawful_basis="consent", consent_taken_on=timezone.localdate() - timedelta(days=1),
                      urgency=rng.choice(["routine", "routine", "urgent"]))
    roll = rng.random()
    if roll < 0.8:
        _respond(users[receiver], referral, accept=roll < 0.65, reason="No capacity this month.")
    if roll < 0.35:
        member = users[receiver].memberships.get(agency=agencies[slug])
        with context.acting_as(users[receiver], member):
            users[receiver].membership = member
            referral_complete(actor=users[receiver], referral=referral, outcome="Support given and closed.")
    # Spread over 18 months so lists and dashboards look like a real year and a half.
    shift = timedelta(days=rng.randint(0, 540), hours=rng.randint(0, 23))
    Referral.objects.filter(pk=referral.pk).update(
        created_at=referral.created_at - shift, sent_at=referral.sent_at - shift,
        respond_by=referral.respond_by - shift)
    for event in ReferralEvent.objects.filter(referral=referral):
        ReferralEvent.objects.filter(pk=event.pk).update(at=event.at - shift)


def _grant(agency, person, kind, parts=()):
    if not AccessGrant.objects.filter(agency=agency, object_id=person.pk, kind=kind,
                                      content_type=ContentType.objects.get_for_model(Person)).exists():
        grants.relationship_grant(agency=agency, obj=person, kind=kind, parts=parts,
                                  source="demo")


@transaction.atomic
def load() -> dict[str, int]:
    """Create (or complete) the demo partnership. Safe to run repeatedly."""
    agencies = {}
    for slug, name, kind, onboarded, teams in AGENCIES:
        agency, _ = Agency.objects.update_or_create(
            slug=slug, defaults={"name": name, "kind": kind, "is_onboarded": onboarded})
        agencies[slug] = agency
        for team in teams:
            Team.objects.get_or_create(agency=agency, name=team)

    users = {}
    for spec in USERS:
        user, created = User.objects.get_or_create(
            username=spec.username,
            defaults={"first_name": spec.first_name, "last_name": spec.last_name,
                      "email": f"{spec.username}@demo.hearth.invalid"},
        )
        if created or not user.has_usable_password():
            user.password = _demo_password_hash()
            user.save()
        users[spec.username] = user
        TOTPDevice.objects.get_or_create(
            user=user, name="Demo authenticator",
            defaults={"key": demo_totp_key(spec.username), "confirmed": True},
        )
        for slug, role, team_name in spec.memberships:
            team = Team.objects.filter(agency=agencies[slug], name=team_name).first() if team_name else None
            Membership.objects.update_or_create(
                user=user, agency=agencies[slug], defaults={"role": role, "team": team})

    counts = {"agencies": len(agencies), "users": len(users)}
    if not Person.objects.exists():
        _load_people(agencies, users)
    # Each later part of the story loads itself, once (every story's ``load`` is idempotent).
    for name in STORIES:
        counts.update(import_module(name).load(agencies=agencies, users=users))
    counts["people"] = Person.objects.count()  # stories add people too (partner API, support)
    return counts


def _load_people(agencies: dict[str, Agency], users: dict[str, User]) -> None:
    """Stories 1, 2, 4, 5, 8 and the volume behind them: people, incidents, referrals."""
    police = users["police.officer"]
    police_m = police.memberships.get(agency=agencies["stoke-north-hub"])
    idva = users["idva"]
    idva_m = idva.memberships.get(agency=agencies["new-era-victims"])
    today = timezone.localdate()

    # Story 1: the mother (known as Liz), her two children and the alleged perpetrator.
    mother = _person(police, police_m, given_name="Elizabeth", family_name="Walker", aliases="Liz",
                     gender="woman", date_of_birth=date(today.year - 34, 3, 14), phone="07700 900431",
                     safe_contact="Text only, weekdays 9am to 3pm while the children are at school.",
                     safe_address="Flat 3, 27 Hartshill Road, Stoke-on-Trent", postcode="ST4 7NH")
    children = [
        _person(police, police_m, given_name="Mia", family_name="Walker", gender="woman",
                date_of_birth=date(today.year - 9, 6, 2), safe_address="Flat 3, 27 Hartshill Road, Stoke-on-Trent",
                postcode="ST4 7NH"),
        _person(police, police_m, given_name="Leo", family_name="Walker", gender="man",
                date_of_birth=date(today.year - 5, 11, 20), safe_address="Flat 3, 27 Hartshill Road, Stoke-on-Trent",
                postcode="ST4 7NH"),
    ]
    father = _person(police, police_m, given_name="Dean", family_name="Walker", gender="man",
                     date_of_birth=date(today.year - 37, 8, 9), phone="07700 900872",
                     safe_address="14 Moorland Road, Burslem, Stoke-on-Trent", postcode="ST6 1DW")
    # Story 5: her adult sister still lives at the old family address: never to be linked to her.
    _person(police, police_m, given_name="Jodie", family_name="Walker", gender="woman",
            date_of_birth=date(today.year - 29, 12, 1), safe_address="14 Moorland Road, Burslem, Stoke-on-Trent",
            postcode="ST6 1DW")
    with context.acting_as(police, police_m):
        police.membership = police_m
        household_create(actor=police, name="Walker family",
                         members=[(mother, False), (children[0], True), (children[1], True)])
        # Story 2: an incident with the children present, and a new one four months later.
        for months_ago, types in ((5, ["physical_sexual", "coercive_controlling"]), (1, ["violent_threatening"])):
            incident_record(
                actor=police, occurred_on=today - timedelta(days=30 * months_ago), abuse_types=types,
                involvements=[(mother, "victim"), (father, "alleged_perpetrator"),
                              (children[0], "child_present"), (children[1], "child_present")],
                police_reference=f"SP-{today.year}-{4100 + months_ago}", place="Moorland Road, Burslem")
        # Dean is also the alleged perpetrator against an earlier partner: a serial perpetrator.
        earlier = _person(police, police_m, given_name="Shazia", family_name="Bibi", gender="woman",
                          date_of_birth=date(today.year - 36, 2, 17))
        incident_record(actor=police, occurred_on=today - timedelta(days=400), abuse_types=["economic"],
                        involvements=[(earlier, "victim"), (father, "alleged_perpetrator")])
    # Story 1: the officer's referrals. The charity and housing accept; New Era's is waiting for a decision.
    consent = {"lawful_basis": "consent", "consent_taken_on": today - timedelta(days=2)}
    alice = _refer(police, police_m, mother, agencies["alice-charity"], ["practical_items"],
                   [Part.IDENTITY, Part.HOUSEHOLD, Part.NEEDS, Part.RISK_LEVEL], children=children,
                   needs="Two single beds and bedding for the children (9 and 5), a cooker, school uniform age 9.",
                   **consent)
    _respond(users["charity.worker"], alice, accept=True)
    _refer(police, police_m, mother, agencies["new-era-victims"], ["specialist_support"],
           [Part.IDENTITY, Part.CONTACT, Part.SAFE_ADDRESS, Part.HOUSEHOLD, Part.CHILDREN, Part.INCIDENTS,
            Part.RISK_LEVEL], children=children, urgency="urgent", risk_level="high", safe_to_call=False,
           text_ok=True, safe_times="Weekdays 9am to 3pm", **consent)
    housing = _refer(police, police_m, mother, agencies["stoke-housing"], ["safe_accommodation"],
                     [Part.IDENTITY, Part.CONTACT, Part.HOUSEHOLD, Part.SAFE_ADDRESS, Part.RISK_LEVEL],
                     share_safe_address=True, **consent)
    _respond(users["housing.officer"], housing, accept=True)
    for child in children:
        referral = _refer(police, police_m, child, agencies["stoke-childrens"], ["childrens_support"],
                          [Part.IDENTITY, Part.CHILDREN, Part.INCIDENTS, Part.RISK_LEVEL],
                          lawful_basis="safeguarding",
                          basis_reason="Children present at domestic abuse incidents: safeguarding duty.")
        _respond(users["social.worker"], referral, accept=True)
    # The perpetrator programme sees Dean, never the family.
    _grant(agencies["new-era-perpetrators"], father, RelationshipKind.REFERRAL, [Part.IDENTITY, Part.PERPETRATOR])

    # Story 4: a self-referral to New Era.
    _person(idva, idva_m, given_name="Tariq", family_name="Hussain",
            date_of_birth=date(today.year - 54, 1, 23), phone="07700 900119",
            safe_contact="Text only, after 6pm.")

    # Story 8: a survivor who works for a partner agency: restricted to two named workers.
    restricted = _person(idva, idva_m, given_name="Agnieszka", family_name="Nowak",
                         date_of_birth=date(today.year - 41, 9, 30), phone="07700 900655",
                         safe_address="Address held by the IDVA team only")
    grants.seal_place(obj=restricted, scope=SealScope.RECORD, reason="Works for a partner agency.", owner=idva,
                      named_users=[idva, users["caseworker"]])

    # Volume for lists: people recorded by several agencies over 18 months.
    rng = random.Random(2021)  # noqa: S311 - demo data, not security
    recorders = [
        (police, police_m),
        (idva, idva_m),
        (users["charity.worker"], users["charity.worker"].memberships.first()),
        (users["housing.officer"], users["housing.officer"].memberships.first()),
        (users["social.worker"], users["social.worker"].memberships.first()),
    ]
    for i in range(200):
        actor, membership = recorders[i % len(recorders)]
        female = rng.random() < 0.75
        given = rng.choice(GIVEN_F if female else GIVEN_M)
        person = _person(actor, membership, given_name=given, family_name=rng.choice(FAMILY),
                         date_of_birth=today - timedelta(days=rng.randint(18 * 365, 70 * 365)),
                         gender="woman" if female else "man", phone=f"07700 8{rng.randint(0, 99999):05d}",
                         safe_address=f"{rng.randint(1, 200)} {rng.choice(STREETS)}, Stoke-on-Trent",
                         postcode=rng.choice(POSTCODES))
        if rng.random() < 0.6:
            _volume_referral(rng, actor, membership, person, agencies, users)
