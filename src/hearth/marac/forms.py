from __future__ import annotations

from django import forms

from hearth.platform.forms import GovukForm
from hearth.platform.models import Agency
from hearth.platform.roles import AgencyKind

from .models import ActionStatus

DATE_FORMATS = ["%d %m %Y", "%d/%m/%Y", "%Y-%m-%d"]


def _date(label: str, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, input_formats=DATE_FORMATS, help_text="For example, 27 3 2026",
                           error_messages={"invalid": "Enter a real date, for example 27 3 2026.",
                                           "required": f"Enter the {label.lower()}."}, **kwargs)


class ReferralForm(GovukForm):
    perpetrator = forms.ModelChoiceField(label="Alleged perpetrator (optional)", required=False, queryset=None,
                                         empty_label="Not known or not recorded")
    victim_knows = forms.BooleanField(label="The survivor knows about this referral", required=False)
    victim_consents = forms.BooleanField(label="The survivor agrees to it (consent is not required for MARAC)",
                                         required=False)
    judgement_reason = forms.CharField(
        label="Referring on your professional judgement? Say why (optional if a criterion is met)", required=False,
        max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    note = forms.CharField(label="Anything the coordinator should know (optional)", required=False, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, perpetrators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["perpetrator"].queryset = perpetrators
        self.fields["perpetrator"].label_from_instance = lambda p: f"{p.given_name} {p.family_name}"


class MeetingForm(GovukForm):
    held_on = _date("Date of the meeting")
    chair = forms.CharField(label="Chair", max_length=200, error_messages={"required": "Name the chair."})
    agencies = forms.ModelMultipleChoiceField(
        label="Agencies invited", queryset=Agency.objects.none(), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Invite at least one agency."})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agencies"].queryset = Agency.objects.filter(is_onboarded=True).exclude(
            kind__in=[AgencyKind.PERPETRATOR_SERVICE, AgencyKind.MARAC, AgencyKind.BOARD])


class ResearchReturnForm(GovukForm):
    holds_nothing = forms.BooleanField(label="My agency holds nothing about this case", required=False)
    summary = forms.CharField(label="What your agency holds (names, dates, aliases checked; contacts, incidents, "
                                    "concerns)", required=False, max_length=8000,
                              widget=forms.Textarea(attrs={"rows": 6}))


class MinuteForm(GovukForm):
    minute = forms.CharField(label="Minute of the meeting", max_length=20000, widget=forms.Textarea(attrs={"rows": 6}),
                             error_messages={"required": "Write the minute of the meeting."})

    def __init__(self, *args, cases=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.case_fields = []
        for case in cases:
            name = f"case_{case.pk}"
            field = forms.CharField(label=f"Case {case.position}: discussion and decisions", required=False,
                                    max_length=8000, widget=forms.Textarea(attrs={"rows": 4}))
            field.template_name = "forms/govuk/field_textarea.html"
            self.fields[name] = field
            self.case_fields.append((case, name))

    def case_minutes(self) -> dict[int, str]:
        return {case.pk: self.cleaned_data.get(name, "") for case, name in self.case_fields}


class ActionForm(GovukForm):
    description = forms.CharField(label="Action", max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
                                  error_messages={"required": "Describe the action."})
    owner_agency = forms.ModelChoiceField(label="Owning agency", queryset=Agency.objects.none(),
                                          empty_label="Choose an agency",
                                          error_messages={"required": "Choose the agency that owns this action."})
    owner_name = forms.CharField(label="Named person who owns it", max_length=200,
                                 error_messages={"required": "Name the person who owns this action."})
    due_on = _date("Date it is due")

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_agency"].queryset = agencies


class ActionUpdateForm(GovukForm):
    status = forms.ChoiceField(label="Status", choices=ActionStatus.choices, widget=forms.RadioSelect,
                               error_messages={"required": "Choose the action's status."})
    note = forms.CharField(label="Follow-up note", required=False, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 3}))
