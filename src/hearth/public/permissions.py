"""Who may edit the public help site and review held self-referrals (registered in ``apps.py``)."""

from hearth.platform.access import Permission, has_role
from hearth.platform.roles import Role

EDIT_HELP = Permission("public.edit_help", has_role(Role.PARTNERSHIP_ADMIN))
REVIEW_HELD = Permission("public.review_held", has_role(Role.PARTNERSHIP_ADMIN))

ALL = (EDIT_HELP, REVIEW_HELD)
