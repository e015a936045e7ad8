"""Every URL × every role, as the demo partnership's users, against the declared policy.

A URL added without a policy, or without a row in ``REGISTERED`` here, fails this test:
later issues' URLs join the matrix by registering here.
"""

from __future__ import annotations

import logging

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from hearth.people.models import Person
from hearth.platform import access, access_matrix
from hearth.platform.models import AccessGrant, BreakGlassGrant, Membership
from hearth.platform.roles import Role

from ..conftest import DemoLookup, sign_in
from .sentinels import Sentinels

# One demo member per role: (username, agency slug).
ROLE_USERS = {
    Role.POLICE_OFFICER: ("police.officer", "stoke-north-hub"),
    Role.DA_CASEWORKER: ("idva", "new-era-victims"),
    Role.CHARITY_WORKER: ("charity.worker", "alice-charity"),
    Role.DELIVERY_VOLUNTEER: ("charity.volunteer", "alice-charity"),
    Role.HOUSING_OFFICER: ("housing.officer", "stoke-housing"),
    Role.CHILDRENS_SOCIAL_WORKER: ("social.worker", "stoke-childrens"),
    Role.SCHOOL_SAFEGUARDING_LEAD: ("school.lead", "hanley-park-primary"),
    Role.PERPETRATOR_WORKER: ("perpetrator.worker", "new-era-perpetrators"),
    Role.MARAC_COORDINATOR: ("marac.coordinator", "stoke-marac"),
    Role.ANALYST: ("analyst", "da-board"),
    Role.AGENCY_ADMIN: ("police.admin", "stoke-north-hub"),
    Role.DATA_PROTECTION_OFFICER: ("police.dpo", "stoke-north-hub"),
    Role.PARTNERSHIP_ADMIN: ("partnership.admin", "da-board"),
}

