"""A confirm and a decline of the same link request at once: one wins, the other is told.

Needs real row locks, so it runs on PostgreSQL (``DATABASE_URL=postgres://...``); SQLite has no
``SELECT ... FOR UPDATE`` and serialises whole-database writes instead, so there is nothing to race.
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


def _member(username: str, slug: str):
    from hearth.platform.models import Membership

    membership = Membership.objects.select_related("user", "agency").get(user__username=username, agency__slug=slug)
    membership.user.membership = membership
    return membership


def _blocked_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0] > 0


def test_a_confirm_and_a_decline_at_once_have_one_winner():
    from django.contrib.contenttypes.models import ContentType

    from hearth.demo import world
    from hearth.people import services
    from hearth.people.models import IdentityLinkRequest, LinkRequestStatus, Person
    from hearth.platform import context

    ContentType.objects.clear_cache()
    world.load()  # transaction=True empties the database: load the demo again
    social = _member("social.worker", "stoke-childrens")
    mother = Person.objects.get(given_name="Elizabeth", family_name="Walker")
    with context.acting_as(social.user, social):
        new = services.person_create(actor=social.user, link_to=mother, given_name="Liz", family_name="Walker",
                                     date_of_birth=mother.date_of_birth)
    request = IdentityLinkRequest.objects.get(new_record=new)

    confirm_holds_the_lock = threading.Event()
    outcomes: dict[str, str] = {}
    saw_the_decline_wait = []

    def confirm():
        police = _member("police.officer", "stoke-north-hub")
        try:
            with context.acting_as(police.user, police), transaction.atomic():
                services.identity_link_request_confirm(actor=police.user, link_request=request)
                confirm_holds_the_lock.set()
                # Hold the request's lock until the decline is seen waiting for it.
                for _ in range(100):
                    if _blocked_on_a_lock():
                        saw_the_decline_wait.append(True)
                        break
                    time.sleep(0.05)
            outcomes["confirm"] = "won"
        except ValidationError as exc:
            outcomes["confirm"] = " ".join(exc.messages)
        finally:
            confirm_holds_the_lock.set()
            connection.close()

    def decline():
        police = _member("police.officer", "stoke-north-hub")
        confirm_holds_the_lock.wait(timeout=20)
        try:
            with context.acting_as(police.user, police):
                services.identity_link_request_decline(actor=police.user, link_request=request,
                                                       reason="Not her.")
            outcomes["decline"] = "won"
        except ValidationError as exc:
            outcomes["decline"] = " ".join(exc.messages)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm), threading.Thread(target=decline)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert outcomes["confirm"] == "won"
    assert outcomes["decline"] == "This link request was already confirmed."
    assert saw_the_decline_wait, "the decline never waited for the confirm's lock"
    request.refresh_from_db()
    new.refresh_from_db()
    assert request.status == LinkRequestStatus.CONFIRMED and request.reason == ""
    assert new.identity_id == Person.objects.get(pk=mother.pk).identity_id
