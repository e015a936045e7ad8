"""Writes of risk data: tool versions, assessments, reported grades, allocations, safety
plans, children's profiles and school notifications.

Every function takes the acting user, checks the policy, runs in one transaction and
audits. Audit rows name fields, ids and counts, never answers or plan text.

By sub-domain: ``tool_versions``, ``assessments`` (and reported grades), ``allocations``
(IDVA), ``safety_plans`` and ``children`` (profiles and school notifications).
"""

from .allocations import allocation_create, allocation_end
from .assessments import assessment_save_draft, assessment_submit, reported_risk_record
from .children import (
    EncompassRun,
    child_profile_save,
    school_acknowledge,
    school_notifications_send_due,
    school_notify,
)
from .safety_plans import safety_plan_save
from .tool_versions import tool_version_add, tool_wording_import, tools_load_shipped

__all__ = [
    "EncompassRun", "allocation_create", "allocation_end", "assessment_save_draft", "assessment_submit",
    "child_profile_save", "reported_risk_record", "safety_plan_save", "school_acknowledge",
    "school_notifications_send_due", "school_notify", "tool_version_add", "tool_wording_import",
    "tools_load_shipped",
]
