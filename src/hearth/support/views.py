"""Views of practical support: parse, call a selector or service, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from hearth.platform.actions import perform
from hearth.platform.forms import add_validation_error
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


def _post(request):
    return request.POST if request.method == "POST" else None


def _run(form, action):
    """Call a service with the form's data; a ValidationError lands on the form. Returns the result or None."""
    if not form.is_valid():
        return None
    try:
        return action(form.cleaned_data)
    except ValidationError as exc:
        add_validation_error(form, exc)
        return None


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
    case = perform(request, lambda: services.case_open(actor=request.user, referral=referral))
    if case is None:
        return redirect("support:case_list")
    return redirect("support:case_detail", support_case_id=case.pk)


@record(support_perms.VIEW_NEEDS)
def case_detail(request, support_case_id):
    view = selectors.case_get(actor=request.user, support_case_id=support_case_id)
    return render(request, "support/case_detail.html", {"view": view, "case": view.case})


@record(support_perms.VIEW_NEEDS, methods=("GET", "POST"))
def case_household(request, support_case_id):
    view = selectors.case_get(actor=request.user, support_case_id=support_case_id)
    case = view.case
    form = HouseholdForm(_post(request), initial={
        "adults": case.adults, "children_ages": ", ".join(str(a) for a in case.children_ages)})
    if request.method == "POST" and _run(form, lambda d: services.case_household_set(
            actor=request.user, case=case, adults=d["adults"], children_ages=d["children_ages"])):
        messages.success(request, "Household updated.")
        return redirect("support:case_detail", support_case_id=case.pk)
    return render(request, "support/household_form.html", {"form": form, "case": case},
                  status=400 if form.errors else 200)


@record(support_perms.VIEW_NEEDS, methods=("GET", "POST"))
def need_add(request, support_case_id):
    view = selectors.case_get(actor=request.user, support_case_id=support_case_id)
    case = view.case
    form = NeedForm(_post(request), case=case, catalogue=selectors.catalogue(actor=request.user))
    if request.method == "POST" and _run(form, lambda d: services.need_add(actor=request.user, case=case, **d)):
        messages.success(request, "Need recorded.")
        return redirect("support:case_detail", support_case_id=case.pk)
    return render(request, "support/need_form.html", {"form": form, "case": case, "view": view},
                  status=400 if form.errors else 200)


@record(support_perms.VIEW_NEEDS, methods=("POST",))
def needs_add_suggested(request, support_case_id):
    view = selectors.case_get(actor=request.user, support_case_id=support_case_id)
    try:
        added = services.needs_add_suggested(actor=request.user, case=view.case,
                                             keys=request.POST.getlist("suggestions"))
    except ValidationError as exc:
        return render(request, "support/case_detail.html", {
            "view": view, "case": view.case, "suggestion_error": " ".join(exc.messages)}, status=400)
    messages.success(request, f"{len(added)} need(s) recorded.")
    return redirect("support:case_detail", support_case_id=view.case.pk)


@record(support_perms.ALLOCATE, methods=("GET", "POST"))
def need_allocate(request, need_id):
    need = selectors.need_get(actor=request.user, need_id=need_id)
    options = selectors.allocation_options(need=need)
    outstanding = services.need_outstanding(need)
    initial = {"store": options[0].store.pk, "quantity": min(outstanding, options[0].available)} if options else {}
    form = AllocateForm(_post(request), stores=selectors.stores(actor=request.user), initial=initial)
    if request.method == "POST" and _run(form, lambda d: services.stock_allocate(
            actor=request.user, need=need, store=d["store"], quantity=d["quantity"])):
        messages.success(request, f"Reserved for {need.member}.")
        return redirect("support:case_detail", support_case_id=need.case_id)
    return render(request, "support/allocate_form.html", {
        "form": form, "need": need, "options": options, "outstanding": outstanding},
        status=400 if form.errors else 200)


