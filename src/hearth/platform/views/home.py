from django.shortcuts import render

from hearth.platform import access, ports
from hearth.platform.policy import signed_in


@signed_in
def home(request):
    user = request.user
    links = [
        (perm, label, url)
        for perm, label, url in [
            ("people.add_person", "Record a person", "people:person_create"),
            ("people.view_person", "People your agency works with", "people:person_list"),
            ("referrals.view_referrals", "Referrals inbox", "referrals:inbox"),
            ("platform.manage_members", "Members of your agency", "platform:member_list"),
            ("platform.manage_members", "Referral response targets", "referrals:response_targets"),
            ("api.manage_tokens", "Partner-system tokens", "api:token_list"),
            ("directory.manage_directory", "Service directory entries", "directory:manage_list"),
            ("public.edit_help", "Public help pages: text and languages", "public_admin:help_text_list"),
            ("public.review_held", "Self-referrals held back", "public_admin:held_list"),
            ("platform.view_audit", "Search the audit", "platform:audit_search"),
            ("platform.review_break_glass", "Break-glass access to review", "platform:break_glass_list"),
            # risk and MARAC (issue 5)
            ("marac.coordinate", "MARAC: referrals, meetings, overdue actions", "marac:dashboard"),
            ("marac.attend", "MARAC meetings your agency attends", "marac:meeting_list"),
            ("risk.view_caseload", "High-risk caseloads", "risk:caseload"),
            ("risk.view_school_notifications", "Notifications about your pupils", "risk:school_inbox"),
            ("risk.view_tools", "Risk checklists and their versions", "risk:tool_list"),
        ]
        if access.may(user, perm)
    ]
    return render(request, "platform/home.html", {
        "links": links,
        **ports.home_context(user),  # notify's unread notices, and what other apps add
    })
