"""Two people changing the same referral at once: one winner, one event, one audit row, one notice.

Needs real row locks, so it runs on PostgreSQL (``DATABASE_URL=postgres://...``); SQLite serialises
whole-database writes, so there is nothing to race.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs PostgreSQL row locks (SELECT ... FOR UPDATE); SQLite has none to race"),
]


def _member(username: str):
    from hearth.platform.models import Membership

    membership = Membership.objects.select_related("user", "agency").get(
        user__username=username, agency__slug="new-era-victims")
    membership.user.membership = membership
    return membership


def _blocked_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0] > 0


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


def _race(first, second) -> dict[str, str]:
    """Run ``first`` and ``second`` on two connections, each with its own copy of the referral
    read before either starts. ``first`` holds its transaction open until ``second`` is seen
    waiting on a lock (or two seconds pass), so ``second`` acts on a referral ``first`` has
    just changed but not yet committed: exactly the busy-day race."""
    both_loaded = threading.Barrier(2, timeout=20)
    first_done_its_writes = threading.Event()
    outcomes: dict[str, str] = {}

    def run(name, call, hold):
        from hearth.platform import context

        try:
            membership, referral = call.prepare()
            both_loaded.wait()
            if not hold:
                first_done_its_writes.wait(timeout=20)
            with context.acting_as(membership.user, membership), transaction.atomic():
                call.act(membership.user, referral)
                if hold:
                    first_done_its_writes.set()
                    for _ in range(40):
                        if _blocked_on_a_lock():
                            break
                        time.sleep(0.05)
            outcomes[name] = "won"
        except ValidationError as exc:
            outcomes[name] = " ".join(exc.messages)
        finally:
            first_done_its_writes.set()
            connection.close()

    threads = [threading.Thread(target=run, args=("first", first, True)),
               threading.Thread(target=run, args=("second", second, False))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


class _Call:
    def __init__(self, username: str, referral_pk: int, action: str):
        self.username, self.referral_pk, self.action = username, referral_pk, action

    def prepare(self):
        from hearth.referrals.models import Referral

        return _member(self.username), Referral.objects.get(pk=self.referral_pk)

    def act(self, user, referral):
        from hearth.referrals import services

        if self.action == "accept":
            services.referral_accept(actor=user, referral=referral, assigned_to=user)
        elif self.action == "decline":
            services.referral_decline(actor=user, referral=referral, reason="No capacity this month.")
        elif self.action == "receive":
            services.referral_receive(actor=user, referral=referral)


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

    outcomes = _race(_Call("idva", waiting_referral, "accept"), _Call("caseworker", waiting_referral, "accept"))

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

    outcomes = _race(_Call("idva", waiting_referral, "accept"), _Call("caseworker", waiting_referral, "decline"))

    assert outcomes["first"] == "won"
    assert outcomes["second"] == "Only a referral awaiting a response can be declined."
    referral = Referral.objects.get(pk=waiting_referral)
    assert referral.status == Status.ACCEPTED and referral.decline_reason == "" and referral.closed_at is None
    assert _counts(waiting_referral, Status.DECLINED) == (0, 0)
    assert _counts(waiting_referral, Status.ACCEPTED) == (1, 1)
    assert not Notice.objects.filter(subject=f"Referral {waiting_referral} declined").exists()


def test_two_people_opening_a_sent_referral_write_one_received_event(waiting_referral):
    from hearth.referrals.models import Referral, Status

    outcomes = _race(_Call("idva", waiting_referral, "receive"), _Call("caseworker", waiting_referral, "receive"))

    assert outcomes == {"first": "won", "second": "won"}  # opening it is never refused
    assert Referral.objects.get(pk=waiting_referral).status == Status.RECEIVED
    assert _counts(waiting_referral, Status.RECEIVED) == (1, 1)
