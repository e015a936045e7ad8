"""Forms of practical support. They parse; the services decide."""

from __future__ import annotations

import re

from django import forms

from hearth.people.forms import DATE_FORMATS
from hearth.platform.forms import GovukForm

from .models import Category, DeliveryMethod, DonorKind, NeedUrgency, Slot

DATE_HINT = "For example, 3 11 2026"
DATE_ERRORS = {"invalid": "Enter a real date, for example 3 11 2026.", "required": "Enter the date."}
# "3 single bed, 2 bedding" style lines are hard to type; one line per item: "Item name: quantity".
ITEM_LINE = re.compile(r"^\s*(?P<name>[^:]+?)\s*:\s*(?P<qty>-?\d+)\s*$")


def _quantity_field(label="How many?"):
    return forms.IntegerField(label=label, min_value=1, max_value=10000, widget=forms.NumberInput(
        attrs={"class": "govuk-input--width-4", "inputmode": "numeric"}), error_messages={
        "required": "Enter how many.", "invalid": "Enter a whole number, like 2.",
        "min_value": "Enter a number of 1 or more.", "max_value": "Enter a number up to 10000."})


class ItemLinesField(forms.CharField):
    """Items typed one per line as "Item name: quantity", matched to the catalogue."""

    widget = forms.Textarea(attrs={"rows": 5})

    def __init__(self, *args, catalogue=None, **kwargs):
        self.catalogue = catalogue
        super().__init__(*args, **kwargs)

    def clean(self, value):
        text = super().clean(value)
        found = []
        names = {i.name.lower(): i for i in self.catalogue} if self.catalogue is not None else {}
        for number, raw in enumerate((text or "").splitlines(), start=1):
            if not raw.strip():
                continue
            match = ITEM_LINE.match(raw)
            if not match:
                raise forms.ValidationError(f"Line {number}: write it as item name, a colon, then how many, "
                                            f"for example Easter egg: 40.")
            item = names.get(match["name"].lower())
            if item is None:
                raise forms.ValidationError(f"Line {number}: {match['name']} is not in your catalogue.")
            quantity = int(match["qty"])
            if quantity <= 0:
                raise forms.ValidationError(f"Line {number}: the number must be 1 or more.")
            found.append((item, quantity))
        return found


