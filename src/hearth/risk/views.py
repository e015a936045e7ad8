"""Views of the risk app: thin, each declares its policy; reads via selectors, writes via services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from hearth.platform import access
from hearth.platform.actions import button_action, form_action, posted
from hearth.platform.policy import record, requires
from hearth.platform.roles import Part
from hearth.risk import permissions as risk_perms

from . import ports, selectors, services
from .forms import (
    AllocationForm,
    AssessmentForm,
    ChildProfileForm,
    ReportedRiskForm,
    SafetyPlanForm,
    ToolChoiceForm,
)
from .models import SafetyPlanSection


@record(risk_perms.VIEW_RISK)
def person_risk(request, survivor_id):
    """The person's level, the trend of assessments, MARAC criteria with reasons and the prompt."""
    summary = selectors.risk_summary(actor=request.user, person_id=survivor_id)
    user = request.user
    results = ports.marac().evaluate(summary.person)  # once, for the table and the prompt
    prompt = ports.marac().prompt(summary.person, results=results)
    return render(request, "risk/person_risk.html", {
        "summary": summary, "person": summary.person,
        "criteria": selectors.criteria_rows(results, records=summary.records, details=summary.details),
        "prompt": prompt,
        "prompt_rows": selectors.criteria_rows(prompt.met, records=summary.records, details=summary.details),
        "may_assess": access.may(user, risk_perms.ASSESS) and summary.shows(Part.RISK_ANSWERS),
        "may_report": access.may(user, risk_perms.RECORD_REPORTED_GRADE),
        "may_refer": ports.marac().may_refer(user),
        "may_allocate": access.may(user, risk_perms.ALLOCATE),
        "may_plan": access.may(user, risk_perms.VIEW_SAFETY_PLAN) and summary.shows(Part.SAFETY_PLAN),
    })


def _assessment_form_page(request, *, person, version, draft=None, revises=None, initial=None):
    form = AssessmentForm(posted(request), version=version, initial=initial)
    context = {"person": person, "version": version, "draft": draft, "revises": revises}
    submitting = request.POST.get("action") == "submit"

    def save(data):
        saved = services.assessment_save_draft(
            actor=request.user, person=person, tool_version=version, mode=data["mode"],
            assessed_on=data["assessed_on"], answers=form.answers(), answer_sources=data["answer_sources"],
            fears_most=data["fears_most"], judgement_level=data["judgement_level"],
            judgement_reason=data["judgement_reason"], draft=draft, revises=revises)
        if submitting:
            # Should the submission be refused, the answers are kept as a draft: nothing typed is lost.
            context["draft"] = saved
            services.assessment_submit(actor=request.user, assessment=saved)
        return saved

    return form_action(request, form, save,
                       done="Assessment submitted and scored." if submitting
                       else "Saved as a draft. A draft is not scored.",
                       redirect_to=lambda saved: reverse("risk:assessment_detail",
                                                         kwargs={"assessment_id": saved.pk}),
                       template="risk/assessment_form.html", context=context)


@record(risk_perms.ASSESS, methods=("GET", "POST"))
def assessment_new(request, survivor_id):
    person, _parts = selectors.person_for_risk(actor=request.user, person_id=survivor_id, need=Part.RISK_ANSWERS)
    if request.method == "POST":
        chosen = selectors.tool_version_current(raw=str(request.POST.get("tool_version", "")))
        return _assessment_form_page(request, person=person, version=chosen or selectors.tool_version_default())
    chooser = ToolChoiceForm(request.GET or None)
    version = chooser.cleaned_data["tool_version"] if chooser.is_valid() else selectors.tool_version_default()
    return render(request, "risk/assessment_form.html", {
        "form": AssessmentForm(version=version), "person": person, "version": version, "chooser": chooser})


