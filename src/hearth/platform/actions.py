"""The one shape of a page that changes something: POST → service → what the page says after.

Every app's views use these instead of writing the ``except ValidationError`` block again:

- ``form_action``: a form the user typed into. The service refuses with ``ValidationError``;
  its errors land on the form (on the field they name, else above the form) and the page is
  shown again with what the user typed. Success adds a message and redirects.
- ``button_action``: a button with nothing typed. A refusal becomes the page's error message.
- ``posted``: the data to bind a form with: the POST on a POST, nothing on a GET.

What re-renders is the bound form itself, so a form that leaves out the parts of a record its
reader may not see (``PartsFormMixin``) leaves them out on a refused submission too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseBase
from django.shortcuts import redirect, render

from hearth.platform.forms import add_validation_error

# What a service may return to say "nothing done yet: show the page again" without an error,
# e.g. a possible duplicate the user is asked to look at before sending anyway.
STAY = object()

# Said of the result: a fixed text, or one made from what the service returned.
Said = str | Callable[[Any], str]
# Where to go after: a URL or URL name (as ``redirect`` takes it), or one made from the result;
# a callable may also return the response itself (a page shown once, say).
Target = str | Callable[[Any], Any]


def posted(request):
    """The data to bind a form with: ``request.POST`` on a POST, ``None`` (an unbound form) otherwise."""
    return request.POST if request.method == "POST" else None


def _say(said: Said, result) -> str:
    return said(result) if callable(said) else said


def _go(target: Target, result) -> HttpResponseBase:
    where = target(result) if callable(target) else target
    return where if isinstance(where, HttpResponseBase) else redirect(where)


def form_action(request, form, perform: Callable[[dict], Any], *, done: Said = "", redirect_to: Target,
                template: str, context: Mapping | Callable[[], Mapping] | None = None,
                status: int = 200, forget: Iterable[str] = ()) -> HttpResponseBase:
    """Show ``form`` on ``template``; on a POST with valid data call ``perform(cleaned_data)``.

    A ``ValidationError`` from ``perform`` (the service refusing) is put on the form: errors
    naming a field of the form on that field, the rest as non-field errors; the page is shown
    again with what the user typed and the HTTP ``status`` given for a refused submission.
    On success the message ``done`` is added (none if empty) and the user is sent to
    ``redirect_to``; both may be callables of what ``perform`` returned. ``perform`` may return
    ``STAY`` to show the page again without an error.

    ``context`` is added to ``{"form": form}`` (a callable is called only when the page is
    shown, for pages that are costly to build). ``forget`` names fields whose typed value is
    not sent back to the browser when the page is shown again (a safe address, say).
    """
    if request.method == "POST" and form.is_valid():
        try:
            result = perform(form.cleaned_data)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            if result is not STAY:
                if text := _say(done, result):
                    messages.success(request, text)
                return _go(redirect_to, result)
    refused = bool(form.errors)
    if refused and forget:
        form.data = form.data.copy()
        for name in forget:
            form.data[name] = ""
    extra = context() if callable(context) else (context or {})
    return render(request, template, {"form": form, **extra}, status=status if refused else 200)


def button_action(request, perform: Callable[[], Any], *, done: Said = "", redirect_to: Target,
                  back: str | None = None,
                  refused: Callable[[ValidationError], HttpResponseBase] | None = None) -> HttpResponseBase:
    """Run ``perform()`` for a button (a POST with nothing typed in) and redirect.

    Success adds the message ``done`` (none if empty) and goes to ``redirect_to``; both may be
    callables of what ``perform`` returned. A refusal (``ValidationError``) becomes the page's
    error message and goes to ``back`` (by default ``redirect_to``, which must then not be a
    callable); or, given ``refused``, the refusal is answered by ``refused(error)`` instead, for a
    page that shows it in place.
    """
    try:
        result = perform()
    except ValidationError as exc:
        if refused is not None:
            return refused(exc)
        messages.error(request, " ".join(exc.messages))
        return redirect(back if back is not None else redirect_to)
    if text := _say(done, result):
        messages.success(request, text)
    return _go(redirect_to, result)
