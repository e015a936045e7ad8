"""Who may refer to, coordinate and attend MARAC (registered in ``apps.py``)."""

from hearth.platform.access import Permission, has_role
from hearth.platform.roles import Role

# Roles that refer to MARAC, and attend it with the coordinator (issue 5).
MARAC_REFERRING_ROLES = (Role.POLICE_OFFICER, Role.DA_CASEWORKER, Role.HOUSING_OFFICER,
                         Role.CHILDRENS_SOCIAL_WORKER)

REFER = Permission("marac.refer", has_role(*MARAC_REFERRING_ROLES))
COORDINATE = Permission("marac.coordinate", has_role(Role.MARAC_COORDINATOR))
# Attending agencies: meetings they are invited to, their research returns, their actions.
# Never perpetrator services: research returns may hold a survivor's whereabouts.
ATTEND = Permission("marac.attend", has_role(Role.MARAC_COORDINATOR, *MARAC_REFERRING_ROLES))

ALL = (REFER, COORDINATE, ATTEND)