@record(support_perms.ALLOCATE, methods=("POST",))
def allocation_release(request, allocation_id):
    allocation = selectors.allocation_get(actor=request.user, allocation_id=allocation_id)
    form = ConfirmForm(request.POST)
    if _run(form, lambda d: services.allocation_release(actor=request.user, allocation=allocation)):
        messages.success(request, "Released back to stock.")
        return redirect("support:case_detail", support_case_id=allocation.need.case_id)
    return render(request, "support/problem.html", {
        "form": form, "back": ("support:case_detail", allocation.need.case_id)}, status=400)


# ---------------------------------------------------------------------------
# Deliveries
# ---------------------------------------------------------------------------

@record(support_perms.ALLOCATE, methods=("GET", "POST"))
def delivery_new(request, support_case_id):
    view = selectors.case_get(actor=request.user, support_case_id=support_case_id)
    case = view.case
    free = selectors.allocations_free(view=view)
    form = DeliveryForm(_post(request), allocations=free, drivers=selectors.drivers(actor=request.user))
    delivery = request.method == "POST" and _run(form, lambda d: services.delivery_arrange(
        actor=request.user, case=case, allocations=list(d["allocations"]), method=d["method"],
        slot_date=d["slot_date"], slot=d["slot"], driver=d["driver"], address=d["address"]))
    if delivery:
        messages.success(request, f"Delivery {delivery.reference} arranged.")
        return redirect("support:delivery_detail", delivery_id=delivery.pk)
    if form.errors:
        # A safe address typed into a refused form is not sent back to the browser.
        form.data = form.data.copy()
        form.data["address"] = ""
    return render(request, "support/delivery_form.html", {"form": form, "case": case, "view": view},
                  status=400 if form.errors else 200)


@record(support_perms.DRIVE)
def delivery_detail(request, delivery_id):
    delivery = selectors.delivery_get(actor=request.user, delivery_id=delivery_id)
    return render(request, "support/delivery_detail.html", {
        "delivery": delivery, "sheet": selectors.delivery_sheet(actor=request.user, delivery=delivery),
        "picks": selectors.pick_list(actor=request.user, delivery=delivery),
        "may_confirm": delivery.status == DeliveryStatus.PLANNED and services.may_confirm(request.user, delivery),
        "confirm_form": DeliveredForm()})


@record(support_perms.DRIVE)
def delivery_note(request, delivery_id):
    delivery = selectors.delivery_get(actor=request.user, delivery_id=delivery_id)
    return render(request, "support/delivery_note.html", {
        "delivery": delivery, "sheet": selectors.delivery_sheet(actor=request.user, delivery=delivery)})


@record(support_perms.DRIVE, methods=("POST",))
def delivery_confirm(request, delivery_id):
    delivery = selectors.delivery_get(actor=request.user, delivery_id=delivery_id)
    form = DeliveredForm(request.POST)
    if _run(form, lambda d: services.delivery_confirm(actor=request.user, delivery=delivery, **d)):
        messages.success(request, f"Delivery {delivery.reference} recorded as delivered.")
        if services.may_confirm(request.user, delivery) and request.user.pk == delivery.driver_id:
            return redirect("support:van_sheet")
        return redirect("support:delivery_detail", delivery_id=delivery.pk)
    return render(request, "support/delivery_detail.html", {
        "delivery": delivery, "sheet": selectors.delivery_sheet(actor=request.user, delivery=delivery),
        "picks": selectors.pick_list(actor=request.user, delivery=delivery),
        "may_confirm": delivery.status == DeliveryStatus.PLANNED and services.may_confirm(request.user, delivery),
        "confirm_form": form, "form": form}, status=400)


