"""Views of practical support: parse, call a selector or service, render."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse

from hearth.platform.actions import button_action, form_action, posted
from hearth.platform.policy import record, requires
from hearth.support import permissions as support_perms

from . import selectors, services
from .forms import (
    AllocateForm,
    AppealForm,
    ConfirmForm,
    DeliveredForm,
    DeliveryForm,
    DonationForm,
    HouseholdForm,
    ItemTypeForm,
    MovementForm,
    NeedForm,
    StoreForm,
)
from .models import DeliveryStatus


def _case_url(support_case_id) -> str:
    return reverse("support:case_detail", kwargs={"support_case_id": support_case_id})


# ---------------------------------------------------------------------------
# Dashboard, cases and needs
# ---------------------------------------------------------------------------

@requires(support_perms.VIEW_DASHBOARD)
def dashboard(request):
    return render(request, "support/dashboard.html", {"board": selectors.dashboard(actor=request.user)})


@requires(support_perms.VIEW_NEEDS)
def case_list(request):
    cases, waiting = selectors.case_list(actor=request.user)
    return render(request, "support/case_list.html", {"cases": cases, "waiting": waiting})


@record(support_perms.VIEW_NEEDS, methods=("POST",))
def case_open(request, support_referral_id):
    referral = selectors.referral_for_case(actor=request.user, support_referral_id=support_referral_id)
    return button_action(request, lambda: services.case_open(actor=request.user, referral=referral),
                         redirect_to=lambda case: _case_url(case.pk), back="support:case_list")


@record(support_perms.VIEW_NEEDS)
def case_detail(request, support_case_id):
    view = selectors.case_get(actor=request.user, support_case_id=support_case_id)
    return render(request, "support/case_detail.html", {"view": view, "case": view.case})


@record(support_perms.VIEW_NEEDS, methods=("GET", "POST"))
def case_household(request, support_case_id):
    view = selectors.case_get(actor=request.user, support_case_id=support_case_id)
    case = view.case
    form = HouseholdForm(posted(request), initial={
        "adults": case.adults, "children_ages": ", ".join(str(a) for a in case.children_ages)})
    return form_action(request, form, lambda d: services.case_household_set(
        actor=request.user, case=case, adults=d["adults"], children_ages=d["children_ages"]),
        done="Household updated.", redirect_to=_case_url(case.pk),
        template="support/household_form.html", context={"case": case}, status=400)


@record(support_perms.VIEW_NEEDS, methods=("GET", "POST"))
def need_add(request, support_case_id):
    view = selectors.case_get(actor=request.user, support_case_id=support_case_id)
    case = view.case
    form = NeedForm(posted(request), case=case, catalogue=selectors.catalogue(actor=request.user))
    return form_action(request, form, lambda d: services.need_add(actor=request.user, case=case, **d),
                       done="Need recorded.", redirect_to=_case_url(case.pk),
                       template="support/need_form.html", context={"case": case, "view": view}, status=400)


@record(support_perms.VIEW_NEEDS, methods=("POST",))
def needs_add_suggested(request, support_case_id):
    view = selectors.case_get(actor=request.user, support_case_id=support_case_id)
    return button_action(
        request, lambda: services.needs_add_suggested(actor=request.user, case=view.case,
                                                      keys=request.POST.getlist("suggestions")),
        done=lambda added: f"{len(added)} need(s) recorded.", redirect_to=_case_url(view.case.pk),
        # The refusal is shown beside the suggestions ticked, not as a message on another page.
        refused=lambda exc: render(request, "support/case_detail.html", {
            "view": view, "case": view.case, "suggestion_error": " ".join(exc.messages)}, status=400))


@record(support_perms.ALLOCATE, methods=("GET", "POST"))
def need_allocate(request, need_id):
    need = selectors.need_get(actor=request.user, need_id=need_id)
    options = selectors.allocation_options(need=need)
    outstanding = services.need_outstanding(need)
    initial = {"store": options[0].store.pk, "quantity": min(outstanding, options[0].available)} if options else {}
    form = AllocateForm(posted(request), stores=selectors.stores(actor=request.user), initial=initial)
    return form_action(request, form, lambda d: services.stock_allocate(
        actor=request.user, need=need, store=d["store"], quantity=d["quantity"]),
        done=f"Reserved for {need.member}.", redirect_to=_case_url(need.case_id),
        template="support/allocate_form.html",
        context={"need": need, "options": options, "outstanding": outstanding}, status=400)


@record(support_perms.ALLOCATE, methods=("POST",))
def allocation_release(request, allocation_id):
    allocation = selectors.allocation_get(actor=request.user, allocation_id=allocation_id)
    form = ConfirmForm(request.POST)
    return form_action(request, form, lambda d: services.allocation_release(actor=request.user, allocation=allocation),
                       done="Released back to stock.", redirect_to=_case_url(allocation.need.case_id),
                       template="support/problem.html",
                       context={"back": ("support:case_detail", allocation.need.case_id)}, status=400)


# ---------------------------------------------------------------------------
# Deliveries
# ---------------------------------------------------------------------------

@record(support_perms.ALLOCATE, methods=("GET", "POST"))
def delivery_new(request, support_case_id):
    view = selectors.case_get(actor=request.user, support_case_id=support_case_id)
    case = view.case
    free = selectors.allocations_free(view=view)
    form = DeliveryForm(posted(request), allocations=free, drivers=selectors.drivers(actor=request.user))
    return form_action(request, form, lambda d: services.delivery_arrange(
        actor=request.user, case=case, allocations=list(d["allocations"]), method=d["method"],
        slot_date=d["slot_date"], slot=d["slot"], driver=d["driver"], address=d["address"]),
        done=lambda delivery: f"Delivery {delivery.reference} arranged.",
        redirect_to=lambda delivery: reverse("support:delivery_detail", kwargs={"delivery_id": delivery.pk}),
        template="support/delivery_form.html", context={"case": case, "view": view}, status=400,
        # A safe address typed into a refused form is not sent back to the browser.
        forget=("address",))


@record(support_perms.DRIVE)
def delivery_detail(request, delivery_id):
    delivery = selectors.delivery_get(actor=request.user, delivery_id=delivery_id)
    return render(request, "support/delivery_detail.html", _delivery_context(request, delivery, DeliveredForm()))


def _delivery_context(request, delivery, confirm_form) -> dict:
    return {
        "delivery": delivery, "sheet": selectors.delivery_sheet(actor=request.user, delivery=delivery),
        "picks": selectors.pick_list(actor=request.user, delivery=delivery),
        "may_confirm": delivery.status == DeliveryStatus.PLANNED and services.may_confirm(request.user, delivery),
        "confirm_form": confirm_form}


@record(support_perms.DRIVE)
def delivery_note(request, delivery_id):
    delivery = selectors.delivery_get(actor=request.user, delivery_id=delivery_id)
    return render(request, "support/delivery_note.html", {
        "delivery": delivery, "sheet": selectors.delivery_sheet(actor=request.user, delivery=delivery)})


@record(support_perms.DRIVE, methods=("POST",))
def delivery_confirm(request, delivery_id):
    delivery = selectors.delivery_get(actor=request.user, delivery_id=delivery_id)
    form = DeliveredForm(request.POST)

    def after(_):
        if services.may_confirm(request.user, delivery) and request.user.pk == delivery.driver_id:
            return "support:van_sheet"
        return reverse("support:delivery_detail", kwargs={"delivery_id": delivery.pk})

    return form_action(request, form, lambda d: services.delivery_confirm(actor=request.user, delivery=delivery, **d),
                       done=f"Delivery {delivery.reference} recorded as delivered.", redirect_to=after,
                       template="support/delivery_detail.html",
                       context=lambda: _delivery_context(request, delivery, form), status=400)


@record(support_perms.ALLOCATE, methods=("POST",))
def delivery_cancel(request, delivery_id):
    delivery = selectors.delivery_get(actor=request.user, delivery_id=delivery_id)
    form = ConfirmForm(request.POST)
    return form_action(request, form, lambda d: services.delivery_cancel(actor=request.user, delivery=delivery),
                       done=f"Delivery {delivery.reference} cancelled; its items stay reserved.",
                       redirect_to=_case_url(delivery.case_id), template="support/problem.html",
                       context={"back": ("support:delivery_detail", delivery.pk)}, status=400)


@requires(support_perms.DRIVE)
def van_sheet(request):
    return render(request, "support/van_sheet.html", {"sheets": selectors.van_sheet(actor=request.user)})


# ---------------------------------------------------------------------------
# Stock and catalogue
# ---------------------------------------------------------------------------

@requires(support_perms.MANAGE_STOCK)
def stock(request):
    return render(request, "support/stock.html", {"rows": selectors.stock_levels(actor=request.user),
                                                  "stores": selectors.stores(actor=request.user)})


@requires(support_perms.MANAGE_STOCK, methods=("GET", "POST"))
def stock_movement_new(request):
    form = MovementForm(posted(request), stores=selectors.stores(actor=request.user),
                        catalogue=selectors.catalogue(actor=request.user))

    def act(d):
        if d["kind"] == "purchased":
            return services.stock_purchase(actor=request.user, store=d["store"], item=d["item"],
                                           quantity=d["quantity"], note=d["note"])
        return services.stock_write_off(actor=request.user, store=d["store"], item=d["item"],
                                        quantity=d["quantity"], note=d["note"])

    return form_action(request, form, act, done="Stock movement recorded.", redirect_to="support:stock",
                       template="support/movement_form.html")


@requires(support_perms.MANAGE_STOCK, methods=("GET", "POST"))
def item_new(request):
    return form_action(request, ItemTypeForm(posted(request)),
                       lambda d: services.item_type_create(actor=request.user, **d),
                       done=lambda item: f"{item.name} added to the catalogue.", redirect_to="support:stock",
                       template="support/item_form.html")


@requires(support_perms.MANAGE_STOCK, methods=("GET", "POST"))
def store_new(request):
    return form_action(request, StoreForm(posted(request)), lambda d: services.store_create(actor=request.user, **d),
                       done=lambda store: f"{store.name} added.", redirect_to="support:stock",
                       template="support/store_form.html")


@record(support_perms.MANAGE_STOCK)
def item_ledger(request, item_type_id):
    item = selectors.item_get(actor=request.user, item_type_id=item_type_id)
    return render(request, "support/ledger.html", {"item": item,
                                                   "movements": selectors.ledger(actor=request.user, item=item)})


@requires(support_perms.ALLOCATE)
def unmet(request):
    return render(request, "support/unmet.html", {"rows": selectors.unmet_needs(actor=request.user)})


# ---------------------------------------------------------------------------
# Appeals and donations
# ---------------------------------------------------------------------------

@requires(support_perms.RECORD_DONATIONS)
def appeal_list(request):
    return render(request, "support/appeal_list.html", {
        "appeals": selectors.appeal_list(actor=request.user),
        "donations": selectors.donation_list(actor=request.user)[:50]})


@requires(support_perms.RECORD_DONATIONS, methods=("GET", "POST"))
def appeal_new(request):
    form = AppealForm(posted(request), catalogue=selectors.catalogue(actor=request.user))
    return form_action(request, form, lambda d: services.appeal_create(actor=request.user, **d),
                       done=lambda appeal: f"Appeal {appeal.name} started.",
                       redirect_to=lambda appeal: reverse("support:appeal_detail", kwargs={"appeal_id": appeal.pk}),
                       template="support/appeal_form.html")


@record(support_perms.RECORD_DONATIONS)
def appeal_detail(request, appeal_id):
    appeal = selectors.appeal_get(actor=request.user, appeal_id=appeal_id)
    return render(request, "support/appeal_detail.html", {
        "appeal": appeal, "progress": selectors.appeal_progress(appeal),
        "donations": selectors.appeal_donations(appeal)})


@requires(support_perms.RECORD_DONATIONS, methods=("GET", "POST"))
def donation_new(request):
    form = DonationForm(posted(request), appeals=selectors.appeal_list(actor=request.user),
                        stores=selectors.stores(actor=request.user), catalogue=selectors.catalogue(actor=request.user))
    return form_action(request, form, lambda d: services.donation_record(actor=request.user, **d),
                       done="Donation recorded and added to stock.", redirect_to=_donation_url,
                       template="support/donation_form.html")


def _donation_url(donation) -> str:
    return reverse("support:donation_detail", kwargs={"donation_id": donation.pk})


@record(support_perms.RECORD_DONATIONS)
def donation_detail(request, donation_id):
    donation = selectors.donation_get(actor=request.user, donation_id=donation_id)
    return render(request, "support/donation_detail.html", {
        "donation": donation, "letter": selectors.thank_you_letter(donation),
        "lines": selectors.donation_lines(donation)})


@record(support_perms.RECORD_DONATIONS, methods=("POST",))
def donation_thanked(request, donation_id):
    donation = selectors.donation_get(actor=request.user, donation_id=donation_id)
    return button_action(request, lambda: services.donation_mark_thanked(actor=request.user, donation=donation),
                         done="Marked as thanked.", redirect_to=_donation_url(donation))

