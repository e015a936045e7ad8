"""Buttons that run one service call (a POST with nothing typed in): what the page says after."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError


def perform[T](request, action: Callable[[], T], *, done: str = "") -> T | None:
    """Run ``action``; a rule it refuses (``ValidationError``) becomes the page's error message,
    success the message ``done``. Returns what the action returned, or None when refused."""
    try:
        result = action()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return None
    if done:
        messages.success(request, done)
    return result