# Every URL name in the project, with the methods it answers. Public ones are listed
# explicitly: a URL must be registered here before it can ship.
REGISTERED: dict[str, dict] = {
    "platform:home": {"methods": ["GET"]},
    "platform:sign_in": {"methods": ["GET", "POST"], "public": True},
    "platform:health": {"methods": ["GET"], "public": True},
    "platform:timed_out": {"methods": ["GET", "POST"], "public": True},
    "platform:second_factor": {"methods": ["GET", "POST"]},
    "platform:second_factor_enrol": {"methods": ["GET", "POST"]},
    "platform:choose_agency": {"methods": ["GET", "POST"]},
    "platform:sign_out": {"methods": ["POST"]},
    "platform:account": {"methods": ["GET", "POST"]},
    "platform:keep_alive": {"methods": ["POST"]},
    "platform:member_list": {"methods": ["GET"]},
    "platform:member_add": {"methods": ["GET", "POST"]},
    "platform:member_edit": {"methods": ["GET", "POST"]},
    "platform:audit_search": {"methods": ["GET"]},
    "platform:break_glass_list": {"methods": ["GET"]},
    "platform:break_glass_review": {"methods": ["GET", "POST"]},
    "people:person_list": {"methods": ["GET"]},
    "people:person_create": {"methods": ["GET", "POST"]},
    "people:person_detail": {"methods": ["GET"]},
    # Break-glass exists for records outside the agency's relationships; its page is the same
    # for a number that is no record (it must not tell which records exist).
    "people:person_break_glass": {"methods": ["GET", "POST"], "any_object": True, "same_for_missing": True},
    "people:person_seal": {"methods": ["GET", "POST"]},
    # Only the owning agency changes a record: others with a relationship get 403.
    "people:person_edit": {"methods": ["GET", "POST"], "owner_only": True},
    "people:incident_create": {"methods": ["GET", "POST"]},
    "people:person_not_same": {"methods": ["POST"]},
    "people:merge_undo": {"methods": ["POST"]},
    # Link requests are answered by the agency holding the target record: others get a 404.
    "people:link_request_list": {"methods": ["GET"]},
    "people:link_request_confirm": {"methods": ["POST"]},
    "people:link_request_decline": {"methods": ["GET", "POST"]},
    "notify:notice_list": {"methods": ["GET"]},
    "notify:outbox": {"methods": ["GET"]},
    "referrals:inbox": {"methods": ["GET"]},
    "referrals:sent": {"methods": ["GET"]},
    "referrals:response_targets": {"methods": ["GET", "POST"]},
    "referrals:referral_new": {"methods": ["GET", "POST"]},
    "referrals:referral_detail": {"methods": ["GET"]},
    "referrals:referral_accept": {"methods": ["POST"]},
    "referrals:referral_decline": {"methods": ["POST"]},
    "referrals:referral_redirect": {"methods": ["POST"]},
    "referrals:referral_start": {"methods": ["POST"]},
    "referrals:referral_complete": {"methods": ["POST"]},
    "referrals:referral_withdraw": {"methods": ["POST"]},
    # --- risk ---
    "risk:person_risk": {"methods": ["GET"]},
    # These pages need a part (risk_answers, safety_plan, children) the relationship may not
    # include: a 403 then, as for "owner_only" routes; no relationship at all stays a 404.
    "risk:assessment_new": {"methods": ["GET", "POST"], "owner_only": True},
    "risk:reported_new": {"methods": ["GET", "POST"]},
    "risk:allocate": {"methods": ["GET", "POST"], "owner_only": True},
    "risk:safety_plan": {"methods": ["GET"], "owner_only": True},
    "risk:safety_plan_change": {"methods": ["GET", "POST"], "owner_only": True},
    "risk:safety_plan_print": {"methods": ["GET"], "owner_only": True},
    "risk:assessment_detail": {"methods": ["GET"]},
    # Only the agency that took an assessment changes it: others who may read it get 403.
    "risk:assessment_change": {"methods": ["GET", "POST"], "owner_only": True},
    "risk:tool_list": {"methods": ["GET"]},
    "risk:caseload": {"methods": ["GET"]},
    "risk:allocation_end": {"methods": ["POST"]},
    "risk:children_without_school": {"methods": ["GET"]},
    "risk:child": {"methods": ["GET"], "owner_only": True},
    "risk:child_change": {"methods": ["GET", "POST"], "owner_only": True},
    "risk:child_notify_school": {"methods": ["POST"], "owner_only": True},
    "risk:school_inbox": {"methods": ["GET"]},
    "risk:school_acknowledge": {"methods": ["POST"]},
    # --- marac ---
    "marac:dashboard": {"methods": ["GET"]},
    "marac:refer": {"methods": ["GET", "POST"]},
    "marac:referral_list": {"methods": ["GET"]},
    "marac:meeting_list": {"methods": ["GET"]},
    "marac:meeting_new": {"methods": ["GET", "POST"]},
    "marac:meeting_detail": {"methods": ["GET"]},
    "marac:meeting_list_case": {"methods": ["POST"]},
    "marac:meeting_publish": {"methods": ["POST"]},
    "marac:meeting_minute": {"methods": ["GET", "POST"]},
    "marac:case_detail": {"methods": ["GET"]},
    # Only invited agencies return research; the coordinator reads them (403 on writing one).
    "marac:research_return": {"methods": ["GET", "POST"], "owner_only": True},
    "marac:action_new": {"methods": ["GET", "POST"]},
    # Attending agencies read every action; only the owning agency (or coordinator) updates it.
    "marac:action_update": {"methods": ["GET", "POST"], "owner_only": True},
    # --- support ---
    "support:dashboard": {"methods": ["GET"]},
    "support:case_list": {"methods": ["GET"]},
    "support:case_open": {"methods": ["POST"]},
    "support:case_detail": {"methods": ["GET"]},
    "support:case_household": {"methods": ["GET", "POST"]},
    "support:need_add": {"methods": ["GET", "POST"]},
    "support:needs_add_suggested": {"methods": ["POST"]},
    "support:delivery_new": {"methods": ["GET", "POST"]},
    "support:need_allocate": {"methods": ["GET", "POST"]},
    "support:allocation_release": {"methods": ["POST"]},
    "support:delivery_detail": {"methods": ["GET"]},
    "support:delivery_note": {"methods": ["GET"]},
    "support:delivery_confirm": {"methods": ["POST"]},
    "support:delivery_cancel": {"methods": ["POST"]},
    "support:van_sheet": {"methods": ["GET"]},
    "support:stock": {"methods": ["GET"]},
    "support:stock_movement_new": {"methods": ["GET", "POST"]},
    "support:item_new": {"methods": ["GET", "POST"]},
    "support:store_new": {"methods": ["GET", "POST"]},
    "support:item_ledger": {"methods": ["GET"]},
    "support:unmet": {"methods": ["GET"]},
    "support:appeal_list": {"methods": ["GET"]},
    "support:appeal_new": {"methods": ["GET", "POST"]},
    "support:appeal_detail": {"methods": ["GET"]},
    "support:donation_new": {"methods": ["GET", "POST"]},
    "support:donation_detail": {"methods": ["GET"]},
    "support:donation_thanked": {"methods": ["POST"]},
    # --- directory ---
    "directory:search": {"methods": ["GET"], "public": True},
    "directory:service": {"methods": ["GET"], "public": True},
    "directory:manage_list": {"methods": ["GET"]},
    "directory:manage_new": {"methods": ["GET", "POST"]},
    "directory:manage_edit": {"methods": ["GET", "POST"]},
    "directory_api:root": {"methods": ["GET"], "public": True},
    "directory_api:services": {"methods": ["GET"], "public": True},
    "directory_api:service": {"methods": ["GET"], "public": True},
    "directory_api:taxonomies": {"methods": ["GET"], "public": True},
    "directory_api:taxonomy_terms": {"methods": ["GET"], "public": True},
    "directory_api:service_at_locations": {"methods": ["GET"], "public": True},
    # --- public ---
    "public:help": {"methods": ["GET"], "public": True},
    "public:what_is_abuse": {"methods": ["GET"], "public": True},
    "public:happening_to_me": {"methods": ["GET"], "public": True},
    "public:worried_about_someone": {"methods": ["GET"], "public": True},
    "public:own_behaviour": {"methods": ["GET"], "public": True},
    "public:exit_explained": {"methods": ["GET"], "public": True},
    "public:safety": {"methods": ["GET"], "public": True},
    "public:self_referral": {"methods": ["GET", "POST"], "public": True},
    "public:self_referral_sent": {"methods": ["GET"], "public": True},
    "public_admin:help_text_list": {"methods": ["GET"]},
    "public_admin:help_text_edit": {"methods": ["GET", "POST"]},
    "public_admin:held_list": {"methods": ["GET"]},
    "public_admin:held_decide": {"methods": ["POST"]},
    # --- api ---
    "api:schema": {"methods": ["GET"], "public": True},
    "api:referral_list": {"methods": ["GET", "POST"]},
    "api:referral_detail": {"methods": ["GET"]},
    "api:token_list": {"methods": ["GET", "POST"]},
    "api:token_revoke": {"methods": ["POST"]},
}

