"""The kernel's own named permissions: members, the audit, break-glass, the partnership.

Every app declares its permissions like this, in its own ``permissions.py``, and registers
them from its ``AppConfig.ready()`` (``access.register``).
"""

from hearth.platform.access import BREAK_GLASS_ROLES, Permission, has_role, is_admin_of_agency
from hearth.platform.roles import Role

MANAGE_MEMBERS = Permission("platform.manage_members", is_admin_of_agency)
VIEW_AUDIT = Permission("platform.view_audit", has_role(Role.DATA_PROTECTION_OFFICER))
REVIEW_BREAK_GLASS = Permission("platform.review_break_glass", has_role(Role.DATA_PROTECTION_OFFICER))
USE_BREAK_GLASS = Permission("platform.use_break_glass", has_role(*BREAK_GLASS_ROLES))
MANAGE_PARTNERSHIP = Permission("platform.manage_partnership", has_role(Role.PARTNERSHIP_ADMIN))
VIEW_AGGREGATES = Permission("platform.view_aggregates", has_role(Role.ANALYST))

ALL = (MANAGE_MEMBERS, VIEW_AUDIT, REVIEW_BREAK_GLASS, USE_BREAK_GLASS, MANAGE_PARTNERSHIP, VIEW_AGGREGATES)