@record(support_perms.ALLOCATE, methods=("POST",))
def delivery_cancel(request, delivery_id):
    delivery = selectors.delivery_get(actor=request.user, delivery_id=delivery_id)
    form = ConfirmForm(request.POST)
    if _run(form, lambda d: services.delivery_cancel(actor=request.user, delivery=delivery)):
        messages.success(request, f"Delivery {delivery.reference} cancelled; its items stay reserved.")
        return redirect("support:case_detail", support_case_id=delivery.case_id)
    return render(request, "support/problem.html", {
        "form": form, "back": ("support:delivery_detail", delivery.pk)}, status=400)


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
    form = MovementForm(_post(request), stores=selectors.stores(actor=request.user),
                        catalogue=selectors.catalogue(actor=request.user))

    def act(d):
        if d["kind"] == "purchased":
            return services.stock_purchase(actor=request.user, store=d["store"], item=d["item"],
                                           quantity=d["quantity"], note=d["note"])
        return services.stock_write_off(actor=request.user, store=d["store"], item=d["item"],
                                        quantity=d["quantity"], note=d["note"])

    if request.method == "POST" and _run(form, act):
        messages.success(request, "Stock movement recorded.")
        return redirect("support:stock")
    return render(request, "support/movement_form.html", {"form": form})


@requires(support_perms.MANAGE_STOCK, methods=("GET", "POST"))
def item_new(request):
    form = ItemTypeForm(_post(request))
    item = request.method == "POST" and _run(form, lambda d: services.item_type_create(actor=request.user, **d))
    if item:
        messages.success(request, f"{item.name} added to the catalogue.")
        return redirect("support:stock")
    return render(request, "support/item_form.html", {"form": form})


@requires(support_perms.MANAGE_STOCK, methods=("GET", "POST"))
def store_new(request):
    form = StoreForm(_post(request))
    store = request.method == "POST" and _run(form, lambda d: services.store_create(actor=request.user, **d))
    if store:
        messages.success(request, f"{store.name} added.")
        return redirect("support:stock")
    return render(request, "support/store_form.html", {"form": form})


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
    form = AppealForm(_post(request), catalogue=selectors.catalogue(actor=request.user))
    appeal = request.method == "POST" and _run(form, lambda d: services.appeal_create(actor=request.user, **d))
    if appeal:
        messages.success(request, f"Appeal {appeal.name} started.")
        return redirect("support:appeal_detail", appeal_id=appeal.pk)
    return render(request, "support/appeal_form.html", {"form": form})


@record(support_perms.RECORD_DONATIONS)
def appeal_detail(request, appeal_id):
    appeal = selectors.appeal_get(actor=request.user, appeal_id=appeal_id)
    return render(request, "support/appeal_detail.html", {
        "appeal": appeal, "progress": selectors.appeal_progress(appeal),
        "donations": appeal.donations.select_related("store")})


@requires(support_perms.RECORD_DONATIONS, methods=("GET", "POST"))
def donation_new(request):
    form = DonationForm(_post(request), appeals=selectors.appeal_list(actor=request.user),
                        stores=selectors.stores(actor=request.user), catalogue=selectors.catalogue(actor=request.user))
    donation = request.method == "POST" and _run(form, lambda d: services.donation_record(actor=request.user, **d))
    if donation:
        messages.success(request, "Donation recorded and added to stock.")
        return redirect("support:donation_detail", donation_id=donation.pk)
    return render(request, "support/donation_form.html", {"form": form})


@record(support_perms.RECORD_DONATIONS)
def donation_detail(request, donation_id):
    donation = selectors.donation_get(actor=request.user, donation_id=donation_id)
    return render(request, "support/donation_detail.html", {
        "donation": donation, "letter": selectors.thank_you_letter(donation),
        "lines": donation.lines.select_related("item")})


@record(support_perms.RECORD_DONATIONS, methods=("POST",))
def donation_thanked(request, donation_id):
    donation = selectors.donation_get(actor=request.user, donation_id=donation_id)
    perform(request, lambda: services.donation_mark_thanked(actor=request.user, donation=donation),
            done="Marked as thanked.")
    return redirect("support:donation_detail", donation_id=donation.pk)

