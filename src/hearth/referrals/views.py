from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from hearth.people.models import Person
from hearth.platform import access
from hearth.platform import permissions as platform_perms
from hearth.platform.actions import perform
from hearth.platform.forms import add_validation_error
from hearth.platform.policy import record, requires
from hearth.platform.roles import Part
from hearth.referrals import permissions as referrals_perms

from . import selectors, services
from .forms import AcceptForm, DeclineForm, OutcomeForm, RedirectForm, ReferralForm, ResponseTargetsForm, WithdrawForm
from .models import Reason, Source, Urgency


def _post(request):
    return request.POST if request.method == "POST" else None


@record(referrals_perms.MAKE_REFERRAL, methods=("GET", "POST"))
def referral_new(request, person_id):
    person = selectors.person_for_referral(actor=request.user, person_id=person_id)
    children = Person.objects.visible_to(request.user).filter(
        households__household__members__person=person, households__is_child=True).distinct()
    # Only someone named as the alleged perpetrator in an incident with this person can be chosen.
    perpetrators = Person.objects.visible_to(request.user).filter(
        involvements__role="alleged_perpetrator",
        involvements__incident__involvements__person=person).exclude(pk=person.pk).distinct()
    form = ReferralForm(_post(request), agencies=selectors.receiving_agencies(actor=request.user), children=children,
                        visible_parts=access.parts_for(request.user, person), perpetrators=perpetrators)
    duplicate = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        send_anyway = data.pop("send_anyway")
        # A directory service's referral goes to its agency: check that agency for duplicates
        # (a service not on Hearth has none, and is refused with its contact route below).
        target = data["to_agency"] or getattr(data["to_service"], "agency", None)
        duplicate = selectors.open_duplicate(actor=request.user, person=person, to_agency=target) if target else None
        if duplicate is None or send_anyway:
            try:
                referral = services.referral_create(actor=request.user, request=services.ReferralRequest(
                    person=person, children=list(data.pop("children")), **data))
            except ValidationError as exc:
                add_validation_error(form, exc)
            else:
                messages.success(request, f"Referral sent to {referral.receiver_label}.")
                return redirect("referrals:referral_detail", referral_id=referral.pk)
    return render(request, "referrals/referral_form.html", {"form": form, "person": person, "duplicate": duplicate})


@requires(referrals_perms.VIEW_REFERRALS)
def inbox(request):
    view = request.GET.get("view", "new")
    view = view if view in selectors.INBOX_FILTERS else "new"
    narrow = selectors.inbox_narrowing(request.GET)
    referrals, counts = selectors.inbox(actor=request.user, view=view, **narrow)
    page = Paginator(referrals, 25).get_page(request.GET.get("page"))
    return render(request, "referrals/inbox.html", {
        "duplicates": selectors.possible_duplicates(actor=request.user, referrals=page.object_list),
        "page": page, "counts": counts, "view": view, "filters": selectors.INBOX_FILTERS, "narrow": narrow,
        "narrow_query": urlencode({k: v for k, v in narrow.items() if v}),
        "urgencies": Urgency.choices, "reasons": Reason.choices, "sources": Source.choices})


@requires(referrals_perms.VIEW_REFERRALS)
def sent(request):
    page = Paginator(selectors.sent(actor=request.user), 25).get_page(request.GET.get("page"))
    return render(request, "referrals/sent.html", {"page": page})


@record(referrals_perms.VIEW_REFERRALS)
def referral_detail(request, referral_id):
    view = selectors.referral_get(actor=request.user, referral_id=referral_id)
    if view.is_receiver:
        services.referral_receive(actor=request.user, referral=view.referral)
    return render(request, "referrals/referral_detail.html", _detail_context(request, view))


def _detail_context(request, view) -> dict:
    agencies = selectors.receiving_agencies(actor=request.user)
    labels = dict(Part.choices)
    return {
        "view": view, "referral": view.referral,
        "shared_labels": [labels.get(p, p) for p in view.referral.shared_parts],
        "accept_form": AcceptForm(workers=selectors.workers(actor=request.user)),
        "decline_form": DeclineForm(agencies=agencies),
        "redirect_form": RedirectForm(agencies=agencies),
        "outcome_form": OutcomeForm(), "withdraw_form": WithdrawForm(),
        "may_respond": view.is_receiver and access.may(request.user, referrals_perms.RESPOND),
    }


def _act(request, referral_id, form_class, action, template_key, **form_kwargs):
    """Run one lifecycle step from a POSTed form; on bad input show the referral with the errors."""
    view = selectors.referral_get(actor=request.user, referral_id=referral_id)
    form = form_class(request.POST, **form_kwargs)
    if form.is_valid():
        try:
            action(view.referral, form.cleaned_data)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            return redirect("referrals:referral_detail", referral_id=view.referral.pk)
    context = {**_detail_context(request, view), "form": form, template_key: form}
    return render(request, "referrals/referral_detail.html", context, status=400)


@record(referrals_perms.RESPOND, methods=("POST",))
def referral_accept(request, referral_id):
    return _act(request, referral_id, AcceptForm,
                lambda r, d: services.referral_accept(actor=request.user, referral=r, assigned_to=d["assigned_to"]),
                "accept_form", workers=selectors.workers(actor=request.user))


@record(referrals_perms.RESPOND, methods=("POST",))
def referral_decline(request, referral_id):
    return _act(request, referral_id, DeclineForm,
                lambda r, d: services.referral_decline(actor=request.user, referral=r, **d),
                "decline_form", agencies=selectors.receiving_agencies(actor=request.user))


@record(referrals_perms.RESPOND, methods=("POST",))
def referral_redirect(request, referral_id):
    return _act(request, referral_id, RedirectForm,
                lambda r, d: services.referral_redirect(actor=request.user, referral=r, **d),
                "redirect_form", agencies=selectors.receiving_agencies(actor=request.user))


@record(referrals_perms.RESPOND, methods=("POST",))
def referral_start(request, referral_id):
    view = selectors.referral_get(actor=request.user, referral_id=referral_id)
    perform(request, lambda: services.referral_start(actor=request.user, referral=view.referral))
    return redirect("referrals:referral_detail", referral_id=view.referral.pk)


@record(referrals_perms.RESPOND, methods=("POST",))
def referral_complete(request, referral_id):
    return _act(request, referral_id, OutcomeForm,
                lambda r, d: services.referral_complete(actor=request.user, referral=r, **d), "outcome_form")


@record(referrals_perms.MAKE_REFERRAL, methods=("POST",))
def referral_withdraw(request, referral_id):
    return _act(request, referral_id, WithdrawForm,
                lambda r, d: services.referral_withdraw(actor=request.user, referral=r, **d), "withdraw_form")


@requires(platform_perms.MANAGE_MEMBERS, methods=("GET", "POST"))
def response_targets(request):
    from .models import ResponseTarget
    from .timeliness import DEFAULT_HOURS

    agency = access.acting(request.user).agency
    current = {**DEFAULT_HOURS, **dict(ResponseTarget.objects.filter(agency=agency).values_list("urgency", "hours"))}
    form = ResponseTargetsForm(_post(request), initial={"routine_hours": current["routine"],
                                                         "urgent_hours": current["urgent"]})
    if request.method == "POST" and form.is_valid():
        try:
            services.response_targets_set(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, "Response targets saved. They apply to referrals sent from now on.")
            return redirect("platform:home")
    return render(request, "referrals/response_targets.html", {"form": form})