# Routes that end the session: the walk signs in again after them.
SIGNS_OUT = {"platform:sign_out", "platform:timed_out"}


def _person_ids(membership: Membership) -> tuple[int | None, int]:
    """A person the agency has a live relationship with, and one it has none with."""
    ct = ContentType.objects.get_for_model(Person)
    grants = AccessGrant.objects.filter(content_type=ct, agency_id=membership.agency_id)
    related = set(grants.values_list("object_id", flat=True))
    if membership.role == Role.DELIVERY_VOLUNTEER:  # only through their own deliveries
        # ...on the day, until it closes: a closed or future delivery's person is rightly a 404.
        from django.db.models import Q
        from django.utils import timezone

        now = timezone.now()
        grants = grants.filter(kind="delivery", member=membership.user, starts_at__lte=now).filter(
            Q(ends_at__isnull=True) | Q(ends_at__gt=now))
    own = min(grants.values_list("object_id", flat=True), default=None)
    foreign = Person.objects.exclude(pk__in=related).order_by("pk").values_list("pk", flat=True).first()
    return own, foreign


def _membership_ids(agency_id: int) -> tuple[int, int]:
    own = Membership.objects.filter(agency_id=agency_id).order_by("pk").first().pk
    foreign = Membership.objects.exclude(agency_id=agency_id).order_by("pk").first().pk
    return own, foreign


def _grant_ids(membership: Membership) -> tuple[int, int]:
    person = Person.objects.order_by("pk").first()
    def make(m):
        from datetime import timedelta

        from django.utils import timezone

        return BreakGlassGrant.objects.create(
            user=m.user, agency=m.agency, role=m.role, content_type=ContentType.objects.get_for_model(Person),
            object_id=person.pk, reason="matrix test",
            # Already over: reviewable, but opening nothing during the walk.
            starts_at=timezone.now() - timedelta(hours=2),
            expires_at=timezone.now() - timedelta(hours=1)).pk
    other = Membership.objects.exclude(agency_id=membership.agency_id).order_by("pk").first()
    return make(membership), make(other)


def _merge_ids(membership: Membership) -> tuple[int | None, int]:
    """An identity link the agency can see a record of, and one it cannot."""
    from hearth.people.models import Identity, IdentityMerge

    own_person, foreign_person = _person_ids(membership)
    def make(person_id):
        person = Person.objects.get(pk=person_id)
        return IdentityMerge.objects.create(kept=person.identity, absorbed=Identity.objects.create(),
                                            moved_records=[], merged_by=membership.user).pk
    return (make(own_person) if own_person else None), make(foreign_person)


