"""Row locks for state changes: one winner when two people change the same record at once.

A service that moves a record from one state to another re-reads its row under a lock inside
its transaction and checks the state there, not on the copy the view loaded: of two people
accepting the same referral at once, the second waits, then sees it accepted and is refused.

Locks take only the row meant (``of=("self",)``), never rows reached through
``select_related``, and ``FOR NO KEY UPDATE`` (``no_key=True``) because no state change
rewrites a primary key: rows inserted that point at the locked one (an event, a movement)
then only need a key-share lock on it and never wait for, or deadlock with, its holder.
SQLite has no row locks and serialises writers instead, so there these are plain reads.
"""

from __future__ import annotations

from django.db import models, transaction


def locked(model: type[models.Model]) -> models.QuerySet:
    """``model``'s rows for a state change: each locked on its own row, held to commit."""
    return model._base_manager.select_for_update(of=("self",), no_key=True)


def lock_for_change(obj: models.Model) -> models.Model:
    """Re-read ``obj`` from its row under a lock held until the transaction ends, and return it.

    The caller's instance is refreshed in place, so a status checked after this is the one
    committed by whoever changed it last. Must run inside a transaction.
    """
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError("lock_for_change needs a transaction")
    obj.refresh_from_db(from_queryset=locked(type(obj)))
    return obj
