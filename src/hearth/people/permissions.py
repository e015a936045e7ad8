"""Who may see, record, change, seal and link people (registered in ``apps.py``)."""

from hearth.platform.access import Permission, can_see_record, has_role, is_case_worker, is_owner_agency
from hearth.platform.roles import Role

# Roles that may record a new person (schools, volunteers and MARAC coordinators do not).
RECORDING_ROLES = frozenset({
    Role.POLICE_OFFICER, Role.DA_CASEWORKER, Role.CHARITY_WORKER, Role.HOUSING_OFFICER,
    Role.CHILDRENS_SOCIAL_WORKER, Role.PERPETRATOR_WORKER,
})
# Roles that confirm or undo identity links, and that see recognition warnings.
LINKING_ROLES = (Role.POLICE_OFFICER, Role.DA_CASEWORKER, Role.CHARITY_WORKER, Role.HOUSING_OFFICER,
                 Role.CHILDRENS_SOCIAL_WORKER)
RECOGNITION_ROLES = (Role.POLICE_OFFICER, Role.DA_CASEWORKER, Role.MARAC_COORDINATOR, Role.HOUSING_OFFICER,
                     Role.CHILDRENS_SOCIAL_WORKER)

# Drivers see a person only on their delivery's sheet (first name, address, number if allowed),
# never the record itself: their delivery relationship would otherwise open the whole identity.
VIEW_PERSON = Permission("people.view_person",
                         is_case_worker & ~has_role(Role.DELIVERY_VOLUNTEER) & can_see_record)
ADD_PERSON = Permission("people.add_person", has_role(*RECORDING_ROLES))
SEAL_PERSON = Permission("people.seal_person", has_role(Role.DA_CASEWORKER, Role.POLICE_OFFICER) & can_see_record)
CHANGE_PERSON = Permission("people.change_person", has_role(*RECORDING_ROLES) & is_owner_agency)
LINK_PERSON = Permission("people.link_person", has_role(*LINKING_ROLES) & can_see_record)
RECORD_INCIDENT = Permission("people.record_incident",
                             has_role(Role.POLICE_OFFICER, Role.DA_CASEWORKER, Role.CHILDRENS_SOCIAL_WORKER))
# Repeat-victim and serial-perpetrator warnings, and which other agencies know a person.
SEE_RECOGNITION = Permission("people.see_recognition", has_role(*RECOGNITION_ROLES))
SEE_OTHER_AGENCIES = Permission("people.see_other_agencies",
                                has_role(Role.POLICE_OFFICER, Role.DA_CASEWORKER, Role.MARAC_COORDINATOR))

ALL = (VIEW_PERSON, ADD_PERSON, SEAL_PERSON, CHANGE_PERSON, LINK_PERSON, RECORD_INCIDENT, SEE_RECOGNITION,
       SEE_OTHER_AGENCIES)
