from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse

from hearth.platform import access
from hearth.platform import permissions as platform_perms
from hearth.platform.actions import STAY, button_action, form_action, posted
from hearth.platform.policy import record, requires
from hearth.platform.roles import Part
from hearth.referrals import permissions as referrals_perms

from . import selectors, services
from .forms import AcceptForm, DeclineForm, OutcomeForm, RedirectForm, ReferralForm, ResponseTargetsForm, WithdrawForm
from .models import Reason, Source, Urgency


@record(referrals_perms.MAKE_REFERRAL, methods=("GET", "POST"))
def referral_new(request, person_id):
    person = selectors.person_for_referral(actor=request.user, person_id=person_id)
    form = ReferralForm(posted(request), agencies=selectors.receiving_agencies(actor=request.user),
                        children=selectors.referral_children(actor=request.user, person=person),
                        visible_parts=access.parts_for(request.user, person),
                        perpetrators=selectors.referral_perpetrators(actor=request.user, person=person))
    shown = {"person": person, "duplicate": None}

    def send(data):
        data = dict(data)
        send_anyway = data.pop("send_anyway")
        # A directory service's referral goes to its agency: check that agency for duplicates
        # (a service not on Hearth has none, and is refused with its contact route below).
        target = data["to_agency"] or getattr(data["to_service"], "agency", None)
        duplicate = selectors.open_duplicate(actor=request.user, person=person, to_agency=target) if target else None
        shown["duplicate"] = duplicate
        if duplicate is not None and not send_anyway:
            return STAY  # shown the open referral first: sent only if they choose to send anyway
        return services.referral_create(actor=request.user, request=services.ReferralRequest(
            person=person, children=list(data.pop("children")), **data))

    return form_action(request, form, send, done=lambda referral: f"Referral sent to {referral.receiver_label}.",
                       redirect_to=_detail_url, template="referrals/referral_form.html",
                       context=shown)


def _detail_url(referral) -> str:
    return reverse("referrals:referral_detail", kwargs={"referral_id": referral.pk})


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


def _step(request, referral_id, form_class, action, template_key, **form_kwargs):
    """One lifecycle step from a POSTed form; on bad input the referral is shown with the errors."""
    view = selectors.referral_get(actor=request.user, referral_id=referral_id)
    form = form_class(request.POST, **form_kwargs)
    return form_action(request, form, lambda data: action(view.referral, data),
                       redirect_to=_detail_url(view.referral), template="referrals/referral_detail.html",
                       context=lambda: {**_detail_context(request, view), "form": form, template_key: form},
                       status=400)


@record(referrals_perms.RESPOND, methods=("POST",))
def referral_accept(request, referral_id):
    return _step(request, referral_id, AcceptForm,
                lambda r, d: services.referral_accept(actor=request.user, referral=r, assigned_to=d["assigned_to"]),
                "accept_form", workers=selectors.workers(actor=request.user))


@record(referrals_perms.RESPOND, methods=("POST",))
def referral_decline(request, referral_id):
    return _step(request, referral_id, DeclineForm,
                lambda r, d: services.referral_decline(actor=request.user, referral=r, **d),
                "decline_form", agencies=selectors.receiving_agencies(actor=request.user))


@record(referrals_perms.RESPOND, methods=("POST",))
def referral_redirect(request, referral_id):
    return _step(request, referral_id, RedirectForm,
                lambda r, d: services.referral_redirect(actor=request.user, referral=r, **d),
                "redirect_form", agencies=selectors.receiving_agencies(actor=request.user))


@record(referrals_perms.RESPOND, methods=("POST",))
def referral_start(request, referral_id):
    view = selectors.referral_get(actor=request.user, referral_id=referral_id)
    return button_action(request, lambda: services.referral_start(actor=request.user, referral=view.referral),
                         redirect_to=_detail_url(view.referral))


@record(referrals_perms.RESPOND, methods=("POST",))
def referral_complete(request, referral_id):
    return _step(request, referral_id, OutcomeForm,
                lambda r, d: services.referral_complete(actor=request.user, referral=r, **d), "outcome_form")


@record(referrals_perms.MAKE_REFERRAL, methods=("POST",))
def referral_withdraw(request, referral_id):
    return _step(request, referral_id, WithdrawForm,
                lambda r, d: services.referral_withdraw(actor=request.user, referral=r, **d), "withdraw_form")


@requires(platform_perms.MANAGE_MEMBERS, methods=("GET", "POST"))
def response_targets(request):
    current = selectors.response_targets(actor=request.user)
    form = ResponseTargetsForm(posted(request), initial={"routine_hours": current["routine"],
                                                         "urgent_hours": current["urgent"]})
    return form_action(request, form, lambda data: services.response_targets_set(actor=request.user, **data),
                       done="Response targets saved. They apply to referrals sent from now on.",
                       redirect_to="platform:home", template="referrals/response_targets.html")
