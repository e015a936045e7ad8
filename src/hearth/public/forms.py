"""Forms of the public help site: the self-referral (translated) and the staff help-text editor."""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from hearth.directory import postcodes
from hearth.platform.forms import GovukForm

from .models import HelpSection

# Visitors on a shared device: the browser must not remember what they typed.
NO_MEMORY = {"autocomplete": "off", "autocapitalize": "off", "spellcheck": "false"}
# Angle brackets have no place in a name, phone number or message: refuse them plainly.
MARKUP = re.compile(r"[<>]")
PHONE = re.compile(r"^\+?[0-9 ()-]{7,20}$")


def _text(label, *, max_length, required=False, hint="", width="govuk-input--width-20"):
    return forms.CharField(label=label, max_length=max_length, required=required, help_text=hint,
                           widget=forms.TextInput(attrs={**NO_MEMORY, "class": width}))


class SelfReferralForm(GovukForm):
    """The least we need to help: a name, a safe way to reach you (or you call us), consent."""

    service = forms.TypedChoiceField(label=_("Who would you like help from?"), coerce=int,
                                     widget=forms.RadioSelect, error_messages={
                                         "required": _("Choose who you would like help from."),
                                         "invalid_choice": _("Choose who you would like help from.")})
    given_name = _text(_("First name"), max_length=60, required=True)
    family_name = _text(_("Last name"), max_length=60, required=True)
    date_of_birth = forms.CharField(
        label=_("Date of birth (if you want to give it)"), required=False, max_length=10,
        help_text=_("For example, 27 3 1980. It helps us find you if we already know you."),
        widget=forms.TextInput(attrs={**NO_MEMORY, "class": "govuk-input--width-10",
                                      "inputmode": "numeric"}))
    postcode = _text(_("Postcode (if you want to give it)"), max_length=10, width="govuk-input--width-10")
    how = forms.ChoiceField(label=_("How can we contact you safely?"), widget=forms.RadioSelect, choices=[
        ("contact_me", _("Contact me in the ways I choose below")),
        ("i_will_call", _("Do not contact me. I will call you")),
    ], error_messages={"required": _("Choose how we can contact you safely.")})
    phone = _text(_("Safe phone number"), max_length=20, width="govuk-input--width-20")
    email = forms.EmailField(label=_("Safe email address"), required=False, max_length=120,
                             error_messages={"invalid": _("Enter an email address like name@example.com.")},
                             widget=forms.EmailInput(attrs=dict(NO_MEMORY)))
    ways = forms.MultipleChoiceField(label=_("We may:"), required=False, widget=forms.CheckboxSelectMultiple,
                                     choices=[
                                         ("call", _("call this number")),
                                         ("voicemail", _("leave a voicemail")),
                                         ("text", _("send a text message")),
                                         ("email", _("send an email")),
                                     ])
    safe_times = _text(_("When is it safe to contact you?"), max_length=100, width="govuk-!-width-two-thirds",
                       hint=_("For example: weekdays after 6pm"))
    needs = forms.CharField(label=_("Tell us a little about what is happening (if you want to)"), required=False,
                            max_length=1000, widget=forms.Textarea(attrs={**NO_MEMORY, "rows": 4}))
    consent = forms.BooleanField(label=_("I agree that the service I chose can see what I wrote here and contact "
                                         "me in the ways I chose."),
                                 error_messages={"required": _("Tick the box to agree, so we can send your request.")})
    # A field people never see (hidden by CSS and from screen readers): only robots fill it.
    website = forms.CharField(required=False, label=_("Leave this empty"),
                              widget=forms.TextInput(attrs={**NO_MEMORY, "tabindex": "-1"}))
    started = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, services=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [(s.number, s.name) for s in services]
        for name in ("given_name", "family_name"):
            self.fields[name].error_messages["required"] = {
                "given_name": _("Enter your first name."), "family_name": _("Enter your last name.")}[name]
        for field in self.fields.values():
            field.error_messages.setdefault("max_length", _("This answer is too long. Make it shorter."))
            field.error_messages["max_length"] = _("This answer is too long. Make it shorter.")

    def clean(self):
        data = super().clean()
        for name in ("given_name", "family_name", "phone", "email", "safe_times", "needs", "postcode",
                     "date_of_birth"):
            if MARKUP.search(self.data.get(name, "") or ""):
                self.add_error(name, _("Remove the < and > characters."))
        how, ways = data.get("how"), set(data.get("ways") or [])
        if how == "contact_me":
            if not data.get("phone") and not data.get("email"):
                self.add_error("phone", _("Enter a safe phone number or email address, or choose "
                                          "‘I will call you’."))
            if data.get("phone") and not ways & {"call", "voicemail", "text"}:
                self.add_error("ways", _("Choose at least one way we may use your phone number."))
            if data.get("email") and "email" not in ways:
                self.add_error("ways", _("Tick ‘send an email’ if we may email you."))
            if ways & {"call", "voicemail", "text"} and not data.get("phone"):
                self.add_error("phone", _("Enter the safe phone number we may use."))
            if "email" in ways and not data.get("email"):
                self.add_error("email", _("Enter the safe email address we may use."))
        return data

    def clean_phone(self):
        value = self.cleaned_data.get("phone", "").strip()
        if value and not PHONE.match(value):
            raise forms.ValidationError(_("Enter a phone number, like 07700 900 982."))
        return value

    def clean_postcode(self):
        value = self.cleaned_data.get("postcode", "").strip()
        if not value:
            return ""
        if not postcodes.is_valid_format(value) or " " not in postcodes.normalise(value):
            raise forms.ValidationError(_("Enter a full postcode, like ST4 7NH."))
        try:
            postcodes.locate(value)
        except postcodes.PostcodeProblem as problem:
            if problem.code == "unknown":
                raise forms.ValidationError(_("We cannot find that postcode. Check it, or leave it empty.")) from None
        return postcodes.normalise(value)

    def clean_date_of_birth(self):
        value = self.cleaned_data.get("date_of_birth", "").strip()
        if not value:
            return None
        parts = re.split(r"[\s/.-]+", value)
        try:
            day, month, year = (int(p) for p in parts)
            born = date(year, month, day)
        except (ValueError, TypeError):
            raise forms.ValidationError(_("Enter your date of birth as day, month and year, like 27 3 1980.")) from None
        if born > date.today() or born.year < 1900:
            raise forms.ValidationError(_("Enter a real date of birth, in the past."))
        return born

    def clean_needs(self):
        return self.cleaned_data.get("needs", "").strip()


class HelpTextForm(GovukForm):
    """A partnership admin publishes a new version of one help section in one language."""

    section = forms.ChoiceField(label="Section", choices=HelpSection.choices)
    language = forms.ChoiceField(label="Language", choices=settings.LANGUAGES)
    title = forms.CharField(label="Heading", max_length=120,
                            )
    body = forms.CharField(label="Text", max_length=4000, help_text=(
        "Short sentences a 9-year-old could read. Leave a blank line between paragraphs; "
        "start a line with '- ' for a bullet point."), widget=forms.Textarea(attrs={"rows": 14}))

    def clean(self):
        data = super().clean()
        for name in ("title", "body"):
            if MARKUP.search(data.get(name) or ""):
                self.add_error(name, "Remove the < and > characters: the text is shown exactly as typed.")
        return data
