"""Every write of practical support: checked, atomic, audited.

The stock rules callers may rely on:
- a balance is the sum of ledger movements; nothing edits a count;
- on hand, reserved and available (on hand − reserved) never go below zero: a movement
  that would make one negative is refused with a ``ValidationError`` and nothing is written;
- every movement is written while its store-and-item ``StockLine`` row is locked
  (``platform.locks.locked``: that row only, ``FOR NO KEY UPDATE``), so concurrent
  allocations of the same last item serialise: the first wins, the second is told how many are left;
- a delivered allocation never changes.
"""

from .cases import (
    OPENABLE_REFERRAL_STATUSES,
    Suggestion,
    case_household_set,
    case_open,
    case_suggestions,
    need_add,
    need_outstanding,
    needs_add_suggested,
)
from .catalogue import item_type_create, store_create
from .deliveries import (
    DRIVER_ROLES,
    allocation_release,
    contact_allowed,
    delivery_arrange,
    delivery_cancel,
    delivery_confirm,
    may_confirm,
    stock_allocate,
)
from .donations import appeal_create, donation_mark_thanked, donation_record
from .ledger import Balance, item_available, line_balance, stock_purchase, stock_write_off

__all__ = [
    "DRIVER_ROLES", "OPENABLE_REFERRAL_STATUSES", "Balance", "Suggestion", "allocation_release", "appeal_create",
    "case_household_set", "case_open", "case_suggestions", "contact_allowed", "delivery_arrange", "delivery_cancel",
    "delivery_confirm", "donation_mark_thanked", "donation_record", "item_available", "item_type_create",
    "line_balance", "may_confirm", "need_add", "need_outstanding", "needs_add_suggested", "stock_allocate",
    "stock_purchase", "stock_write_off", "store_create",
]