def _link_request_ids(membership: Membership) -> tuple[int | None, int]:
    """A pending link request naming a record the agency holds (and the user may open), and one
    naming another agency's record."""
    from hearth.people.models import IdentityLinkRequest
    from hearth.platform import access

    held = access.visible_to(_acting_user(membership), Person.objects.filter(owner_agency_id=membership.agency_id))
    own_target = held.order_by("pk").first()
    other_target = Person.objects.exclude(owner_agency_id=membership.agency_id).order_by("pk").first()

    def make(target):
        new = Person.objects.exclude(owner_agency_id=target.owner_agency_id).order_by("pk").first()
        return IdentityLinkRequest.objects.get_or_create(
            new_record=new, target=target, status="pending",
            defaults={"requested_by": membership.user, "requesting_agency_id": new.owner_agency_id})[0].pk
    return (make(own_target) if own_target else None), make(other_target)


def _referral_ids(membership: Membership) -> tuple[int | None, int]:
    """A referral the agency sent or received, and one it is not party to."""
    from django.db.models import Q

    from hearth.referrals.models import Referral

    party = Q(from_agency_id=membership.agency_id) | Q(to_agency_id=membership.agency_id)
    own = Referral.objects.filter(party).order_by("pk").values_list("pk", flat=True).first()
    foreign = Referral.objects.exclude(party).order_by("pk").values_list("pk", flat=True).first()
    return own, foreign


def _api_referral_ids(membership: Membership) -> tuple[int | None, int]:
    """A referral the agency sent (the API's "own"), and one it is not party to."""
    from hearth.referrals.models import Referral

    own = Referral.objects.filter(from_agency_id=membership.agency_id).order_by("pk").values_list(
        "pk", flat=True).first()
    return own, _referral_ids(membership)[1]


def _api_token_ids(membership: Membership) -> tuple[int | None, int]:
    """A partner-system token of the agency (if it may have one), and one of another agency."""
    from hearth.api.services import ROLE_FOR_KIND, token_create
    from hearth.platform.models import Agency

    def make(agency):
        return token_create(actor=None, agency=agency, name="Matrix walk", scopes=["referrals:read"]).token.pk
    own = make(membership.agency) if membership.agency.kind in ROLE_FOR_KIND and membership.agency.is_onboarded \
        else None
    other = Agency.objects.exclude(pk=membership.agency_id).filter(
        kind__in=list(ROLE_FOR_KIND), is_onboarded=True).order_by("pk").first()
    return own, make(other)


def _directory_services(membership: Membership):
    """A listed directory entry, and one withdrawn from the public (inactive: never shown)."""
    from hearth.directory.models import Organization, Service

    listed = Service.objects.listed().order_by("number").first()
    hidden = Service.objects.filter(status="inactive").first() or Service.objects.create(
        organization=Organization.objects.first(), name="Withdrawn service", description="Closed.",
        status="inactive")
    return listed, hidden


def _directory_service_numbers(membership: Membership) -> tuple[int, int]:
    listed, hidden = _directory_services(membership)
    return listed.number, hidden.number


def _directory_entry_numbers(membership: Membership) -> tuple[int, int]:
    """Staff edit pages: every entry is the partnership's, so "foreign" is one that does not exist."""
    listed, _ = _directory_services(membership)
    return listed.number, 999999998


def _directory_service_refs(membership: Membership) -> tuple[str, str]:
    listed, hidden = _directory_services(membership)
    return str(listed.id), str(hidden.id)


def _held_referral_ids(membership: Membership) -> tuple[int, int]:
    """Held self-referrals belong to no agency: two fresh ones (a partnership admin may decide either)."""
    from hearth.directory.models import Service
    from hearth.public.models import HeldSelfReferral

    service = Service.objects.order_by("number").first()
    return tuple(HeldSelfReferral.objects.create(service=service, reason="overall", answers={}).pk
                 for _ in range(2))


# Support finders: another agency's support records are made here (bare rows: only their ids matter).
def _support_today():
    from django.utils import timezone

    return timezone.localdate()


