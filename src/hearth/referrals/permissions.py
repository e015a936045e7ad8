"""Who may send, see and answer referrals (registered in ``apps.py``)."""

from hearth.people.permissions import RECORDING_ROLES
from hearth.platform.access import Permission, has_role

# Roles that send, receive and answer referrals (schools and volunteers get notifications instead).
REFERRAL_ROLES = tuple(sorted(RECORDING_ROLES))

MAKE_REFERRAL = Permission("referrals.make_referral", has_role(*RECORDING_ROLES))
VIEW_REFERRALS = Permission("referrals.view_referrals", has_role(*REFERRAL_ROLES))
RESPOND = Permission("referrals.respond", has_role(*REFERRAL_ROLES))

ALL = (MAKE_REFERRAL, VIEW_REFERRALS, RESPOND)
