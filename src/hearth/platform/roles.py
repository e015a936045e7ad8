"""Agency kinds, staff roles and the parts of a person's record (ACCESS.md).

Plain enumerations so every app names them the same way.
"""

from django.db import models


class AgencyKind(models.TextChoices):
    POLICE = "police", "Police team"
    DA_SERVICE = "da_service", "Domestic abuse service"
    CHARITY = "charity", "Charity"
    HOUSING = "housing", "Housing provider"
    REFUGE = "refuge", "Refuge provider"
    CHILDRENS_SERVICES = "childrens_services", "Children's services"
    SCHOOL = "school", "School"
    PERPETRATOR_SERVICE = "perpetrator_service", "Perpetrator service"
    COUNCIL = "council", "Council"
    HEALTH = "health", "Health"
    MARAC = "marac", "MARAC"
    BOARD = "board", "Partnership board"


class Role(models.TextChoices):
    POLICE_OFFICER = "police_officer", "Police officer"
    DA_CASEWORKER = "da_caseworker", "DA caseworker or IDVA"
    CHARITY_WORKER = "charity_worker", "Charity worker"
    DELIVERY_VOLUNTEER = "delivery_volunteer", "Delivery driver or volunteer"
    HOUSING_OFFICER = "housing_officer", "Housing officer or refuge worker"
    CHILDRENS_SOCIAL_WORKER = "childrens_social_worker", "Children's social worker"
    SCHOOL_SAFEGUARDING_LEAD = "school_safeguarding_lead", "School safeguarding lead"
    PERPETRATOR_WORKER = "perpetrator_worker", "Perpetrator programme worker"
    MARAC_COORDINATOR = "marac_coordinator", "MARAC coordinator"
    ANALYST = "analyst", "Analyst"
    AGENCY_ADMIN = "agency_admin", "Agency admin"
    DATA_PROTECTION_OFFICER = "data_protection_officer", "Data-protection officer"
    PARTNERSHIP_ADMIN = "partnership_admin", "Partnership admin"


class Part(models.TextChoices):
    """The separately protected parts of a person's record."""

    IDENTITY = "identity", "Identity"
    CONTACT = "contact", "Contact details and safe-contact instructions"
    SAFE_ADDRESS = "safe_address", "Safe address"
    HOUSEHOLD = "household", "Household"
    CHILDREN = "children", "Children's details"
    INCIDENTS = "incidents", "Incidents"
    RISK_LEVEL = "risk_level", "Risk level"
    RISK_ANSWERS = "risk_answers", "Risk checklist answers"
    SAFETY_PLAN = "safety_plan", "Safety plan"
    NOTES = "notes", "Case notes"
    NEEDS = "needs", "Practical needs"
    PERPETRATOR = "perpetrator", "Perpetrator record"
    EQUALITY = "equality", "Equality monitoring"


class RelationshipKind(models.TextChoices):
    """Why an agency may see a record (ACCESS.md, question 2)."""

    OWNER = "owner", "Created the record"
    REFERRAL = "referral", "Accepted referral"
    MARAC = "marac", "MARAC listing"
    PLACEMENT = "placement", "Placement"
    DELIVERY = "delivery", "Delivery"