def _support_foreign(membership: Membership):
    """A store, item, family case, need, allocation, delivery, appeal and donation of another agency."""
    from hearth.platform.models import Agency
    from hearth.referrals.models import Referral
    from hearth.support import models as sm

    other = Agency.objects.exclude(pk=membership.agency_id).exclude(slug="alice-charity").order_by("pk").first()
    user = membership.user
    store = sm.Store.objects.create(agency=other, name=f"Matrix store {sm.Store.objects.count()}")
    item = sm.ItemType.objects.create(agency=other, name=f"Matrix item {sm.ItemType.objects.count()}", category="toys")
    referral = Referral.objects.filter(support_case__isnull=True).exclude(
        to_agency_id=membership.agency_id).order_by("pk").first()
    case = sm.SupportCase.objects.create(agency=other, referral=referral, person_id=referral.person_id,
                                         referred_at=referral.created_at, opened_by=user)
    need = sm.Need.objects.create(case=case, member="Adult", item=item, quantity=1, created_by=user)
    allocation = sm.Allocation.objects.create(need=need, line=sm.StockLine.objects.create(store=store, item=item),
                                              quantity=1, allocated_by=user)
    delivery = sm.Delivery.objects.create(case=case, slot_date=_support_today(), driver=user,
                                          address="Matrix address", arranged_by=user)
    appeal = sm.Appeal.objects.create(agency=other, name="Matrix appeal", starts_on=_support_today(),
                                      ends_on=_support_today(), created_by=user)
    donation = sm.Donation.objects.create(agency=other, donor_kind="anonymous", received_on=_support_today(),
                                          store=store, recorded_by=user)
    return {"case": case, "need": need, "allocation": allocation, "delivery": delivery, "item": item,
            "appeal": appeal, "donation": donation, "referral": referral}


def _support_ids(kind: str, own_query):
    def finder(membership: Membership):
        own = own_query(membership)
        return (own.pk if own is not None else None), _support_foreign(membership)[kind].pk
    return finder


def _support_own_delivery(membership: Membership):
    """The agency's first delivery; a volunteer's own is one they drive today (made if need be)."""
    from hearth.support.models import Delivery, SupportCase

    deliveries = Delivery.objects.filter(case__agency_id=membership.agency_id).order_by("pk")
    if membership.role != Role.DELIVERY_VOLUNTEER:
        return deliveries.first()
    case = SupportCase.objects.filter(agency_id=membership.agency_id).order_by("pk").first()
    return Delivery.objects.create(case=case, slot_date=_support_today(), driver=membership.user,
                                   address="1 Matrix Walk", arranged_by=membership.user) if case else None


def _support_referral_ids(membership: Membership) -> tuple[int | None, int]:
    from hearth.referrals.models import Referral

    own = Referral.objects.filter(to_agency_id=membership.agency_id, status__in=["accepted", "in_progress"]).order_by(
        "pk").values_list("pk", flat=True).first()
    return own, _referral_ids(membership)[1]


def _support_of(model_path: str, agency_lookup: str):
    def query(membership: Membership):
        from django.apps import apps

        model = apps.get_model(model_path)
        return model.objects.filter(**{agency_lookup: membership.agency_id}).order_by("pk").first()
    return query


_support_case_ids = _support_ids("case", _support_of("support.SupportCase", "agency_id"))
_support_need_ids = _support_ids("need", _support_of("support.Need", "case__agency_id"))
_support_allocation_ids = _support_ids("allocation", _support_of("support.Allocation", "need__case__agency_id"))
_support_delivery_ids = _support_ids("delivery", _support_own_delivery)
_support_item_ids = _support_ids("item", _support_of("support.ItemType", "agency_id"))
_support_appeal_ids = _support_ids("appeal", _support_of("support.Appeal", "agency_id"))
_support_donation_ids = _support_ids("donation", _support_of("support.Donation", "agency_id"))


# Risk and MARAC finders: dates and agencies imported here, to keep this section self-contained.
def _today():
    from datetime import date

    return date.today()


def _agency(slug: str):
    from hearth.platform.models import Agency

    return Agency.objects.get(slug=slug)


def _acting_user(membership: Membership):
    user = membership.user
    user.membership = membership
    return user


def _survivor_ids(membership: Membership) -> tuple[int | None, int]:
    """A person whose risk level the agency may see (through the record, a MARAC case or an
    allocation), and one it has no relationship with at all."""
    from hearth.risk.selectors import risk_parts

    user = _acting_user(membership)
    own = foreign = None
    for person in Person.objects.order_by("pk")[:400]:
        parts = risk_parts(user, person)
        if own is None and "risk_level" in parts:
            own = person.pk
        if foreign is None and not parts:
            foreign = person.pk
        if own is not None and foreign is not None:
            break
    return own, foreign


def _assessment_ids(membership: Membership) -> tuple[int | None, int]:
    """An assessment the agency may read (its own first), and one about a person it cannot see."""
    from hearth.risk.models import Assessment, RiskToolVersion
    from hearth.risk.selectors import risk_parts

    user = _acting_user(membership)
    ordered = sorted(Assessment.objects.select_related("person"),
                     key=lambda a: (a.agency_id != membership.agency_id, a.pk))
    own = next((a.pk for a in ordered if "risk_level" in risk_parts(user, a.person)), None)
    _, foreign_person = _person_ids(membership)
    foreign = Assessment.objects.create(
        person_id=foreign_person, tool_version=RiskToolVersion.objects.filter(is_current=True).first(),
        assessed_on=_today(), assessed_by=membership.user, agency=_agency("da-board"))
    return own, foreign.pk


