from django import forms

from hearth.platform.forms import GovukForm
from hearth.platform.models import BreakGlassOutcome


class AuditSearchForm(GovukForm):
    username = forms.CharField(label="Username", required=False, max_length=150)
    object_type = forms.ChoiceField(
        label="Kind of record", required=False,
        choices=[("", "Any"), ("people.person", "Person"), ("platform.user", "Staff user"),
                 ("platform.membership", "Membership"), ("url", "Page")],
    )
    object_id = forms.CharField(label="Record number", required=False, max_length=64)
    date_from = forms.DateField(label="From (for example 1 11 2026)", required=False,
                                input_formats=["%d %m %Y", "%d/%m/%Y", "%Y-%m-%d"])
    date_to = forms.DateField(label="Up to and including", required=False,
                              input_formats=["%d %m %Y", "%d/%m/%Y", "%Y-%m-%d"])

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The end date must be the same as or after the start date.")
        if data.get("object_id") and not data.get("object_type"):
            self.add_error("object_type", "Choose the kind of record the number belongs to.")
        return data


class BreakGlassReviewForm(GovukForm):
    outcome = forms.ChoiceField(label="Outcome of your review", choices=BreakGlassOutcome.choices,
                                widget=forms.RadioSelect,
                                error_messages={"required": "Choose the outcome of your review."})
    note = forms.CharField(label="Review note", widget=forms.Textarea, max_length=2000,
                           help_text="What you checked and why you decided so. Stored encrypted.",
                           error_messages={"required": "Write a review note: what you checked and why you "
                                                       "decided so."})
    end_now = forms.BooleanField(label="End this access now", required=False)