@record(risk_perms.VIEW_RISK)
def assessment_detail(request, assessment_id):
    assessment, parts, answers_visible = selectors.assessment_get(actor=request.user, assessment_id=assessment_id)
    rows = []
    if answers_visible:
        labels = {o["value"]: o["label"] for o in assessment.tool_version.answer_options}
        rows = [(n, q["text"], labels.get(assessment.answers.get(q["id"], ""), "Not answered"))
                for n, q in enumerate(assessment.tool_version.questions, start=1)]
    prompt = ports.marac().prompt(assessment.person) if not assessment.is_draft else None
    prompt_rows = selectors.criteria_rows(
        prompt.met, records=selectors.records_in_view(request.user, assessment.person),
        details=selectors.shows_details(parts)) if prompt else []
    return render(request, "risk/assessment_detail.html", {
        "assessment": assessment, "answers_visible": answers_visible, "rows": rows,
        "prompt": prompt, "prompt_rows": prompt_rows,
        # risk_level alone (charity, housing): the level, not the score or who assessed.
        "details": selectors.shows_details(parts),
        "may_change": access.may(request.user, risk_perms.ASSESS) and answers_visible
        and assessment.agency_id == access.acting(request.user).agency_id,
        "may_refer": ports.marac().may_refer(request.user),
    })


@record(risk_perms.ASSESS, methods=("GET", "POST"))
def assessment_change(request, assessment_id):
    """A draft is continued; a submitted assessment is revised as a new version (never overwritten)."""
    assessment, _parts, answers_visible = selectors.assessment_get(actor=request.user, assessment_id=assessment_id)
    if not answers_visible or assessment.agency_id != access.acting(request.user).agency_id:
        raise PermissionDenied(risk_perms.ASSESS)
    initial = AssessmentForm.initial_from(assessment)
    if assessment.is_draft:
        return _assessment_form_page(request, person=assessment.person, version=assessment.tool_version,
                                     draft=assessment, initial=initial)
    return _assessment_form_page(request, person=assessment.person, version=assessment.tool_version,
                                 revises=assessment, initial=initial)


@record(risk_perms.RECORD_REPORTED_GRADE, methods=("GET", "POST"))
def reported_new(request, survivor_id):
    person, _parts = selectors.person_for_risk(actor=request.user, person_id=survivor_id)
    return form_action(request, ReportedRiskForm(posted(request)),
                       lambda data: services.reported_risk_record(actor=request.user, person=person, **data),
                       done="Risk grade recorded as reported (no answers).", redirect_to=_person_url(person),
                       template="risk/reported_form.html", context={"person": person})


def _person_url(person) -> str:
    return reverse("risk:person_risk", kwargs={"survivor_id": person.pk})


@requires(risk_perms.VIEW_TOOLS)
def tool_list(request):
    return render(request, "risk/tool_list.html", {"tools": selectors.tools()})


@record(risk_perms.ALLOCATE, methods=("GET", "POST"))
def allocate(request, survivor_id):
    person, _parts = selectors.person_for_risk(actor=request.user, person_id=survivor_id)
    membership = access.acting(request.user)
    own_agency_only = membership.role == "da_caseworker"
    form = AllocationForm(posted(request), agency_id=membership.agency_id if own_agency_only else None)
    return form_action(request, form, lambda data: services.allocation_create(
        actor=request.user, person=person, worker_membership=data["worker"]),
        done="Worker allocated.", redirect_to=_person_url(person),
        template="risk/allocate.html", context={"person": person})


@requires(risk_perms.VIEW_CASELOAD)
def caseload(request):
    return render(request, "risk/caseload.html", {"by_worker": selectors.caseload(actor=request.user)})


@requires(risk_perms.VIEW_CASELOAD, methods=("POST",))
def allocation_end(request, risk_allocation_id):
    allocation = selectors.allocation_get(actor=request.user, allocation_id=risk_allocation_id)
    return button_action(request, lambda: services.allocation_end(actor=request.user, allocation=allocation),
                         done="Allocation ended.", redirect_to="risk:caseload")


@record(risk_perms.VIEW_SAFETY_PLAN)
def safety_plan(request, survivor_id):
    person, _parts, plans = selectors.safety_plan_get(actor=request.user, person_id=survivor_id)
    return render(request, "risk/safety_plan.html", {
        "person": person, "plans": plans, "today": timezone.localdate(),
        "may_write": access.may(request.user, risk_perms.WRITE_SAFETY_PLAN)})


