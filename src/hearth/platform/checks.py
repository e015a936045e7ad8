"""Django system checks: refuse to start with field keys that cannot read the stored data."""

from __future__ import annotations

from django.core.checks import Error, register

from . import crypto


@register("hearth")
def field_keys_check(app_configs=None, **kwargs) -> list[Error]:
    """``manage.py check`` (and every command that runs checks: runserver, migrate, the worker)
    fails when ``HEARTH_FIELD_KEYS`` is missing, malformed or cannot decrypt what is stored."""
    return [Error(problem, hint="Set HEARTH_FIELD_KEYS to the keys the data was encrypted with, newest first "
                                "(docs/operations.md, 'Field keys').", id="hearth.E001")
            for problem in crypto.keys_problems()]
