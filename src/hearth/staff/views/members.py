"""Agency admins manage their own agency's members."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from hearth.platform import access, selectors, services
from hearth.platform import permissions as platform_perms
from hearth.platform.forms import add_validation_error
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
    form = MemberAddForm(request.POST if request.method == "POST" else None, agency=agency)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.member_add(actor=request.user, agency=agency, **form.cleaned_data)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, f"{membership.user} added as {membership.get_role_display()}.")
            return redirect("platform:member_list")
    return render(request, "platform/members/add.html", {"form": form})


@requires(platform_perms.MANAGE_MEMBERS, methods=("GET", "POST"))
def member_edit(request, membership_id):
    membership = selectors.member_get(actor=request.user, membership_id=membership_id)
    form = MemberEditForm(request.POST if request.method == "POST" else None, membership=membership)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update(actor=request.user, membership=membership, **form.cleaned_data)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, f"{membership.user}'s membership was updated.")
            return redirect("platform:member_list")
    return render(request, "platform/members/edit.html", {"form": form, "membership": membership})
