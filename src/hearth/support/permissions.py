"""Who may use practical support: needs, stock, donations, deliveries (registered in ``apps.py``).

Charity workers run the store and the families' needs; each page is scoped to the acting
agency's own support records. Drivers (volunteers, or a worker) see only their own
deliveries on the day: the delivery address rule is in support/selectors/deliveries.py.
"""

from hearth.platform.access import Permission, has_role
from hearth.platform.roles import Role

VIEW_NEEDS = Permission("support.view_needs", has_role(Role.CHARITY_WORKER))
ALLOCATE = Permission("support.allocate", has_role(Role.CHARITY_WORKER))
MANAGE_STOCK = Permission("support.manage_stock", has_role(Role.CHARITY_WORKER))
RECORD_DONATIONS = Permission("support.record_donations", has_role(Role.CHARITY_WORKER))
VIEW_DASHBOARD = Permission("support.view_dashboard", has_role(Role.CHARITY_WORKER))
DRIVE = Permission("support.drive", has_role(Role.DELIVERY_VOLUNTEER, Role.CHARITY_WORKER))

ALL = (VIEW_NEEDS, ALLOCATE, MANAGE_STOCK, RECORD_DONATIONS, VIEW_DASHBOARD, DRIVE)
