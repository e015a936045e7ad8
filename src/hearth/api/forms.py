from django import forms

from hearth.platform.forms import GovukForm

from .models import Scope


class TokenForm(GovukForm):
    name = forms.CharField(label="Which system will use it?", max_length=120,
                           help_text="For example: Niche records system",
                           error_messages={"required": "Enter the name of the system that will use the token."})
    scopes = forms.MultipleChoiceField(label="What may it do?", choices=Scope.choices,
                                       widget=forms.CheckboxSelectMultiple,
                                       error_messages={"required": "Choose what the system may do."})
