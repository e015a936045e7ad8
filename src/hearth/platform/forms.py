"""GOV.UK Frontend rendering for Django forms.

Subclass ``GovukForm`` or ``GovukModelForm`` and render with ``{{ form }}``: each field
renders in GOV.UK markup through ``templates/forms/govuk/``, chosen by widget type. A
single field can be placed by hand with ``{{ form.name.as_field_group }}``. Non-field
errors are not in ``{{ form }}``: pages include ``includes/error_summary.html``.
"""

from __future__ import annotations

from django import forms
from django.forms.boundfield import BoundField

# Widget kind -> (classes on the control, extra class when the field has errors).
_CONTROL_CLASSES = {
    "input": ("govuk-input", "govuk-input--error"),
    "date": ("govuk-input govuk-input--width-10", "govuk-input--error"),
    "password": (
        "govuk-input govuk-password-input__input govuk-js-password-input-input",
        "govuk-input--error",
    ),
    "file": ("govuk-file-upload", "govuk-file-upload--error"),
    "textarea": ("govuk-textarea", "govuk-textarea--error"),
    "select": ("govuk-select", "govuk-select--error"),
    "checkbox": ("govuk-checkboxes__input", ""),
    "checkboxes": ("govuk-checkboxes__input", ""),
    "radios": ("govuk-radios__input", ""),
    "hidden": ("", ""),
}


def widget_kind(widget: forms.Widget) -> str:
    """The GOV.UK field template a widget renders with (order matters: subclasses first)."""
    for widget_class, kind in (
        (forms.HiddenInput, "hidden"),
        (forms.PasswordInput, "password"),
        (forms.CheckboxSelectMultiple, "checkboxes"),
        (forms.RadioSelect, "radios"),
        (forms.CheckboxInput, "checkbox"),
        (forms.Select, "select"),
        (forms.Textarea, "textarea"),
        (forms.DateInput, "date"),
        (forms.FileInput, "file"),
    ):
        if isinstance(widget, widget_class):
            return kind
    return "input"


class GovukBoundField(BoundField):
    """Adds the GOV.UK classes (and error modifier) to the widget's own class."""

    @property
    def govuk_kind(self) -> str:
        return widget_kind(self.field.widget)

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        base, error = _CONTROL_CLASSES[widget_kind(widget or self.field.widget)]
        own = (widget or self.field.widget).attrs.get("class", "")
        classes = [base, error if self.errors else "", own, attrs.get("class", "")]
        joined = " ".join(c for c in classes if c)
        if joined:
            attrs["class"] = joined
        if widget_kind(widget or self.field.widget) == "password":
            attrs.setdefault("spellcheck", "false")
            attrs.setdefault("autocapitalize", "none")
        return attrs


class GovukFormMixin:
    template_name = "forms/govuk/form.html"
    bound_field_class = GovukBoundField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if field.template_name is None:
                field.template_name = f"forms/govuk/field_{widget_kind(field.widget)}.html"


class GovukForm(GovukFormMixin, forms.Form):
    pass


class GovukModelForm(GovukFormMixin, forms.ModelForm):
    pass


def add_validation_error(form: forms.Form, error) -> None:
    """Show a service's ``ValidationError`` on the form: on its field where it names one."""
    by_field = error.error_dict if hasattr(error, "error_dict") else {None: error.error_list}
    for field, messages in by_field.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


class PartsFormMixin:
    """The one rendering rule, for forms over a record: a field shows a part of a record only
    if the reader may see that part (ACCESS.md, "Always").

    A form declares ``field_parts`` (every field -> the part of the record it shows, or
    ``None`` for a field that shows nothing of the record) and is built with the reader's
    ``parts`` (from ``access.parts_for``). Fields of parts the reader may not see are removed
    before anything renders: neither an initial value nor a re-rendered one can reach the page,
    and the service is never asked to change them. ``record`` pre-fills the fields that remain,
    so a view cannot pre-fill a hidden one by passing ``initial`` from the record either.
    """

    field_parts: dict[str, str | None] = {}

    def __init__(self, *args, parts, record=None, **kwargs):
        super().__init__(*args, **kwargs)
        undeclared = set(self.fields) - set(self.field_parts)
        if undeclared:
            # Fail closed: a field nobody said the part of could show anything.
            raise TypeError(f"{type(self).__name__}: say which part these fields show: {sorted(undeclared)}")
        self.parts = frozenset(parts)
        for name, part in self.field_parts.items():
            if part is not None and part not in self.parts:
                self.fields.pop(name, None)
                self.initial.pop(name, None)
        if record is not None:
            for name in self.fields:
                self.initial.setdefault(name, getattr(record, name))

    @classmethod
    def declared_parts(cls) -> frozenset[str]:
        """Every part this form can show: what a read for it may at most list in the audit."""
        return frozenset(part for part in cls.field_parts.values() if part is not None)

    @property
    def parts_shown(self) -> frozenset[str]:
        """The parts the rendered form shows (for the read's audit row)."""
        return frozenset(part for name in self.fields if (part := self.field_parts.get(name)) is not None)
