import datetime

from django import forms

from hearth.platform.forms import GovukForm, PartsFormMixin
from hearth.platform.models import BreakGlassReason, SealScope
from hearth.platform.services import break_glass_reason_problem

from .models import AbuseType, Gender, Person

DATE_FORMATS = ["%d %m %Y", "%d/%m/%Y", "%Y-%m-%d"]


class PersonForm(PartsFormMixin, GovukForm):
    """A person's details. Built with the reader's parts: a new record's author typed every
    field (``access.ALL_PARTS``); a change form shows only the parts the reader may see."""

    given_name = forms.CharField(label="Given name", max_length=100)
    family_name = forms.CharField(label="Family name", max_length=100)
    aliases = forms.CharField(label="Other names (optional)", max_length=300, required=False,
                              help_text="Nicknames, previous surnames or other spellings, separated by commas.")
    date_of_birth = forms.DateField(
        label="Date of birth (optional)", required=False,
        help_text="For example, 27 3 1990", input_formats=DATE_FORMATS,
        error_messages={"invalid": "Enter a real date of birth, for example 27 3 1990."},
    )
    approximate_age = forms.IntegerField(label="Approximate age, if the date of birth is not known (optional)",
                                         required=False, min_value=0, max_value=120)
    gender = forms.ChoiceField(label="Gender", choices=Gender.choices, initial=Gender.NOT_KNOWN, required=False)
    language = forms.CharField(label="Preferred language (optional)", max_length=60, required=False)
    interpreter_needed = forms.BooleanField(label="Needs an interpreter", required=False)
    phone = forms.CharField(label="Phone number (optional)", max_length=30, required=False,
                            widget=forms.TextInput(attrs={"autocomplete": "off", "type": "tel"}))
    email = forms.EmailField(label="Email address (optional)", max_length=254, required=False,
                             widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    safe_contact = forms.CharField(
        label="When and how is it safe to contact them? (optional)", required=False,
        max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
    )
    safe_address = forms.CharField(
        label="Safe address (optional)", required=False, max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
    )
    postcode = forms.CharField(label="Postcode (optional)", max_length=10, required=False,
                               widget=forms.TextInput(attrs={"autocomplete": "off"}))

    field_parts = {name: Person.FIELD_PARTS[name] for name in (
        "given_name", "family_name", "aliases", "date_of_birth", "approximate_age", "gender", "language",
        "interpreter_needed", "phone", "email", "safe_contact", "safe_address", "postcode")}

    def clean_date_of_birth(self):
        value = self.cleaned_data.get("date_of_birth")
        if value and value > datetime.date.today():
            raise forms.ValidationError("Date of birth must be in the past.")
        if value and value.year < 1900:
            raise forms.ValidationError("Enter a date of birth after 1900.")
        return value

    def clean_gender(self):
        return self.cleaned_data.get("gender") or Gender.NOT_KNOWN

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        digits = phone.replace(" ", "").replace("+", "").replace("-", "")
        if phone and (not digits.isdigit() or not 7 <= len(digits) <= 15):
            raise forms.ValidationError("Enter a phone number, like 01782 123456 or 07700 900982.")
        return phone

    def clean_postcode(self):
        postcode = " ".join(self.cleaned_data["postcode"].upper().split())
        compact = postcode.replace(" ", "")
        if postcode and not (5 <= len(compact) <= 7 and compact[:1].isalpha() and compact[-3:-2].isdigit()):
            raise forms.ValidationError("Enter a real postcode, like ST4 7NH.")
        return postcode


HELD_ELSEWHERE = "A record with matching name and date of birth is held elsewhere"


class MatchDecisionForm(GovukForm):
    decision = forms.ChoiceField(label="Is this one of these people?", widget=forms.RadioSelect,
                                 error_messages={"required": "Choose a record to link to, or create a new record."})

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = []
        for c in candidates:
            if not c.visible:
                # No score: it would move with details of the record the user cannot see.
                choices.append((c.choice, HELD_ELSEWHERE + ": ask the agency holding it to link it"))
                continue
            who = f"{c.name}, born {c.date_of_birth:%d %B %Y}" if c.date_of_birth else c.name
            choices.append((c.choice, f"{who} – {round(c.probability * 100)}% likely the same person"))
        choices.append(("new", "None of these: create a new record"))
        self.fields["decision"].choices = choices


class LinkRequestDeclineForm(GovukForm):
    reason = forms.CharField(
        label="Why are you declining the link?", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Your agency keeps this. The requesting agency is told only that you declined.",
        error_messages={"required": "Say why you are declining the link (your agency keeps this)."},
    )


class IncidentForm(GovukForm):
    occurred_on = forms.DateField(label="Date of the incident", help_text="For example, 14 6 2026",
                                  input_formats=DATE_FORMATS,
                                  error_messages={"invalid": "Enter a real date, for example 14 6 2026."})
    abuse_types = forms.MultipleChoiceField(label="What kind of abuse?", choices=AbuseType.choices,
                                            widget=forms.CheckboxSelectMultiple,
                                            error_messages={"required": "Choose at least one kind of abuse."})
    alleged_perpetrator = forms.ModelChoiceField(label="Alleged perpetrator (optional)", queryset=None,
                                                 required=False)
    children = forms.ModelMultipleChoiceField(label="Children present (optional)", queryset=None, required=False,
                                              widget=forms.CheckboxSelectMultiple)
    children_present = forms.BooleanField(label="Children were present (even if not named above)", required=False)
    police_reference = forms.CharField(label="Police reference (optional)", max_length=40, required=False)
    place = forms.CharField(label="Where it happened (optional)", max_length=300, required=False)
    summary = forms.CharField(label="What happened (optional)", max_length=4000, required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, people, children, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["alleged_perpetrator"].queryset = people
        self.fields["alleged_perpetrator"].label_from_instance = lambda p: f"{p.given_name} {p.family_name}"
        self.fields["children"].queryset = children
        self.fields["children"].label_from_instance = lambda p: f"{p.given_name} {p.family_name}"

    def clean_occurred_on(self):
        value = self.cleaned_data["occurred_on"]
        if value > datetime.date.today():
            raise forms.ValidationError("The date of the incident must be today or in the past.")
        return value


class BreakGlassForm(GovukForm):
    reason_category = forms.ChoiceField(
        label="Why do you need to see this record now?", choices=BreakGlassReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose why you need to open the record."},
    )
    reason = forms.CharField(
        label="Describe the emergency", max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=("In a sentence: who may come to harm and why it cannot wait. Your reviewer (your "
                   "data-protection officer, or the partnership's) is told at once and reads it."),
        error_messages={"required": "Describe the emergency: your reviewer reads it."},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if problem := break_glass_reason_problem(reason):
            raise forms.ValidationError(problem)
        return reason


class SealForm(GovukForm):
    scope = forms.ChoiceField(label="What should be restricted?", choices=SealScope.choices,
                              widget=forms.RadioSelect)
    reason = forms.CharField(label="Reason", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    named_users = forms.ModelMultipleChoiceField(
        label="Who else may see it?", required=False, queryset=None,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, colleagues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["named_users"].queryset = colleagues
