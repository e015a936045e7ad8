"""The one form-action helper: a service's refusal lands on the form, success says so and redirects."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.test import RequestFactory

from hearth.platform import actions


class NameForm(forms.Form):
    name = forms.CharField(max_length=50)
    place = forms.CharField(max_length=50, required=False)


@pytest.fixture
def shown(monkeypatch):
    """What the helper rendered: the template, its context and the status (no real template needed)."""
    pages = []

    def render(request, template, context, status=200):
        pages.append({"template": template, "context": context, "status": status})
        return HttpResponse(status=status)

    monkeypatch.setattr(actions, "render", render)
    return pages


def _request(method="post", data=None):
    request = getattr(RequestFactory(), method)("/somewhere/", data or {})
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def _said(request) -> list[tuple[str, str]]:
    return [(m.level_tag, m.message) for m in get_messages(request)]


def _act(request, perform, **kwargs):
    form = NameForm(actions.posted(request))
    kwargs.setdefault("done", "Saved.")
    kwargs.setdefault("redirect_to", "/done/")
    kwargs.setdefault("template", "some/form.html")
    return form, actions.form_action(request, form, perform, **kwargs)


def test_a_get_shows_the_form_unbound(shown):
    request = _request("get")
    form, response = _act(request, lambda data: pytest.fail("no service on a GET"), context={"extra": 1})
    assert response.status_code == 200 and not form.is_bound
    assert shown[0]["context"] == {"form": form, "extra": 1}


def test_success_says_done_and_redirects(shown):
    request = _request(data={"name": "Ann"})
    _form, response = _act(request, lambda data: data["name"].upper(), done=lambda result: f"Made {result}.",
                           redirect_to=lambda result: f"/people/{result}/")
    assert response.status_code == 302 and response["Location"] == "/people/ANN/"
    assert _said(request) == [("success", "Made ANN.")]
    assert shown == []


def test_a_refusal_naming_a_field_lands_on_that_field_and_keeps_what_was_typed(shown):
    request = _request(data={"name": "Ann", "place": "Hanley"})

    def refuse(data):
        raise ValidationError({"name": "That name is taken.", "elsewhere": "Not a field of this form."})

    form, response = _act(request, refuse, status=400)
    assert response.status_code == 400
    assert form.errors["name"] == ["That name is taken."]
    assert form.non_field_errors() == ["Not a field of this form."]
    assert 'value="Ann"' in str(form["name"]) and 'value="Hanley"' in str(form["place"])
    assert _said(request) == []


def test_a_refusal_naming_no_field_is_a_non_field_error(shown):
    request = _request(data={"name": "Ann"})

    def refuse(data):
        raise ValidationError("The record is closed.")

    form, response = _act(request, refuse)
    assert response.status_code == 200
    assert form.non_field_errors() == ["The record is closed."]
    assert shown[0]["context"]["form"] is form


def test_bad_input_never_reaches_the_service(shown):
    request = _request(data={"name": ""})
    form, response = _act(request, lambda data: pytest.fail("the service must not run"), status=400)
    assert response.status_code == 400 and "name" in form.errors


def test_forgotten_fields_are_not_sent_back(shown):
    request = _request(data={"name": "Ann", "place": "1 Safe Street"})

    def refuse(data):
        raise ValidationError("No.")

    form, _response = _act(request, refuse, forget=("place",))
    assert "1 Safe Street" not in str(form["place"]) and 'value="Ann"' in str(form["name"])


def test_stay_shows_the_page_again_without_an_error(shown):
    request = _request(data={"name": "Ann"})
    form, response = _act(request, lambda data: actions.STAY, context=lambda: {"asked": True})
    assert response.status_code == 200 and not form.errors
    assert shown[0]["context"]["asked"] is True and _said(request) == []


def test_a_button_action_says_done_and_redirects():
    request = _request()
    response = actions.button_action(request, lambda: 7, done=lambda n: f"{n} done.", redirect_to="/list/")
    assert response.status_code == 302 and response["Location"] == "/list/"
    assert _said(request) == [("success", "7 done.")]


def test_a_refused_button_action_says_why_and_goes_back():
    request = _request()

    def refuse():
        raise ValidationError("Already dealt with.")

    response = actions.button_action(request, refuse, done="Done.", redirect_to=lambda result: "/never/",
                                     back="/list/")
    assert response.status_code == 302 and response["Location"] == "/list/"
    assert _said(request) == [("error", "Already dealt with.")]


def test_a_refused_button_action_may_be_shown_in_place():
    request = _request()

    def refuse():
        raise ValidationError("Tick one.")

    response = actions.button_action(request, refuse, redirect_to="/list/",
                                     refused=lambda exc: HttpResponse(" ".join(exc.messages), status=400))
    assert response.status_code == 400 and response.content == b"Tick one."
    assert _said(request) == []
