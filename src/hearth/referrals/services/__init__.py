"""The referral lifecycle. Every step is a function here: checked, atomic, audited, in the history.

Sending gives the receiving agency a relationship to exactly the shared parts; a decline
or withdrawal ends it at once; completion ends it after the lapse period.

By sub-domain: ``receivers`` (who may receive a referral), ``create`` (making and sending
one, from a ``ReferralRequest``), ``lifecycle`` (the receiver's answers and what follows),
``deadlines`` (response targets, reminders, escalation) and ``self_referral`` (the public
help site).
"""

from ._common import BEFORE_ACCEPTANCE_WITHHELD, SHAREABLE_PARTS
from .create import ReferralRequest, referral_create, referral_send
from .deadlines import (
    START_REMINDER_AFTER,
    referrals_escalate_overdue,
    referrals_remind_unstarted,
    response_targets_set,
)
from .lifecycle import (
    referral_accept,
    referral_complete,
    referral_decline,
    referral_receive,
    referral_redirect,
    referral_start,
    referral_withdraw,
)
from .receivers import (
    OFFERED_BY_KIND,
    agency_for_service,
    duplicate_open_referral,
    service_contact_route,
    unoffered_reasons,
)
from .self_referral import SELF_REFERRAL_REASON_BY_KIND, public_site_user, self_referral_receive

__all__ = [
    "BEFORE_ACCEPTANCE_WITHHELD", "OFFERED_BY_KIND", "SELF_REFERRAL_REASON_BY_KIND", "SHAREABLE_PARTS",
    "START_REMINDER_AFTER", "ReferralRequest", "agency_for_service", "duplicate_open_referral", "public_site_user",
    "referral_accept", "referral_complete", "referral_create", "referral_decline", "referral_receive",
    "referral_redirect", "referral_send", "referral_start", "referral_withdraw", "referrals_escalate_overdue",
    "referrals_remind_unstarted", "response_targets_set", "self_referral_receive", "service_contact_route",
    "unoffered_reasons",
]