def _school_notification_ids(membership: Membership) -> tuple[int | None, int]:
    from hearth.risk.models import SchoolNotification

    own = SchoolNotification.objects.filter(school_id=membership.agency_id).order_by("pk").first()
    template = SchoolNotification.objects.order_by("pk").first()
    foreign = SchoolNotification.objects.create(
        child=template.child, incident=template.incident, school=_agency("burslem-fields-primary"),
        pupil_name="A pupil", incident_on=template.incident_on, contact_name="x", contact_agency="x",
        sent_by=membership.user)
    return (own.pk if own else None), foreign.pk


def _foreign_marac_case(membership: Membership):
    """A case listed at a meeting no demo agency attends (coordinated by the board): nobody's."""
    from hearth.marac.models import MaracCase, MaracMeeting, MaracReferral

    board = _agency("da-board")
    person = Person.objects.order_by("pk").first()
    referral = MaracReferral.objects.create(person=person, referred_on=_today(), referred_by=membership.user,
                                            referring_agency=board)
    meeting = MaracMeeting.objects.create(held_on=_today(), chair="x", coordinator_agency=board,
                                          created_by=membership.user)
    return MaracCase.objects.create(meeting=meeting, referral=referral)


def _marac_meeting_ids(membership: Membership) -> tuple[int | None, int]:
    from django.db.models import Q

    from hearth.marac.models import MaracMeeting

    mine = Q(coordinator_agency_id=membership.agency_id) | Q(agencies_invited=membership.agency_id)
    own = MaracMeeting.objects.filter(mine).order_by("pk").values_list("pk", flat=True).first()
    return own, _foreign_marac_case(membership).meeting_id


def _marac_case_ids(membership: Membership) -> tuple[int | None, int]:
    from hearth.marac.models import MaracCase
    from hearth.platform import access

    visible = access.visible_to(_acting_user(membership), MaracCase.objects.order_by("-pk"))
    own = visible.values_list("pk", flat=True).first()
    return own, _foreign_marac_case(membership).pk


def _risk_allocation_ids(membership: Membership) -> tuple[int | None, int]:
    """An open IDVA allocation of the agency, and one of another agency."""
    from hearth.risk.models import Allocation

    own = Allocation.objects.filter(agency_id=membership.agency_id, ended_on__isnull=True).order_by("pk").first()
    other = _agency("new-era-victims") if membership.agency.slug != "new-era-victims" else _agency("da-board")
    person = Person.objects.order_by("-pk").first()  # not Liz, whom the IDVA already holds
    foreign = Allocation.objects.create(person=person, worker=membership.user, agency=other,
                                        allocated_by=membership.user, allocated_on=_today())
    return (own.pk if own else None), foreign.pk


def _marac_action_ids(membership: Membership) -> tuple[int | None, int]:
    from hearth.marac.models import MaracAction, MaracCase
    from hearth.platform import access

    visible = access.visible_to(_acting_user(membership), MaracCase.objects.all())
    actions = MaracAction.objects.filter(case__in=visible).order_by("pk")
    own = (actions.filter(owner_agency_id=membership.agency_id).first() or actions.first())
    case = _foreign_marac_case(membership)
    foreign = MaracAction.objects.create(case=case, description="x", owner_name="x", due_on=_today(),
                                         owner_agency_id=case.meeting.coordinator_agency_id,
                                         created_by=membership.user)
    return (own.pk if own else None), foreign.pk


KWARG_CASES = {
    "referral_id": _referral_ids,
    "person_id": _person_ids,
    "other_id": _person_ids,
    "merge_id": _merge_ids,
    "link_request_id": _link_request_ids,
    "membership_id": lambda m: _membership_ids(m.agency_id),
    "grant_id": _grant_ids,
    # --- risk, marac, support, directory, public, api: their own object finders below this line ---
    "assessment_id": _assessment_ids,
    "survivor_id": _survivor_ids,
    "school_notification_id": _school_notification_ids,
    "marac_meeting_id": _marac_meeting_ids,
    "marac_case_id": _marac_case_ids,
    "marac_action_id": _marac_action_ids,
    "risk_allocation_id": _risk_allocation_ids,
    "support_referral_id": _support_referral_ids,
    "support_case_id": _support_case_ids,
    "need_id": _support_need_ids,
    "allocation_id": _support_allocation_ids,
    "delivery_id": _support_delivery_ids,
    "item_type_id": _support_item_ids,
    "appeal_id": _support_appeal_ids,
    "donation_id": _support_donation_ids,
    "directory_service_number": _directory_service_numbers,
    "directory_service_ref": _directory_service_refs,
    "directory_entry_number": _directory_entry_numbers,
    "held_referral_id": _held_referral_ids,
    "api_referral_id": _api_referral_ids,
    "api_token_id": _api_token_ids,
}


