"""Views of the MARAC app: thin, each declares its policy; reads via selectors, writes via services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from hearth.marac import permissions as marac_perms
from hearth.people.models import InvolvementRole, Person
from hearth.platform import access
from hearth.platform.actions import perform
from hearth.platform.forms import add_validation_error
from hearth.platform.models import Agency
from hearth.platform.policy import record, requires
from hearth.platform.roles import Part
from hearth.risk import selectors as risk_selectors

from . import criteria, selectors, services
from .forms import ActionForm, ActionUpdateForm, MeetingForm, MinuteForm, ReferralForm, ResearchReturnForm
from .models import MeetingStatus, ReferralStatus


@record(marac_perms.REFER, methods=("GET", "POST"))
def refer(request, survivor_id):
    """Refer to MARAC: the criteria are shown with their reasons; judgement may be the criterion."""
    person, parts = risk_selectors.person_for_risk(actor=request.user, person_id=survivor_id, need=Part.RISK_LEVEL)
    perpetrators = Person.objects.visible_to(request.user).filter(
        involvements__role=InvolvementRole.ALLEGED_PERPETRATOR,
        involvements__incident__involvements__person__identity_id=person.identity_id).distinct()
    form = ReferralForm(request.POST if request.method == "POST" else None, perpetrators=perpetrators)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.marac_referral_create(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, f"Referred to MARAC{' (a repeat referral)' if referral.is_repeat else ''}. "
                                      "The coordinator has been told.")
            return redirect("risk:person_risk", survivor_id=person.pk)
    # Reasons only where the reader may see the records and parts they come from (see risk_summary).
    shown = risk_selectors.criteria_rows(criteria.evaluate(person),
                                         records=risk_selectors.records_in_view(request.user, person),
                                         details=risk_selectors.shows_details(parts))
    return render(request, "marac/refer.html", {"form": form, "person": person, "criteria": shown})


@requires(marac_perms.COORDINATE)
def dashboard(request):
    return render(request, "marac/dashboard.html", {"board": selectors.dashboard(actor=request.user)})


@requires(marac_perms.COORDINATE)
def referral_list(request):
    referrals = selectors.referral_list(actor=request.user)
    return render(request, "marac/referral_list.html", {"referrals": referrals})


@requires(marac_perms.ATTEND)
def meeting_list(request):
    return render(request, "marac/meeting_list.html", {
        "meetings": selectors.meeting_list(actor=request.user),
        "may_coordinate": access.may(request.user, marac_perms.COORDINATE)})


@requires(marac_perms.COORDINATE, methods=("GET", "POST"))
def meeting_new(request):
    form = MeetingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, "Meeting planned. List the cases, then publish the agenda.")
            return redirect("marac:meeting_detail", marac_meeting_id=meeting.pk)
    return render(request, "marac/meeting_form.html", {"form": form})


def _coordinated(request, marac_meeting_id):
    meeting = selectors.meeting_get(actor=request.user, meeting_id=marac_meeting_id)
    if meeting.coordinator_agency_id != access.acting(request.user).agency_id:
        raise Http404
    return meeting


@record(marac_perms.ATTEND)
def meeting_detail(request, marac_meeting_id):
    meeting = selectors.meeting_get(actor=request.user, meeting_id=marac_meeting_id)
    is_coordinator = meeting.coordinator_agency_id == access.acting(request.user).agency_id
    waiting = []
    if is_coordinator and meeting.status != MeetingStatus.HELD:
        waiting = list(selectors.referral_list(actor=request.user).filter(status=ReferralStatus.WAITING))
    return render(request, "marac/meeting_detail.html", {
        "meeting": meeting, "agenda": selectors.agenda(actor=request.user, meeting=meeting),
        "is_coordinator": is_coordinator and access.may(request.user, marac_perms.COORDINATE), "waiting": waiting})


@record(marac_perms.COORDINATE, methods=("POST",))
def meeting_list_case(request, marac_meeting_id):
    meeting = _coordinated(request, marac_meeting_id)
    raw = str(request.POST.get("referral", ""))
    referral = selectors.referral_list(actor=request.user).filter(pk=raw).first() if raw.isdigit() else None
    if referral is None:
        messages.error(request, "Choose a referral to list.")
    else:
        perform(request, lambda: services.meeting_case_add(actor=request.user, meeting=meeting, referral=referral),
                done="Case listed. Invited agencies can now see it and research their records."
                if meeting.agenda_published_at else
                "Case listed. Invited agencies will see it when the agenda is published.")
    return redirect("marac:meeting_detail", marac_meeting_id=meeting.pk)


@record(marac_perms.COORDINATE, methods=("POST",))
def meeting_publish(request, marac_meeting_id):
    meeting = _coordinated(request, marac_meeting_id)
    perform(request, lambda: services.meeting_publish_agenda(actor=request.user, meeting=meeting),
            done="Agenda published. Invited agencies have been asked for their research.")
    return redirect("marac:meeting_detail", marac_meeting_id=meeting.pk)


@record(marac_perms.COORDINATE, methods=("GET", "POST"))
def meeting_minute(request, marac_meeting_id):
    meeting = _coordinated(request, marac_meeting_id)
    cases = list(meeting.cases.order_by("position"))
    initial = {"minute": meeting.minute, **{f"case_{c.pk}": c.minute for c in cases}}
    form = MinuteForm(request.POST if request.method == "POST" else None, cases=cases, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_minute(actor=request.user, meeting=meeting, minute=form.cleaned_data["minute"],
                                    case_minutes=form.case_minutes())
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, "Minute saved and the meeting marked as held.")
            return redirect("marac:meeting_detail", marac_meeting_id=meeting.pk)
    return render(request, "marac/minute_form.html", {"form": form, "meeting": meeting})


@record(marac_perms.ATTEND)
def case_detail(request, marac_case_id):
    view = selectors.case_get(actor=request.user, case_id=marac_case_id)
    rows = []
    if view.answers_visible:
        labels = {o["value"]: o["label"] for o in view.assessment.tool_version.answer_options}
        rows = [(n, q["text"], labels.get(view.assessment.answers.get(q["id"], ""), "Not answered"))
                for n, q in enumerate(view.assessment.tool_version.questions, start=1)]
    membership = access.acting(request.user)
    return render(request, "marac/case_detail.html", {
        "view": view, "case": view.case, "person": view.case.referral.person, "rows": rows,
        "today": timezone.localdate(),
        "may_return": view.case.meeting.agencies_invited.filter(pk=membership.agency_id).exists()
        and view.case.meeting.status != MeetingStatus.HELD,
        "may_coordinate": view.is_coordinator and access.may(request.user, marac_perms.COORDINATE),
        "own_agency_id": membership.agency_id})


@record(marac_perms.ATTEND, methods=("GET", "POST"))
def research_return(request, marac_case_id):
    view = selectors.case_get(actor=request.user, case_id=marac_case_id)
    initial = ({"holds_nothing": view.own_return.holds_nothing, "summary": view.own_return.summary}
               if view.own_return else None)
    form = ResearchReturnForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.research_return_save(actor=request.user, case=view.case, **form.cleaned_data)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, "Research return saved.")
            return redirect("marac:case_detail", marac_case_id=view.case.pk)
    return render(request, "marac/research_form.html", {"form": form, "case": view.case, "view": view})


@record(marac_perms.COORDINATE, methods=("GET", "POST"))
def action_new(request, marac_case_id):
    view = selectors.case_get(actor=request.user, case_id=marac_case_id)
    if not view.is_coordinator:
        raise Http404
    meeting = view.case.meeting
    agencies = Agency.objects.filter(pk__in=[*meeting.agencies_invited.values_list("pk", flat=True),
                                             meeting.coordinator_agency_id])
    form = ActionForm(request.POST if request.method == "POST" else None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_create(actor=request.user, case=view.case, **form.cleaned_data)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, "Action added.")
            return redirect("marac:case_detail", marac_case_id=view.case.pk)
    return render(request, "marac/action_form.html", {"form": form, "case": view.case})


@record(marac_perms.ATTEND, methods=("GET", "POST"))
def action_update(request, marac_action_id):
    action = selectors.action_get(actor=request.user, action_id=marac_action_id)
    membership = access.acting(request.user)
    may_update = membership.agency_id in (action.owner_agency_id, action.case.meeting.coordinator_agency_id)
    form = ActionUpdateForm(request.POST if request.method == "POST" else None, initial={"status": action.status})
    if request.method == "POST":
        if not may_update:
            raise PermissionDenied(marac_perms.ATTEND)
        if form.is_valid():
            try:
                services.action_update(actor=request.user, action=action, **form.cleaned_data)
            except ValidationError as exc:
                add_validation_error(form, exc)
            else:
                messages.success(request, "Action updated.")
                return redirect("marac:case_detail", marac_case_id=action.case_id)
    return render(request, "marac/action_update.html", {"form": form, "action": action, "may_update": may_update})



