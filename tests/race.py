"""Two connections changing the same record at once, for the PostgreSQL-only concurrency tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import connection, transaction


def blocked_on_a_lock() -> bool:
    """Whether any connection to the test database is waiting for a lock."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0] > 0


def race(first: tuple[Callable, Callable], second: tuple[Callable, Callable]) -> dict[str, str]:
    """Run two ``(prepare, act)`` pairs on two connections and say how each ended.

    ``prepare()`` returns ``(membership, obj)``; both run before either acts, so each holds its
    own copy read before the other's change. ``act(user, obj)`` then runs acting as the
    membership. The first acts inside a transaction it holds open until the second is seen
    waiting on a lock (or two seconds pass), so the second acts on a record the first has just
    changed but not committed: exactly the busy-day race. Outcomes are ``"won"`` or the
    ``ValidationError``'s messages.
    """
    from hearth.platform import context

    both_loaded = threading.Barrier(2, timeout=20)
    first_has_written = threading.Event()
    outcomes: dict[str, str] = {}

    def run(name, prepare, act, hold):
        try:
            membership, obj = prepare()
            membership.user.membership = membership
            both_loaded.wait()
            if not hold:
                first_has_written.wait(timeout=20)
            with context.acting_as(membership.user, membership), transaction.atomic():
                act(membership.user, obj)
                if hold:
                    first_has_written.set()
                    for _ in range(40):
                        if blocked_on_a_lock():
                            break
                        time.sleep(0.05)
            outcomes[name] = "won"
        except ValidationError as exc:
            outcomes[name] = " ".join(exc.messages)
        finally:
            first_has_written.set()
            connection.close()

    threads = [threading.Thread(target=run, args=("first", *first, True)),
               threading.Thread(target=run, args=("second", *second, False))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes
