"""A busy minute from parallel connections: needs added, stock allocated, referrals made, people
signing in. No deadlock, no server error, and the audit chain still verifies.

Stock writes used to lock the store and item rows through ``select_related``; a worker adding a
need checks its foreign key to the item at commit while holding the audit chain's lock, and the
allocator held the item and waited for the audit lock: a deadlock. Runs on PostgreSQL only
(``DATABASE_URL=postgres://...``); SQLite has no row locks to deadlock on.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection
from django.utils import timezone

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs PostgreSQL row locks; SQLite serialises whole-database writes"),
]

BURST_SECONDS = 6
_keys = itertools.count()


def _acting(username: str, agency_slug: str):
    from hearth.platform.models import Membership

    membership = Membership.objects.select_related("user", "agency").get(
        user__username=username, agency__slug=agency_slug)
    membership.user.membership = membership
    return membership


def test_a_mixed_burst_has_no_deadlock_and_keeps_the_audit_chain():
    from django.contrib.contenttypes.models import ContentType
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from hearth.demo import world
    from hearth.people.models import Person
    from hearth.platform import audit, context
    from hearth.platform.models import Agency
    from hearth.support import services
    from hearth.support.models import Store, SupportCase

    ContentType.objects.clear_cache()
    world.load()  # transaction=True empties the database: load the demo again
    setup = _acting("charity.worker", "alice-charity")
    case = SupportCase.objects.get(person__given_name="Andreea")
    store = Store.objects.get(name="Alice Charity store")
    with context.acting_as(setup.user, setup):
        # One item that every writer touches: the needs point at it, the allocations lock its line.
        item = services.item_type_create(actor=setup.user, name="Single duvet", category="bedding")
        services.stock_purchase(actor=setup.user, store=store, item=item, quantity=100_000)
        big_need = services.need_add(actor=setup.user, case=case, member="Adult", item=item, quantity=100_000)
    mother = Person.objects.get(given_name="Elizabeth", family_name="Walker")
    refuge = Agency.objects.get(slug="potteries-refuge")

    def add_need():
        membership = _acting("charity.worker", "alice-charity")
        with context.acting_as(membership.user, membership):
            services.need_add(actor=membership.user, case=case, member="Child aged 7", item=item, quantity=1)

    def allocate():
        membership = _acting("charity.worker", "alice-charity")
        with context.acting_as(membership.user, membership):
            services.stock_allocate(actor=membership.user, need=big_need, store=store, quantity=1)

    def refer():
        from hearth.referrals.services import ReferralRequest, referral_create

        membership = _acting("police.officer", "stoke-north-hub")
        with context.acting_as(membership.user, membership):
            referral_create(actor=membership.user, request=ReferralRequest(
                person=mother, to_agency=refuge, reasons=["safe_accommodation"],
                shared_parts=["identity", "risk_level"], lawful_basis="consent",
                consent_taken_on=timezone.localdate(), idempotency_key=f"burst-{next(_keys)}"))

    def sign_in():
        client = Client()
        response = client.post("/sign-in/", {"username": "idva", "password": world.DEMO_PASSWORD})
        if response.status_code >= 500:
            raise RuntimeError(f"/sign-in/ answered {response.status_code}")
        code = world.current_code(TOTPDevice.objects.get(user__username="idva", confirmed=True))
        # A code works once: later attempts in the same 30 s are refused, which is fine; a 500 is not.
        response = client.post("/sign-in/code/", {"code": code})
        if response.status_code >= 500:
            raise RuntimeError(f"/sign-in/code/ answered {response.status_code}")

    tally: Counter[str] = Counter()
    failures: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + BURST_SECONDS

    def loop(name, step):
        try:
            while time.monotonic() < stop_at:
                try:
                    step()
                    outcome = "done"
                except ValidationError:
                    outcome = "refused"  # a rule said no: a clear answer, not a fault
                except DatabaseError as exc:
                    outcome = "deadlock" if "deadlock detected" in str(exc) else "database error"
                    with lock:
                        failures.append(f"{name}: {exc}")
                except Exception as exc:  # noqa: BLE001 - every other fault is counted and shown
                    outcome = "error"
                    with lock:
                        failures.append(f"{name}: {exc!r}")
                with lock:
                    tally[f"{name} {outcome}"] += 1
        finally:
            connection.close()

    steps = [("need added", add_need), ("stock allocated", allocate), ("referral created", refer),
             ("signed in", sign_in)]
    threads = [threading.Thread(target=loop, args=step) for step in steps * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=BURST_SECONDS + 60)

    assert not failures, f"{len(failures)} faults in the burst ({dict(tally)}): {failures[:3]}"
    for name, _step in steps:
        assert tally[f"{name} done"] > 0, f"nothing {name} in the burst: {dict(tally)}"
    result = audit.verify()
    assert result.ok, result.problem