class NeedForm(GovukForm):
    member = forms.ChoiceField(label="Who is it for?", error_messages={"required": "Choose who it is for."})
    item = forms.ModelChoiceField(label="Item", queryset=None, empty_label="Choose an item",
                                  error_messages={"required": "Choose an item."})
    quantity = _quantity_field()
    size = forms.CharField(label="Size or age (if it matters)", required=False, max_length=60,
                           help_text="For example: age 9–10, single, 3–6 months.")
    urgency = forms.ChoiceField(label="How soon is it needed?", choices=NeedUrgency.choices,
                                widget=forms.RadioSelect, initial=NeedUrgency.THIS_WEEK)
    notes = forms.CharField(label="Notes for the charity team (optional)", required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 3}),
                            help_text="Only your agency sees these; the referrer never does.")

    def __init__(self, *args, case, catalogue, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [(c, c) for c in case.member_choices()]
        self.fields["item"].queryset = catalogue


class HouseholdForm(GovukForm):
    adults = forms.IntegerField(label="Adults", min_value=1, max_value=10, widget=forms.NumberInput(
        attrs={"class": "govuk-input--width-2"}), error_messages={"required": "Enter the number of adults.",
                                                                  "min_value": "Enter 1 or more adults."})
    children_ages = forms.CharField(label="Children's ages", required=False, max_length=60,
                                    help_text="Ages only, separated by commas, for example 9, 5.")

    def clean_children_ages(self):
        text = self.cleaned_data["children_ages"].strip()
        if not text:
            return []
        try:
            ages = [int(part) for part in re.split(r"[,\s]+", text) if part]
        except ValueError:
            raise forms.ValidationError("Enter ages as numbers separated by commas, for example 9, 5.") from None
        if any(a < 0 or a > 17 for a in ages):
            raise forms.ValidationError("Enter each child's age from 0 to 17.")
        return ages


class AllocateForm(GovukForm):
    store = forms.ModelChoiceField(label="From which store?", queryset=None, empty_label=None,
                                   widget=forms.RadioSelect, error_messages={"required": "Choose a store."})
    quantity = _quantity_field("How many to reserve?")

    def __init__(self, *args, stores, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores


class ConfirmForm(GovukForm):
    confirm = forms.BooleanField(label="Yes, I am sure", error_messages={"required": "Confirm to go ahead."})


class DeliveryForm(GovukForm):
    allocations = forms.ModelMultipleChoiceField(
        label="Items to take", queryset=None, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose the reserved items to take."})
    method = forms.ChoiceField(label="Delivery or collection?", choices=DeliveryMethod.choices,
                               widget=forms.RadioSelect, initial=DeliveryMethod.DELIVERY)
    slot_date = forms.DateField(label="Date", input_formats=DATE_FORMATS, help_text=DATE_HINT,
                                error_messages=DATE_ERRORS)
    slot = forms.ChoiceField(label="Slot", choices=Slot.choices, widget=forms.RadioSelect, initial=Slot.MORNING)
    driver = forms.ModelChoiceField(label="Driver (for a delivery)", queryset=None, required=False,
                                    empty_label="Choose a driver")
    address = forms.CharField(
        label="Safe address to deliver to (for a delivery)", required=False, max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
        help_text="As agreed with the family or their referrer. After saving it is shown only to the driver, "
                  "on the day, and to those allowed to see the safe address.")

    def __init__(self, *args, allocations, drivers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["allocations"].queryset = allocations
        self.fields["allocations"].label_from_instance = (
            lambda a: f"{a.quantity} × {a.need.item.name}{f' ({a.need.size})' if a.need.size else ''} "
                      f"for {a.need.member}, from {a.line.store.name}")
        self.fields["driver"].queryset = drivers
        self.fields["driver"].label_from_instance = lambda u: u.get_full_name() or u.get_username()


class DeliveredForm(GovukForm):
    received_by = forms.CharField(label="First name of the person who took the items in", max_length=120,
                                  error_messages={"required": "Enter the first name of the person who took "
                                                              "the items in."})
    confirmed = forms.BooleanField(label="Every item on the list was handed over",
                                   error_messages={"required": "Confirm that every item on the list was handed "
                                                               "over."})


class MovementForm(GovukForm):
    KINDS = [("purchased", "Purchased"), ("written_off", "Damaged or written off")]
    kind = forms.ChoiceField(label="What happened?", choices=KINDS, widget=forms.RadioSelect,
                             error_messages={"required": "Choose what happened."})
    store = forms.ModelChoiceField(label="Store", queryset=None, empty_label="Choose a store",
                                   error_messages={"required": "Choose a store."})
    item = forms.ModelChoiceField(label="Item", queryset=None, empty_label="Choose an item",
                                  error_messages={"required": "Choose an item."})
    quantity = _quantity_field()
    note = forms.CharField(label="Note (needed for a write-off)", required=False, max_length=300)

    def __init__(self, *args, stores, catalogue, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores
        self.fields["item"].queryset = catalogue


class StoreForm(GovukForm):
    name = forms.CharField(label="Store name", max_length=120, help_text="For example: Furniture unit, Longton.",
                           error_messages={"required": "Enter the store's name."})


class ItemTypeForm(GovukForm):
    name = forms.CharField(label="Name", max_length=120, error_messages={"required": "Enter the item's name."})
    category = forms.ChoiceField(label="Category", choices=Category.choices)
    unit = forms.CharField(label="Counted as", max_length=40, initial="item",
                           help_text="For example: item, set, pack, pair.")
    low_stock_level = forms.IntegerField(label="Tell the team when fewer than this many are available",
                                         min_value=0, initial=0, widget=forms.NumberInput(
                                             attrs={"class": "govuk-input--width-4"}),
                                         error_messages={"min_value": "Enter 0 or more."})
    has_size = forms.BooleanField(label="Needs a size or age (clothes, uniform)", required=False)


class AppealForm(GovukForm):
    name = forms.CharField(label="Appeal name", max_length=120,
                           error_messages={"required": "Enter the appeal's name, for example Winter coats 2026."})
    description = forms.CharField(label="What it is for (optional)", required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    starts_on = forms.DateField(label="Starts", input_formats=DATE_FORMATS, help_text=DATE_HINT,
                                error_messages=DATE_ERRORS)
    ends_on = forms.DateField(label="Ends", input_formats=DATE_FORMATS, help_text=DATE_HINT,
                              error_messages=DATE_ERRORS)
    targets = ItemLinesField(label="Target items (optional)", required=False,
                             help_text="One per line: item name, a colon, how many. For example: Easter egg: 200")

    def __init__(self, *args, catalogue, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["targets"].catalogue = list(catalogue)


class DonationForm(GovukForm):
    donor_kind = forms.ChoiceField(label="Who gave it?", choices=DonorKind.choices, widget=forms.RadioSelect,
                                   error_messages={"required": "Choose who gave the donation."})
    donor_name = forms.CharField(label="Donor's name (not for anonymous)", required=False, max_length=200)
    donor_address = forms.CharField(label="Donor's postal address, for the thank-you letter (optional)",
                                    required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    received_on = forms.DateField(label="Date received", input_formats=DATE_FORMATS, help_text=DATE_HINT,
                                  error_messages=DATE_ERRORS)
    appeal = forms.ModelChoiceField(label="Appeal (optional)", queryset=None, required=False,
                                    empty_label="Not part of an appeal")
    collected_by = forms.CharField(label="Who collected or brought it in (optional)", required=False,
                                   max_length=200, help_text="For example: Stoke North NPT PCSO team.")
    store = forms.ModelChoiceField(label="Where did it go?", queryset=None, empty_label="Choose a store",
                                   error_messages={"required": "Choose the store it went to."})
    lines = ItemLinesField(label="Items", required=False,
                           help_text="One per line: item name, a colon, how many. For example: Easter egg: 40")
    money_amount = forms.DecimalField(label="Money given, in pounds (optional)", required=False, max_digits=10,
                                      decimal_places=2, widget=forms.TextInput(
                                          attrs={"class": "govuk-input--width-5", "inputmode": "decimal"}),
                                      error_messages={"invalid": "Enter an amount in pounds, like 25.00."})
    gift_aid = forms.BooleanField(label="The donor made a Gift Aid declaration (money from a member of the "
                                        "public only)", required=False)

    def __init__(self, *args, appeals, stores, catalogue, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["appeal"].queryset = appeals
        self.fields["store"].queryset = stores
        self.fields["lines"].catalogue = list(catalogue)
