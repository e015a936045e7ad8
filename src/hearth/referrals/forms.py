import datetime
import uuid

from django import forms

from hearth.people.forms import DATE_FORMATS
from hearth.platform.forms import GovukForm
from hearth.platform.roles import Part

from .models import LawfulBasis, Reason, RiskLevel, Urgency
from .services import SHAREABLE_PARTS


def _name(person):
    return f"{person.given_name} {person.family_name}"


class ReferralForm(GovukForm):
    to_agency = forms.ModelChoiceField(label="Refer to an agency", queryset=None, empty_label="Choose an agency",
                                       required=False)
    to_service = forms.ModelChoiceField(
        label="Or to a service in the directory", queryset=None, required=False, empty_label="Choose a service",
        help_text="A service of an agency on Hearth goes to that agency's inbox, with the service named.",
        error_messages={"invalid_choice": "Choose a service that is open in the directory."})
    reasons = forms.MultipleChoiceField(label="What is the referral for?", choices=Reason.choices,
                                        widget=forms.CheckboxSelectMultiple,
                                        error_messages={"required": "Choose what the referral is for."})
    needs = forms.CharField(label="What is needed (optional)", required=False, max_length=4000,
                            widget=forms.Textarea(attrs={"rows": 4}),
                            help_text="For example: beds for two children, bedding, a cooker, school uniform age 9.")
    urgency = forms.ChoiceField(label="How urgent is it?", choices=Urgency.choices, widget=forms.RadioSelect,
                                initial=Urgency.ROUTINE)
    risk_level = forms.ChoiceField(label="Risk level, if known", choices=RiskLevel.choices,
                                   initial=RiskLevel.NOT_KNOWN)
    children = forms.ModelMultipleChoiceField(label="Children to include (optional)", queryset=None, required=False,
                                              widget=forms.CheckboxSelectMultiple)
    alleged_perpetrator = forms.ModelChoiceField(label="Alleged perpetrator (optional)", queryset=None,
                                                 required=False, empty_label="None named")
    shared_parts = forms.MultipleChoiceField(
        label="What may the receiving agency see?", widget=forms.CheckboxSelectMultiple,
        help_text="Share only what they need. You cannot share more than you can see.",
        error_messages={"required": "Choose what the receiving agency may see."})
    lawful_basis = forms.ChoiceField(label="Lawful basis for sharing", choices=LawfulBasis.choices,
                                     widget=forms.RadioSelect,
                                     error_messages={"required": "Choose the lawful basis for sharing."})
    consent_taken_on = forms.DateField(label="Date consent was given (if consent)", required=False,
                                       input_formats=DATE_FORMATS, help_text="For example, 3 11 2026",
                                       error_messages={"invalid": "Enter a real date, for example 3 11 2026."})
    basis_reason = forms.CharField(label="Why share without consent? (if not consent)", required=False,
                                   max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    safe_to_call = forms.BooleanField(label="It is safe to phone them", required=False)
    safe_times = forms.CharField(label="Safe times to make contact (optional)", required=False, max_length=300)
    voicemail_ok = forms.BooleanField(label="A voicemail may be left", required=False)
    text_ok = forms.BooleanField(label="A text message may be sent", required=False)
    email_ok = forms.BooleanField(label="An email may be sent", required=False)
    survivor_will_call = forms.BooleanField(
        label="They will make contact themselves: nobody calls, texts or writes first", required=False)
    share_safe_address = forms.BooleanField(label="Give the safe address (for a delivery or visit)", required=False)
    send_anyway = forms.BooleanField(label="Send anyway: I know there is already an open referral", required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100, required=False)

    def __init__(self, *args, agencies, children, visible_parts, perpetrators=None, services=None, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        self.fields["to_agency"].queryset = agencies
        self.fields["to_service"].queryset = services if services is not None else _directory_services()
        self.fields["to_service"].label_from_instance = _service_label
        self.fields["children"].queryset = children
        self.fields["children"].label_from_instance = _name
        self.fields["alleged_perpetrator"].queryset = perpetrators if perpetrators is not None else children.none()
        self.fields["alleged_perpetrator"].label_from_instance = _name
        labels = dict(Part.choices)
        self.fields["shared_parts"].choices = [(p, labels[p]) for p in SHAREABLE_PARTS if p in visible_parts]

    def clean(self):
        data = super().clean()
        if self.has_error("to_service"):
            return data
        if data.get("to_agency") and data.get("to_service"):
            self.add_error("to_service", "Choose an agency or a service from the directory, not both.")
        elif not data.get("to_agency") and not data.get("to_service"):
            self.add_error("to_agency", "Choose the agency or service to refer to.")
        return data

    def clean_consent_taken_on(self):
        value = self.cleaned_data.get("consent_taken_on")
        if value and value > datetime.date.today():
            raise forms.ValidationError("The date consent was given must be today or in the past.")
        return value


def _directory_services():
    from hearth.directory.models import Service

    # Listed services (so a temporarily closed one is refused with a reason, not hidden); one
    # not on Hearth is refused with its contact route, so the sender still learns how to reach it.
    return Service.objects.listed().select_related("organization", "agency").order_by("name")


def _service_label(service) -> str:
    on_hearth = service.agency is not None and service.agency.is_onboarded
    return f"{service.name} ({service.agency.name})" if on_hearth else f"{service.name} (not on Hearth)"


class AcceptForm(GovukForm):
    assigned_to = forms.ModelChoiceField(label="Who will work with them?", queryset=None,
                                         error_messages={"required": "Choose the worker who will take this on."})

    def __init__(self, *args, workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = workers
        self.fields["assigned_to"].label_from_instance = lambda u: u.get_full_name() or u.username


class DeclineForm(GovukForm):
    reason = forms.CharField(label="Why are you declining?", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "Give the reason for declining: the sender will see it."})
    suggested_alternative = forms.ModelChoiceField(label="Suggest another agency (optional)", queryset=None,
                                                   required=False)

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["suggested_alternative"].queryset = agencies


class RedirectForm(GovukForm):
    to_agency = forms.ModelChoiceField(label="Pass it to", queryset=None,
                                       error_messages={"required": "Choose the agency to pass it to."})
    note = forms.CharField(label="Note for the sender (optional)", required=False, max_length=1000)

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_agency"].queryset = agencies


class OutcomeForm(GovukForm):
    outcome = forms.CharField(label="What was the outcome?", max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
                              error_messages={"required": "Describe the outcome: the sender will see it."})


class WithdrawForm(GovukForm):
    reason = forms.CharField(label="Why are you withdrawing it?", max_length=2000,
                             error_messages={"required": "Say why the referral is withdrawn."})


class ResponseTargetsForm(GovukForm):
    routine_hours = forms.IntegerField(label="Routine referrals: respond within (working hours)",
                                       help_text="8 working hours is one working day.",
                                       error_messages={"invalid": "Enter a whole number of hours."})
    urgent_hours = forms.IntegerField(label="Urgent referrals: respond within (hours, day or night)",
                                      error_messages={"invalid": "Enter a whole number of hours."})
