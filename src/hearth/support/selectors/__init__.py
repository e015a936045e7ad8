"""Reads of practical support, scoped to the acting agency and recorded in the audit.

Support records belong to the agency that keeps the store; people and referrals are read
only through their own selectors. The delivery address follows one rule
(``delivery_address_visible``): the driver, on the delivery's day, until it closes; or
whoever the access policy gives the person's safe address. Nothing here returns why a
family is being helped to a driver or onto a delivery note.

By sub-domain: ``cases`` (and needs, allocation options, the referrer's feedback),
``deliveries`` (the address rule, van sheets, pick lists), ``stock``, ``donations`` (and
appeals) and ``figures`` (the dashboard).
"""

from .cases import (
    NEEDS_MET,
    NOT_YET_MET,
    PARTLY_MET,
    CaseView,
    NeedRow,
    StoreOption,
    allocation_get,
    allocation_options,
    allocations_free,
    case_get,
    case_list,
    drivers,
    feedback_for_case,
    need_get,
    referral_feedback,
    referral_for_case,
)
from .deliveries import DeliverySheet, delivery_address_visible, delivery_get, delivery_sheet, pick_list, van_sheet
from .donations import (
    appeal_donations,
    appeal_get,
    appeal_list,
    appeal_progress,
    donation_get,
    donation_lines,
    donation_list,
    thank_you_letter,
)
from .figures import Dashboard, dashboard
from .stock import StockRow, UnmetRow, catalogue, item_get, ledger, stock_levels, store_line, stores, unmet_needs

__all__ = [
    "NEEDS_MET", "NOT_YET_MET", "PARTLY_MET", "CaseView", "Dashboard", "DeliverySheet", "NeedRow", "StockRow",
    "StoreOption", "UnmetRow", "allocation_get", "allocation_options", "allocations_free", "appeal_donations",
    "appeal_get", "appeal_list",
    "appeal_progress", "case_get", "case_list", "catalogue", "dashboard", "delivery_address_visible", "delivery_get",
    "delivery_sheet", "donation_get", "donation_lines", "donation_list",
    "drivers", "feedback_for_case", "item_get", "ledger",
    "need_get", "pick_list", "referral_feedback", "referral_for_case", "stock_levels", "store_line", "stores",
    "thank_you_letter", "unmet_needs", "van_sheet",
]
