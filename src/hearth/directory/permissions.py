"""Who may edit the service directory (registered in ``apps.py``)."""

from hearth.platform.access import Permission, has_role
from hearth.platform.roles import Role

MANAGE_DIRECTORY = Permission("directory.manage_directory", has_role(Role.PARTNERSHIP_ADMIN))

ALL = (MANAGE_DIRECTORY,)
