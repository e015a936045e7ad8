"""Data-protection officers: the audit viewer and break-glass reviews."""

from datetime import datetime, time, timedelta

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from hearth.platform import access, selectors, services
from hearth.platform import permissions as platform_perms
from hearth.platform.actions import form_action, posted
from hearth.platform.policy import requires
from hearth.staff.forms.dpo import AuditSearchForm, BreakGlassReviewForm


def _day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min)) if day else None


@requires(platform_perms.VIEW_AUDIT)
def audit_search(request):
    form = AuditSearchForm(request.GET or None)
    page = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        events = selectors.audit_search(
            actor=request.user, username=data["username"], object_type=data["object_type"],
            object_id=data["object_id"], date_from=_day_start(data["date_from"]),
            date_to=_day_start(data["date_to"] + timedelta(days=1)) if data["date_to"] else None,
        )
        page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "platform/dpo/audit_search.html", {"form": form, "page": page})


@requires(platform_perms.REVIEW_BREAK_GLASS)
def break_glass_list(request):
    return render(request, "platform/dpo/break_glass_list.html", {
        "grants": selectors.break_glass_list(actor=request.user),
        "partnership": selectors.is_partnership_reviewer(access.acting(request.user)),
    })


@requires(platform_perms.REVIEW_BREAK_GLASS, methods=("GET", "POST"))
def break_glass_review(request, grant_id):
    grant = selectors.break_glass_get(actor=request.user, grant_id=grant_id)
    return form_action(request, BreakGlassReviewForm(posted(request)),
                       lambda data: services.break_glass_review(actor=request.user, grant=grant, **data),
                       done="Review recorded.", redirect_to="platform:break_glass_list",
                       template="platform/dpo/break_glass_review.html", context={
                           "grant": grant, "reads": selectors.break_glass_reads(grant=grant),
                           "own": grant.user_id == request.user.pk,
                       })
