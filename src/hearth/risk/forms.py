from __future__ import annotations

from django import forms

from hearth.platform.forms import GovukForm, widget_kind
from hearth.platform.models import Agency, Membership
from hearth.platform.roles import AgencyKind, Role

from .models import GradeKind, Level, Mode, RiskToolVersion, SafetyPlanSection

DATE_FORMATS = ["%d %m %Y", "%d/%m/%Y", "%Y-%m-%d"]
DATE_HELP = "For example, 27 3 2026"


def _date(label: str, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, input_formats=DATE_FORMATS, help_text=DATE_HELP,
                           error_messages={"invalid": "Enter a real date, for example 27 3 2026.",
                                           "required": f"Enter the {label.lower()}."}, **kwargs)


class AssessmentForm(GovukForm):
    """The checklist: one yes / no / not known question per risk factor, from the tool's version."""

    mode = forms.ChoiceField(label="Who took part?", choices=Mode.choices, widget=forms.RadioSelect,
                             error_messages={"required": "Say whether the survivor took part."})
    assessed_on = _date("Date of the assessment")

    def __init__(self, *args, version: RiskToolVersion, **kwargs):
        super().__init__(*args, **kwargs)
        self.version = version
        choices = [(o["value"], o["label"]) for o in version.answer_options]
        for number, question in enumerate(version.questions, start=1):
            field = forms.ChoiceField(label=f"{number}. {question['text']}", choices=choices, required=False,
                                      widget=forms.RadioSelect(attrs={"class": "govuk-radios--inline"}),
                                      help_text=question.get("guidance", ""))
            field.template_name = "forms/govuk/field_radios.html"
            self.fields[f"q_{question['id']}"] = field
        self.fields["fears_most"] = forms.CharField(
            label="In their own words: what do they fear most? (optional)", required=False, max_length=4000,
            widget=forms.Textarea(attrs={"rows": 3}))
        self.fields["answer_sources"] = forms.CharField(
            label="Who gave the answers, where not the survivor? (optional)", required=False, max_length=2000,
            widget=forms.Textarea(attrs={"rows": 2}))
        self.fields["judgement_level"] = forms.ChoiceField(
            label="Your professional judgement (optional)", required=False,
            choices=[("", "Use the level the score gives"), (Level.MEDIUM, "Raise to at least medium"),
                     (Level.HIGH, "Raise to high")],
            help_text="Judgement may raise the level, never lower it.")
        self.fields["judgement_reason"] = forms.CharField(
            label="Why? (if you use your judgement)", required=False, max_length=2000,
            widget=forms.Textarea(attrs={"rows": 2}))
        # Fields added after GovukForm's own __init__ need their GOV.UK template named here.
        for name in ("fears_most", "answer_sources", "judgement_level", "judgement_reason"):
            field = self.fields[name]
            field.template_name = f"forms/govuk/field_{widget_kind(field.widget)}.html"

    def answers(self) -> dict:
        return {q["id"]: self.cleaned_data.get(f"q_{q['id']}") or "" for q in self.version.questions}

    @staticmethod
    def initial_from(assessment) -> dict:
        initial = {"mode": assessment.mode, "assessed_on": assessment.assessed_on,
                   "fears_most": assessment.fears_most, "answer_sources": assessment.answer_sources,
                   "judgement_level": assessment.judgement_level, "judgement_reason": assessment.judgement_reason}
        initial.update({f"q_{k}": v for k, v in (assessment.answers or {}).items()})
        return initial


class ToolChoiceForm(GovukForm):
    tool_version = forms.ModelChoiceField(label="Checklist", queryset=RiskToolVersion.objects.none(),
                                          empty_label=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tool_version"].queryset = RiskToolVersion.objects.filter(is_current=True).select_related("tool")
        self.fields["tool_version"].label_from_instance = lambda v: f"{v.tool.name} ({v.label})"


class ReportedRiskForm(GovukForm):
    kind = forms.ChoiceField(label="What does the referral carry?", choices=GradeKind.choices, widget=forms.RadioSelect,
                             error_messages={"required": "Say whether it carries a Dash score or a DARA grade."})
    dash_score = forms.IntegerField(label="Dash score (if a score)", required=False, min_value=0, max_value=27)
    dara_grade = forms.ChoiceField(label="DARA grade (if a grade)", required=False,
                                   choices=[("", "Choose a grade"), *Level.choices])
    reported_on = _date("Date it was graded")
    source_agency = forms.CharField(label="Who graded it?", max_length=200, initial="Staffordshire Police",
                                    error_messages={"required": "Say who graded the risk."})
    reference = forms.CharField(label="Their reference (optional)", max_length=60, required=False)


class AllocationForm(GovukForm):
    worker = forms.ModelChoiceField(label="IDVA or caseworker", queryset=Membership.objects.none(),
                                    empty_label="Choose a worker",
                                    error_messages={"required": "Choose an IDVA or caseworker."})

    def __init__(self, *args, agency_id: int | None, **kwargs):
        super().__init__(*args, **kwargs)
        workers = Membership.objects.active().filter(role=Role.DA_CASEWORKER).select_related("user", "agency")
        if agency_id is not None:
            workers = workers.filter(agency_id=agency_id)
        self.fields["worker"].queryset = workers
        self.fields["worker"].label_from_instance = lambda m: f"{m.user.get_full_name()} ({m.agency.name})"


class SafetyPlanForm(GovukForm):
    review_on = _date("Date to review the plan")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in SafetyPlanSection.choices:
            field = forms.CharField(label=label, required=False, max_length=4000,
                                    widget=forms.Textarea(attrs={"rows": 3}))
            field.template_name = "forms/govuk/field_textarea.html"
            self.fields[key] = field

    def sections(self) -> dict:
        return {key: self.cleaned_data.get(key, "") for key in SafetyPlanSection.values}


class ChildProfileForm(GovukForm):
    school = forms.ModelChoiceField(label="School", required=False, queryset=Agency.objects.none(),
                                    empty_label="Not at school, or not known")
    needs = forms.CharField(label="The child's own needs (optional)", required=False, max_length=4000,
                            widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = Agency.objects.filter(kind=AgencyKind.SCHOOL, is_onboarded=True)