@record(risk_perms.WRITE_SAFETY_PLAN, methods=("GET", "POST"))
def safety_plan_change(request, survivor_id):
    person, _parts, plans = selectors.safety_plan_get(actor=request.user, person_id=survivor_id)
    own = next((p for p in plans if p.agency_id == access.acting(request.user).agency_id), None)
    current = own.current() if own else None
    initial = dict(current.sections) if current else None
    form = SafetyPlanForm(posted(request), initial=initial)
    return form_action(request, form, lambda data: services.safety_plan_save(
        actor=request.user, person=person, sections=form.sections(), review_on=data["review_on"]),
        done="Plan saved as a new version. Earlier versions are kept.",
        redirect_to=reverse("risk:safety_plan", kwargs={"survivor_id": person.pk}),
        template="risk/safety_plan_form.html", context={"person": person, "current": current})


@record(risk_perms.VIEW_SAFETY_PLAN)
def safety_plan_print(request, survivor_id):
    """A plain printable copy. Its title does not name abuse: it may be found by the wrong person."""
    person, _parts, plans = selectors.safety_plan_get(actor=request.user, person_id=survivor_id)
    own = next((p for p in plans if p.agency_id == access.acting(request.user).agency_id), None) or (
        plans[0] if plans else None)
    version = own.current() if own else None
    if version is None:
        messages.error(request, "There is no plan to print yet.")
        return redirect("risk:safety_plan", survivor_id=person.pk)
    return render(request, "risk/safety_plan_print.html", {"person": person, "version": version,
                                                             "sections": SafetyPlanSection.choices})


@record(risk_perms.VIEW_CHILDREN)
def child(request, survivor_id):
    view = selectors.child_get(actor=request.user, person_id=survivor_id)
    notified = {(n.incident_id) for n in view.notifications}
    return render(request, "risk/child.html", {
        "view": view, "child": view.child, "notified": notified,
        "may_change": access.may(request.user, risk_perms.CHANGE_CHILDREN),
        "may_notify": access.may(request.user, risk_perms.NOTIFY_SCHOOL)})


@record(risk_perms.CHANGE_CHILDREN, methods=("GET", "POST"))
def child_change(request, survivor_id):
    view = selectors.child_get(actor=request.user, person_id=survivor_id)
    initial = {"school": view.profile.school_id, "needs": view.profile.needs} if view.profile else None
    form = ChildProfileForm(posted(request), initial=initial)
    return form_action(request, form, lambda data: services.child_profile_save(
        actor=request.user, child=view.child, **data),
        done="The child's needs and school are saved.", redirect_to=_child_url(view.child),
        template="risk/child_form.html", context={"child": view.child})


def _child_url(child) -> str:
    return reverse("risk:child", kwargs={"survivor_id": child.pk})


@record(risk_perms.NOTIFY_SCHOOL, methods=("POST",))
def child_notify_school(request, survivor_id):
    view = selectors.child_get(actor=request.user, person_id=survivor_id)
    shown = next((i for i in view.incidents_present if str(i.pk) == request.POST.get("incident")), None)

    def notify():
        if shown is None:
            raise ValidationError("Choose an incident the child was present at.")
        return services.school_notify(actor=request.user, child=view.child,
                                      incident=selectors.incident_for_notice(incident_id=shown.pk))

    return button_action(request, notify, done="The school's safeguarding lead has been notified.",
                         redirect_to=_child_url(view.child))


@requires(risk_perms.CHANGE_CHILDREN)
def children_without_school(request):
    """Children present at a recent incident whose school is not recorded: the school cannot be told until it is."""
    return render(request, "risk/children_without_school.html",
                  {"rows": selectors.children_without_school(actor=request.user)})


@requires(risk_perms.VIEW_SCHOOL_NOTIFICATIONS)
def school_inbox(request):
    return render(request, "risk/school_inbox.html", {"notifications": selectors.school_inbox(actor=request.user)})


@requires(risk_perms.VIEW_SCHOOL_NOTIFICATIONS, methods=("POST",))
def school_acknowledge(request, school_notification_id):
    notification = selectors.school_notification_get(actor=request.user, notification_id=school_notification_id)
    services.school_acknowledge(actor=request.user, notification=notification)
    messages.success(request, "Acknowledged. Thank you.")
    return redirect("risk:school_inbox")