def test_every_url_declares_a_policy():
    assert access_matrix.undeclared() == []


def test_every_url_is_registered_in_this_test():
    names = {route.name for route in access_matrix.routes()}
    assert names == set(REGISTERED), (
        f"unregistered: {sorted(names - set(REGISTERED))}; stale: {sorted(set(REGISTERED) - names)}"
    )


def test_public_urls_are_exactly_the_allow_list():
    public = {r.name for r in access_matrix.routes() if r.policy.kind == "public"}
    assert public == {name for name, spec in REGISTERED.items() if spec.get("public")}


def test_anonymous_visitors_reach_only_public_urls(db):
    client = Client()
    for route in access_matrix.routes():
        kwargs = {name: 1 for name in route.kwargs}
        url = reverse(route.name, kwargs=kwargs)
        response = client.get(url)
        if route.policy.kind == "public":
            assert response.status_code == 200, url
        elif route.policy.kind == "api_token":
            # The partner API answers for itself: a token challenge (or a flood refusal), never
            # a redirect to the staff sign-in, never data.
            assert response.status_code in (401, 429), url
            assert "Location" not in response, url
        else:
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("platform:sign_in")), url


def _urls(route, membership):
    """(label, url, expectation) for each object case of a route."""
    if not route.kwargs:
        return [("-", reverse(route.name), None)]
    for kwarg in route.kwargs:
        assert kwarg in KWARG_CASES, f"register how to find objects for <{kwarg}> in KWARG_CASES"
    ids = {kwarg: KWARG_CASES[kwarg](membership) for kwarg in route.kwargs}
    cases = []
    if all(own is not None for own, _ in ids.values()):
        cases.append(("own", reverse(route.name, kwargs={k: own for k, (own, _) in ids.items()}), "own"))
    cases.append(("foreign", reverse(route.name, kwargs={k: foreign for k, (_, foreign) in ids.items()}), "foreign"))
    cases.append(("malformed", reverse(route.name, kwargs={k: 999999999 for k in route.kwargs}), "missing"))
    return cases


@pytest.mark.parametrize("role", list(ROLE_USERS), ids=str)
def test_every_url_as_every_role(role, db, caplog):
    caplog.set_level(logging.DEBUG)
    username, slug = ROLE_USERS[role]
    membership = DemoLookup().membership(username, slug)
    assert membership.role == role
    client = sign_in(Client(), membership)
    reader = _acting_user(membership)
    # Every sensitive field of every record holds a unique marker; any marker in a response must
    # be of a part the policy lets this reader see (the one rendering rule).
    sentinels = Sentinels().plant()
    sealed_own = _seal_own_address(membership)
    failures = []
    for route, outcomes in access_matrix.matrix():
        expected = outcomes[role]
        for method in REGISTERED[route.name]["methods"]:
            for label, url, case in _urls(route, membership):
                response = getattr(client, method.lower())(url)
                status = response.status_code
                where = f"{method} {url} ({route.name}, {label}) as {role}: {status}"
                if status >= 500:
                    failures.append(f"server error: {where}")
                    continue
                if expected == access_matrix.DENIED:
                    ok = status in (403, 404)
                elif expected == access_matrix.API_TOKEN:
                    # A staff session opens nothing in the partner API: only a token does.
                    ok = status in (401, 429) and b"results" not in response.content
                elif expected == access_matrix.OBJECT:
                    # 400: allowed in, but the walk's empty form is (rightly) refused as bad input.
                    allowed = (200, 302, 400, 403) if REGISTERED[route.name].get("owner_only") else (200, 302, 400)
                    ok = status in (403, 404) if case in ("foreign", "missing") else status in allowed
                    # Another agency's membership or grant ids are never reachable either.
                elif case == "foreign" and REGISTERED[route.name].get("any_object"):
                    ok = status in (200, 302)
                elif case == "missing" and REGISTERED[route.name].get("same_for_missing"):
                    ok = status == 200
                elif route.kwargs and case in ("foreign", "missing"):
                    ok = status in (403, 404, 302)
                else:
                    ok = status in (200, 204, 302)
                if not ok:
                    failures.append(f"expected {expected}: {where}")
                if status < 500:
                    body = response.content.decode(errors="replace")
                    for leak in sentinels.leaks(body, reader):
                        failures.append(f"{leak} leaked: {where}")
                if route.name in SIGNS_OUT:
                    client = sign_in(Client(), membership)
    failures += _restricted_record_walk(membership, sentinels)
    assert sealed_own is None or "safe_address" not in access.parts_for(reader, sealed_own)
    assert not sentinels.any_in(caplog.text), f"case data in a log line: {sentinels.any_in(caplog.text)[:5]}"
    assert not failures, "\n".join(failures)


