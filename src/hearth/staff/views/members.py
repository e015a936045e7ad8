"""Agency admins manage their own agency's members."""

from django.shortcuts import render

from hearth.platform import access, selectors, services
from hearth.platform import permissions as platform_perms
from hearth.platform.actions import form_action, posted
from hearth.platform.policy import requires
from hearth.staff.forms.members import MemberAddForm, MemberEditForm


@requires(platform_perms.MANAGE_MEMBERS)
def member_list(request):
    return render(request, "platform/members/list.html", {
        "members": selectors.member_list(actor=request.user),
    })


@requires(platform_perms.MANAGE_MEMBERS, methods=("GET", "POST"))
def member_add(request):
    agency = access.acting(request.user).agency
    return form_action(request, MemberAddForm(posted(request), agency=agency),
                       lambda data: services.member_add(actor=request.user, agency=agency, **data),
                       done=lambda membership: f"{membership.user} added as {membership.get_role_display()}.",
                       redirect_to="platform:member_list", template="platform/members/add.html")


@requires(platform_perms.MANAGE_MEMBERS, methods=("GET", "POST"))
def member_edit(request, membership_id):
    membership = selectors.member_get(actor=request.user, membership_id=membership_id)
    return form_action(request, MemberEditForm(posted(request), membership=membership),
                       lambda data: services.member_update(actor=request.user, membership=membership, **data),
                       done=f"{membership.user}'s membership was updated.", redirect_to="platform:member_list",
                       template="platform/members/edit.html", context={"membership": membership})
