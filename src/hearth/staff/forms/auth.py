from django import forms

from hearth.platform.forms import GovukForm


class SignInForm(GovukForm):
    username = forms.CharField(
        label="Username or email address", max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label="Password", strip=False, max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(GovukForm):
    code = forms.CharField(
        label="Security code",
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "spellcheck": "false"}),
    )

    def clean_code(self):
        code = self.cleaned_data["code"].replace(" ", "").replace("-", "").strip()
        if not code.isalnum():
            raise forms.ValidationError("Enter the code using only numbers and letters.")
        return code


class EnrolForm(GovukForm):
    code = forms.CharField(
        label="Security code from your app",
        help_text="After adding Hearth to your authenticator app, enter the 6-digit code it shows.",
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_code(self):
        code = self.cleaned_data["code"].replace(" ", "")
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError("Enter the 6-digit code shown in your authenticator app.")
        return code


class ChooseAgencyForm(GovukForm):
    membership = forms.TypedChoiceField(
        label="Which agency are you acting for?", coerce=int, widget=forms.RadioSelect,
        error_messages={"required": "Choose the agency you are acting for."},
    )

    def __init__(self, *args, memberships=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].choices = [
            (m.pk, f"{m.agency.name} – {m.get_role_display()}") for m in memberships
        ]
