from django.shortcuts import render

from hearth.api import permissions as api_perms
from hearth.directory import permissions as directory_perms
from hearth.marac import permissions as marac_perms
from hearth.notify.services import notices_for
from hearth.people import permissions as people_perms
from hearth.platform import access
from hearth.platform import permissions as platform_perms
from hearth.platform.policy import signed_in
from hearth.public import permissions as public_perms
from hearth.referrals import permissions as referrals_perms
from hearth.risk import permissions as risk_perms


@signed_in
def home(request):
    user = request.user
    links = [
        (perm, label, url)
        for perm, label, url in [
            (people_perms.ADD_PERSON, "Record a person", "people:person_create"),
            (people_perms.VIEW_PERSON, "People your agency works with", "people:person_list"),
            (referrals_perms.VIEW_REFERRALS, "Referrals inbox", "referrals:inbox"),
            (platform_perms.MANAGE_MEMBERS, "Members of your agency", "platform:member_list"),
            (platform_perms.MANAGE_MEMBERS, "Referral response targets", "referrals:response_targets"),
            (api_perms.MANAGE_TOKENS, "Partner-system tokens", "api:token_list"),
            (directory_perms.MANAGE_DIRECTORY, "Service directory entries", "directory:manage_list"),
            (public_perms.EDIT_HELP, "Public help pages: text and languages", "public_admin:help_text_list"),
            (public_perms.REVIEW_HELD, "Self-referrals held back", "public_admin:held_list"),
            (platform_perms.VIEW_AUDIT, "Search the audit", "platform:audit_search"),
            (platform_perms.REVIEW_BREAK_GLASS, "Break-glass access to review", "platform:break_glass_list"),
            # risk and MARAC (issue 5)
            (marac_perms.COORDINATE, "MARAC: referrals, meetings, overdue actions", "marac:dashboard"),
            (marac_perms.ATTEND, "MARAC meetings your agency attends", "marac:meeting_list"),
            (risk_perms.VIEW_CASELOAD, "High-risk caseloads", "risk:caseload"),
            (risk_perms.VIEW_SCHOOL_NOTIFICATIONS, "Notifications about your pupils", "risk:school_inbox"),
            (risk_perms.VIEW_TOOLS, "Risk checklists and their versions", "risk:tool_list"),
        ]
        if access.may(user, perm)
    ]
    return render(request, "platform/home.html", {
        "links": links,
        "notices": notices_for(user)[:10],
    })
