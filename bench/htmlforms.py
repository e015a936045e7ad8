"""The forms of an HTML page as a browser would submit them, for the load benchmark's users.

``forms(html)`` returns each ``<form>``'s action, method and fields: the default values a browser
would send (hidden inputs, checked boxes and radios, selected options, textareas) and, for each
choice field, the values offered. Enough for Hearth's server-rendered GOV.UK forms; no scripts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    action: str
    method: str
    values: list[tuple[str, str]] = field(default_factory=list)  # what the browser would send as is
    choices: dict[str, list[str]] = field(default_factory=dict)  # offered values of selects, radios, boxes
    names: set[str] = field(default_factory=set)

    def data(self, **changes) -> list[tuple[str, str]]:
        """The defaults with ``changes``: a list value sends the name once per item; None leaves it out."""
        kept = [(k, v) for k, v in self.values if k not in changes]
        for name, value in changes.items():
            if value is None:
                continue
            for item in value if isinstance(value, list | tuple) else [value]:
                kept.append((name, str(item)))
        return kept


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: str | None = None
        self.select_default: str | None = None
        self.select_chosen = False
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.form = Form(action=a.get("action") or "", method=(a.get("method") or "get").lower())
            self.forms.append(self.form)
            return
        if self.form is None:
            return
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            self.form.names.add(name)
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                self.form.choices.setdefault(name, []).append(a.get("value", "on"))
                if "checked" in a:
                    self.form.values.append((name, a.get("value", "on")))
            elif kind not in ("submit", "button", "image", "file", "reset"):
                self.form.values.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self.form.names.add(name)
            self.select, self.select_default, self.select_chosen = name, None, False
            self.form.choices.setdefault(name, [])
        elif tag == "option" and self.select:
            value = a.get("value", "")
            self.form.choices[self.select].append(value)
            if self.select_default is None:
                self.select_default = value
            if "selected" in a and not self.select_chosen:
                self.select_default, self.select_chosen = value, True
        elif tag == "textarea" and name:
            self.form.names.add(name)
            self.textarea, self.text = name, ""

    def handle_data(self, data):
        if self.textarea:
            self.text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select" and self.select and self.form is not None:
            self.form.values.append((self.select, self.select_default or ""))
            self.select = None
        elif tag == "textarea" and self.textarea and self.form is not None:
            self.form.values.append((self.textarea, self.text.lstrip("\n")))
            self.textarea = None


def forms(html: str) -> list[Form]:
    parser = _Parser()
    parser.feed(html)
    return parser.forms


def form_with(html: str, field_name: str) -> Form | None:
    """The first form on the page with a field of this name."""
    return next((f for f in forms(html) if field_name in f.names), None)
