from django import forms

from hearth.platform.forms import GovukForm
from hearth.platform.models import Team
from hearth.platform.roles import Role


class _TeamChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class MemberAddForm(GovukForm):
    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150)
    email = forms.EmailField(label="Work email address", max_length=254)
    username = forms.SlugField(label="Username", max_length=150,
                               help_text="Letters, numbers, hyphens and underscores.")
    role = forms.ChoiceField(label="Role", choices=Role.choices)
    team = _TeamChoice(label="Team (optional)", queryset=Team.objects.none(), required=False)

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(agency=agency)


class MemberEditForm(GovukForm):
    role = forms.ChoiceField(label="Role", choices=Role.choices)
    team = _TeamChoice(label="Team (optional)", queryset=Team.objects.none(), required=False)
    is_active = forms.BooleanField(label="Active member", required=False)

    def __init__(self, *args, membership, **kwargs):
        kwargs.setdefault("initial", {"role": membership.role, "team": membership.team,
                                      "is_active": membership.is_active})
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(agency_id=membership.agency_id)
