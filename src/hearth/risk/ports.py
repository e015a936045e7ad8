"""What risk asks of MARAC, without importing it.

MARAC builds on risk (its criteria read risk levels and assessments; its services allocate
through risk), so risk may not import marac: the MARAC app plugs itself in here at app-ready
(``hearth.marac.for_risk``). risk's pages show MARAC's criteria and prompt through it, and its
access reads count the MARAC referrals and cases a relationship may be held on.
"""

from __future__ import annotations

from typing import Protocol

from django.core.exceptions import ImproperlyConfigured


class Marac(Protocol):
    def related_records(self, person) -> list:
        """The MARAC referrals and cases about ``person``'s identity (relationships are held on them)."""

    def referred(self, person) -> bool:
        """Whether ``person``'s identity has ever been referred to MARAC."""

    def evaluate(self, person, *, on=None) -> list:
        """The MARAC criteria, each with whether it is met and why."""

    def prompt(self, person, *, on=None, results=None):
        """The criteria met since the last referral, for the 'refer to MARAC' prompt."""

    def may_refer(self, user) -> bool:
        """Whether ``user`` may refer to MARAC (MARAC's own permission)."""


_marac: Marac | None = None


def marac_plug(port: Marac) -> None:
    """Plug MARAC in (marac's app-ready)."""
    global _marac
    _marac = port


def marac() -> Marac:
    if _marac is None:
        raise ImproperlyConfigured("hearth.risk needs hearth.marac installed: it plugs MARAC's criteria in at ready")
    return _marac
