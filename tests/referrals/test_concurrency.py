"""Two people changing the same referral at once: one winner, one event, one audit row, one notice.

Needs real row locks, so it runs on PostgreSQL (``DATABASE_URL=postgres://...``); SQLite serialises
whole-database writes, so there is nothing to race.
"""

from __future__ import annotations

import pytest
from django.db import connection

from tests.race import race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs PostgreSQL row locks (SELECT ... FOR UPDATE); SQLite has none to race"),
]


def _member(username: str):
    from hearth.platform.models import Membership

    return Membership.objects.select_related("user", "agency").get(
        user__username=username, agency__slug="new-era-victims")


@pytest.fixture
def waiting_referral():
    """New Era's referral of Elizabeth Walker, sent and awaiting a decision, in a fresh demo."""
    from django.contrib.contenttypes.models import ContentType

    from hearth.demo import world
    from hearth.referrals.models import Referral, Status

    ContentType.objects.clear_cache()
    world.load()  # transaction=True empties the database: load the demo again
    referral = Referral.objects.get(person__given_name="Elizabeth", person__family_name="Walker",
                                    to_agency__slug="new-era-victims")
    Referral.objects.filter(pk=referral.pk).update(status=Status.SENT)
    return referral.pk


def _call(username: str, referral_pk: int, action: str):
    from hearth.referrals import services
    from hearth.referrals.models import Referral

    def prepare():
        return _member(username), Referral.objects.get(pk=referral_pk)

    def act(user, referral):
        if action == "accept":
            services.referral_accept(actor=user, referral=referral, assigned_to=user)
        elif action == "decline":
            services.referral_decline(actor=user, referral=referral, reason="No capacity this month.")
        else:
            services.referral_receive(actor=user, referral=referral)

    return prepare, act


def _counts(referral_pk: int, status: str) -> tuple[int, int]:
    from hearth.platform.models import AuditEvent
    from hearth.referrals.models import ReferralEvent

    events = ReferralEvent.objects.filter(referral_id=referral_pk, status=status).count()
    audits = AuditEvent.objects.filter(object_type="referrals.referral", object_id=str(referral_pk),
                                       detail__status=status).count()
    return events, audits


def test_two_people_accepting_the_same_referral_one_wins_and_the_other_is_told(waiting_referral):
    from hearth.notify.models import Notice
    from hearth.platform import audit
    from hearth.referrals.models import Referral, Status

    outcomes = race(_call("idva", waiting_referral, "accept"), _call("caseworker", waiting_referral, "accept"))

    assert outcomes["first"] == "won"
    assert outcomes["second"] == "Only a referral awaiting a response can be accepted."
    referral = Referral.objects.get(pk=waiting_referral)
    assert referral.status == Status.ACCEPTED and referral.assigned_to.username == "idva"
    assert _counts(waiting_referral, Status.ACCEPTED) == (1, 1)
    assert Notice.objects.filter(subject=f"Referral {waiting_referral} accepted").count() == 1
    assert audit.verify().ok


def test_accepting_and_declining_at_once_leaves_one_decision(waiting_referral):
    from hearth.notify.models import Notice
    from hearth.referrals.models import Referral, Status

    outcomes = race(_call("idva", waiting_referral, "accept"), _call("caseworker", waiting_referral, "decline"))

    assert outcomes["first"] == "won"
    assert outcomes["second"] == "Only a referral awaiting a response can be declined."
    referral = Referral.objects.get(pk=waiting_referral)
    assert referral.status == Status.ACCEPTED and referral.decline_reason == "" and referral.closed_at is None
    assert _counts(waiting_referral, Status.DECLINED) == (0, 0)
    assert _counts(waiting_referral, Status.ACCEPTED) == (1, 1)
    assert not Notice.objects.filter(subject=f"Referral {waiting_referral} declined").exists()


def test_two_people_opening_a_sent_referral_write_one_received_event(waiting_referral):
    from hearth.referrals.models import Referral, Status

    outcomes = race(_call("idva", waiting_referral, "receive"), _call("caseworker", waiting_referral, "receive"))

    assert outcomes == {"first": "won", "second": "won"}  # opening it is never refused
    assert Referral.objects.get(pk=waiting_referral).status == Status.RECEIVED
    assert _counts(waiting_referral, Status.RECEIVED) == (1, 1)
