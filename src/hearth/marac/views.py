"""Views of the MARAC app: thin, each declares its policy; reads via selectors, writes via services."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from hearth.marac import permissions as marac_perms
from hearth.platform import access
from hearth.platform.actions import button_action, form_action, posted
from hearth.platform.policy import record, requires
from hearth.platform.roles import Part
from hearth.risk import selectors as risk_selectors

from . import criteria, selectors, services
from .forms import ActionForm, ActionUpdateForm, MeetingForm, MinuteForm, ReferralForm, ResearchReturnForm
from .models import MeetingStatus


@record(marac_perms.REFER, methods=("GET", "POST"))
def refer(request, survivor_id):
    """Refer to MARAC: the criteria are shown with their reasons; judgement may be the criterion."""
    person, parts = risk_selectors.person_for_risk(actor=request.user, person_id=survivor_id, need=Part.RISK_LEVEL)
    form = ReferralForm(posted(request),
                        perpetrators=selectors.alleged_perpetrators(actor=request.user, person=person))

    def shown():
        # Reasons only where the reader may see the records and parts they come from (see risk_summary).
        return {"person": person, "criteria": risk_selectors.criteria_rows(
            criteria.evaluate(person), records=risk_selectors.records_in_view(request.user, person),
            details=risk_selectors.shows_details(parts))}

    return form_action(
        request, form, lambda data: services.marac_referral_create(actor=request.user, person=person, **data),
        done=lambda referral: f"Referred to MARAC{' (a repeat referral)' if referral.is_repeat else ''}. "
                              "The coordinator has been told.",
        redirect_to=reverse("risk:person_risk", kwargs={"survivor_id": person.pk}),
        template="marac/refer.html", context=shown)


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
    return form_action(request, MeetingForm(posted(request)),
                       lambda data: services.meeting_create(actor=request.user, **data),
                       done="Meeting planned. List the cases, then publish the agenda.",
                       redirect_to=_meeting_url, template="marac/meeting_form.html")


def _meeting_url(meeting) -> str:
    return reverse("marac:meeting_detail", kwargs={"marac_meeting_id": meeting.pk})


def _case_url(case_id) -> str:
    return reverse("marac:case_detail", kwargs={"marac_case_id": case_id})


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
        waiting = list(selectors.referrals_waiting(actor=request.user))
    return render(request, "marac/meeting_detail.html", {
        "meeting": meeting, "agenda": selectors.agenda(actor=request.user, meeting=meeting),
        "is_coordinator": is_coordinator and access.may(request.user, marac_perms.COORDINATE), "waiting": waiting})


@record(marac_perms.COORDINATE, methods=("POST",))
def meeting_list_case(request, marac_meeting_id):
    meeting = _coordinated(request, marac_meeting_id)
    referral = selectors.referral_chosen(actor=request.user, raw=str(request.POST.get("referral", "")))

    def list_case():
        if referral is None:
            raise ValidationError("Choose a referral to list.")
        return services.meeting_case_add(actor=request.user, meeting=meeting, referral=referral)

    return button_action(request, list_case,
                         done="Case listed. Invited agencies can now see it and research their records."
                         if meeting.agenda_published_at else
                         "Case listed. Invited agencies will see it when the agenda is published.",
                         redirect_to=_meeting_url(meeting))


@record(marac_perms.COORDINATE, methods=("POST",))
def meeting_publish(request, marac_meeting_id):
    meeting = _coordinated(request, marac_meeting_id)
    return button_action(request, lambda: services.meeting_publish_agenda(actor=request.user, meeting=meeting),
                         done="Agenda published. Invited agencies have been asked for their research.",
                         redirect_to=_meeting_url(meeting))


@record(marac_perms.COORDINATE, methods=("GET", "POST"))
def meeting_minute(request, marac_meeting_id):
    meeting = _coordinated(request, marac_meeting_id)
    cases = selectors.meeting_cases(meeting=meeting)
    initial = {"minute": meeting.minute, **{f"case_{c.pk}": c.minute for c in cases}}
    form = MinuteForm(posted(request), cases=cases, initial=initial)
    return form_action(request, form, lambda data: services.meeting_minute(
        actor=request.user, meeting=meeting, minute=data["minute"], case_minutes=form.case_minutes()),
        done="Minute saved and the meeting marked as held.", redirect_to=_meeting_url(meeting),
        template="marac/minute_form.html", context={"meeting": meeting})


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
        "may_return": selectors.is_invited(meeting=view.case.meeting, agency_id=membership.agency_id)
        and view.case.meeting.status != MeetingStatus.HELD,
        "may_coordinate": view.is_coordinator and access.may(request.user, marac_perms.COORDINATE),
        "own_agency_id": membership.agency_id})


@record(marac_perms.ATTEND, methods=("GET", "POST"))
def research_return(request, marac_case_id):
    view = selectors.case_get(actor=request.user, case_id=marac_case_id)
    initial = ({"holds_nothing": view.own_return.holds_nothing, "summary": view.own_return.summary}
               if view.own_return else None)
    form = ResearchReturnForm(posted(request), initial=initial)
    return form_action(request, form,
                       lambda data: services.research_return_save(actor=request.user, case=view.case, **data),
                       done="Research return saved.", redirect_to=_case_url(view.case.pk),
                       template="marac/research_form.html", context={"case": view.case, "view": view})


@record(marac_perms.COORDINATE, methods=("GET", "POST"))
def action_new(request, marac_case_id):
    view = selectors.case_get(actor=request.user, case_id=marac_case_id)
    if not view.is_coordinator:
        raise Http404
    form = ActionForm(posted(request), agencies=selectors.meeting_agencies(meeting=view.case.meeting))
    return form_action(request, form, lambda data: services.action_create(actor=request.user, case=view.case, **data),
                       done="Action added.", redirect_to=_case_url(view.case.pk),
                       template="marac/action_form.html", context={"case": view.case})


@record(marac_perms.ATTEND, methods=("GET", "POST"))
def action_update(request, marac_action_id):
    action = selectors.action_get(actor=request.user, action_id=marac_action_id)
    membership = access.acting(request.user)
    may_update = membership.agency_id in (action.owner_agency_id, action.case.meeting.coordinator_agency_id)
    if request.method == "POST" and not may_update:
        raise PermissionDenied(marac_perms.ATTEND)
    form = ActionUpdateForm(posted(request), initial={"status": action.status})
    return form_action(request, form, lambda data: services.action_update(actor=request.user, action=action, **data),
                       done="Action updated.", redirect_to=_case_url(action.case_id),
                       template="marac/action_update.html", context={"action": action, "may_update": may_update})
