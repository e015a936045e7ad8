"""Who may manage partner-system tokens (registered in ``apps.py``)."""

from hearth.platform.access import Permission, is_admin_of_agency

# Agency admins make and revoke their own agency's partner-system tokens.
MANAGE_TOKENS = Permission("api.manage_tokens", is_admin_of_agency)

ALL = (MANAGE_TOKENS,)