def _seal_own_address(membership: Membership):
    """Seal the address of a record the agency holds, naming another user: the walk then checks that
    a member of a related (even owning) agency who is not named sees it nowhere."""
    from hearth.platform.models import RecordSeal, SealScope, User

    own, _ = _person_ids(membership)
    if own is None:
        return None
    person = Person.objects.get(pk=own)
    other = User.objects.exclude(pk=membership.user_id).order_by("pk").first()
    seal = RecordSeal.objects.create(content_type=ContentType.objects.get_for_model(Person), object_id=own,
                                     scope=SealScope.SAFE_ADDRESS, reason="Sentinel sweep", owner=other)
    seal.named_users.set([other])
    return person


def _restricted_record_walk(membership: Membership, sentinels: Sentinels) -> list[str]:
    """Restrict a record the agency holds (naming someone else), then GET and POST every route about
    one person: each must refuse it without showing any of its parts."""
    from hearth.platform.models import RecordSeal, SealScope, User

    ct = ContentType.objects.get_for_model(Person)
    related = AccessGrant.objects.filter(content_type=ct, agency_id=membership.agency_id).order_by("-object_id")
    person_id = related.values_list("object_id", flat=True).first()
    if person_id is None:
        return []
    other = User.objects.exclude(pk=membership.user_id).order_by("pk").first()
    seal = RecordSeal.objects.create(content_type=ct, object_id=person_id, scope=SealScope.RECORD,
                                     reason="Sentinel sweep", owner=other)
    seal.named_users.set([other])
    client = sign_in(Client(), membership)
    failures = []
    for route in access_matrix.routes():
        if set(route.kwargs) - {"person_id", "survivor_id"} or not route.kwargs:
            continue
        url = reverse(route.name, kwargs={k: person_id for k in route.kwargs})
        for method in REGISTERED[route.name]["methods"]:
            response = getattr(client, method.lower())(url)
            where = f"{method} {url} ({route.name}, restricted) as {membership.role}: {response.status_code}"
            # Break-glass answers alike for every id (it must not tell which records exist);
            # it is checked for markers below like every other route.
            if response.status_code == 200 and not REGISTERED[route.name].get("same_for_missing"):
                failures.append(f"restricted record opened: {where}")
            marks = sentinels.any_in(response.content.decode(errors="replace"))
            if marks:
                failures.append(f"restricted record's {marks[:3]} shown: {where}")
    return failures


@pytest.mark.parametrize("role", list(ROLE_USERS), ids=str)
def test_state_changing_requests_need_a_csrf_token(role, db):
    username, slug = ROLE_USERS[role]
    membership = DemoLookup().membership(username, slug)
    client = sign_in(Client(enforce_csrf_checks=True), membership)
    for route in access_matrix.routes():
        if "POST" not in REGISTERED[route.name]["methods"]:
            continue
        url = reverse(route.name, kwargs={k: 1 for k in route.kwargs})
        response = client.post(url, {"x": "1"})
        # The partner API takes no cookies, so no CSRF: without a token it is refused all the same.
        refused = (401, 429) if route.policy.kind == "api_token" else (403,)
        assert response.status_code in refused, f"POST {url} without a CSRF token: {response.status_code}"


def test_undeclared_methods_are_refused_on_every_url(client_for):
    client = client_for("police.officer")
    for route in access_matrix.routes():
        url = reverse(route.name, kwargs={k: 1 for k in route.kwargs})
        for method in ("put", "patch", "delete", "options"):
            response = getattr(client, method)(url)
            assert response.status_code == 405, f"{method.upper()} {url}: {response.status_code}"


def test_a_superuser_flag_grants_nothing(client_for):
    from hearth.platform.models import User

    User.objects.filter(username="analyst").update(is_superuser=True, is_staff=True)
    client = client_for("analyst")
    assert client.get("/people/").status_code == 403
    assert client.get("/audit/").status_code == 403
