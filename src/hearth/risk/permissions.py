"""Who may use risk checklists, safety plans and children's notifications (registered in ``apps.py``).

The person's record decides which parts show (risk_level, risk_answers, safety_plan, children);
these say which roles may ever use the pages. Perpetrator services see a linked victim's
level through the people pages, never a checklist, plan or child's school.
"""

from hearth.platform.access import Permission, has_role
from hearth.platform.roles import Role

# Roles that see a risk page at all (issue 5).
RISK_VIEW_ROLES = (Role.POLICE_OFFICER, Role.DA_CASEWORKER, Role.CHARITY_WORKER, Role.HOUSING_OFFICER,
                   Role.CHILDRENS_SOCIAL_WORKER, Role.MARAC_COORDINATOR)

VIEW_RISK = Permission("risk.view_risk", has_role(*RISK_VIEW_ROLES))
ASSESS = Permission("risk.assess", has_role(Role.POLICE_OFFICER, Role.DA_CASEWORKER))
RECORD_REPORTED_GRADE = Permission("risk.record_reported_grade",
                                   has_role(Role.DA_CASEWORKER, Role.MARAC_COORDINATOR, Role.POLICE_OFFICER))
VIEW_TOOLS = Permission("risk.view_tools",
                        has_role(Role.POLICE_OFFICER, Role.DA_CASEWORKER, Role.MARAC_COORDINATOR))
ALLOCATE = Permission("risk.allocate", has_role(Role.DA_CASEWORKER, Role.MARAC_COORDINATOR))
VIEW_CASELOAD = Permission("risk.view_caseload", has_role(Role.DA_CASEWORKER))
VIEW_SAFETY_PLAN = Permission("risk.view_safety_plan", has_role(Role.DA_CASEWORKER))
WRITE_SAFETY_PLAN = Permission("risk.write_safety_plan", has_role(Role.DA_CASEWORKER))
VIEW_CHILDREN = Permission("risk.view_children", has_role(Role.POLICE_OFFICER, Role.DA_CASEWORKER,
                                                          Role.CHILDRENS_SOCIAL_WORKER, Role.HOUSING_OFFICER))
CHANGE_CHILDREN = Permission("risk.change_children",
                             has_role(Role.POLICE_OFFICER, Role.DA_CASEWORKER, Role.CHILDRENS_SOCIAL_WORKER))
NOTIFY_SCHOOL = Permission("risk.notify_school",
                           has_role(Role.POLICE_OFFICER, Role.DA_CASEWORKER, Role.CHILDRENS_SOCIAL_WORKER))
VIEW_SCHOOL_NOTIFICATIONS = Permission("risk.view_school_notifications", has_role(Role.SCHOOL_SAFEGUARDING_LEAD))

ALL = (VIEW_RISK, ASSESS, RECORD_REPORTED_GRADE, VIEW_TOOLS, ALLOCATE, VIEW_CASELOAD, VIEW_SAFETY_PLAN,
       WRITE_SAFETY_PLAN, VIEW_CHILDREN, CHANGE_CHILDREN, NOTIFY_SCHOOL, VIEW_SCHOOL_NOTIFICATIONS)
