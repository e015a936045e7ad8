"""Directory forms: the public search, and the partnership admin's entry editor."""

from __future__ import annotations

from django import forms

from hearth.platform.forms import GovukForm
from hearth.platform.models import Agency

from .models import Status
from .taxonomy import AUDIENCES, LANGUAGES, NEEDS


class SearchForm(GovukForm):
    need = forms.ChoiceField(label="What do you need help with?", required=False,
                             choices=[("", "Anything")] + NEEDS)
    audience = forms.ChoiceField(label="Who is it for?", required=False, choices=[("", "Anyone")] + AUDIENCES)
    language = forms.ChoiceField(label="Language spoken", required=False, choices=[("", "Any language")] + LANGUAGES)
    postcode = forms.CharField(label="Postcode", required=False, max_length=10,
                               help_text="To see the nearest first, for example ST4 7NH.",
                               widget=forms.TextInput(attrs={"class": "govuk-input--width-10",
                                                             "autocomplete": "off", "spellcheck": "false"}))


class ServiceForm(GovukForm):
    organization_name = forms.CharField(label="Organisation that runs it", max_length=200)
    name = forms.CharField(label="Service name", max_length=200)
    description = forms.CharField(label="Description", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    phone = forms.CharField(label="Phone number", max_length=30, required=False,
                            widget=forms.TextInput(attrs={"class": "govuk-input--width-20"}))
    phone_description = forms.CharField(label="About the phone line", max_length=200, required=False,
                                        help_text="For example: 24 hours, free")
    email = forms.EmailField(label="Email", required=False)
    url = forms.URLField(label="Website", required=False, assume_scheme="https")
    area = forms.CharField(label="Area covered", max_length=200, required=False,
                           help_text="For a refuge give only the area, never the address.")
    needs = forms.MultipleChoiceField(label="Needs it meets", choices=NEEDS, required=False,
                                      widget=forms.CheckboxSelectMultiple)
    audiences = forms.MultipleChoiceField(label="Who it is for", choices=AUDIENCES, required=False,
                                          widget=forms.CheckboxSelectMultiple)
    languages = forms.MultipleChoiceField(label="Languages spoken", choices=LANGUAGES, required=False,
                                          widget=forms.CheckboxSelectMultiple)
    status = forms.ChoiceField(label="Status", choices=Status.choices)
    agency = forms.ModelChoiceField(label="Hearth agency (receives self-referrals)", required=False,
                                    queryset=Agency.objects.order_by("name"), empty_label="Not in Hearth")
    accepts_self_referrals = forms.BooleanField(label="Takes self-referrals through the help site", required=False)
    is_national = forms.BooleanField(label="National helpline", required=False)
