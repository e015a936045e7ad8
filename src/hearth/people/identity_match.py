"""Compatibility names for the matcher, which now lives in ``hearth.people.linkage``.

Kept so that code written against the first matcher keeps working: ``Record``,
``blocking_keys``, ``default_matcher().compare/rank`` and the thresholds.
"""

from __future__ import annotations

from functools import cache

from .linkage import LINK_THRESHOLD, REVIEW_THRESHOLD, Comparison, Model, Record, blocking_keys, shipped_model
from .linkage.normalise import normal_email, normal_name, normal_phone, normal_postcode


def name_group(name: str) -> str:
    """One representative of the name's nickname/transliteration groups (Liz -> elizabeth)."""
    from .linkage.normalise import name_groups

    groups = name_groups(name)
    return min(groups) if groups else ""


Matcher = Model


@cache
def default_matcher() -> Model:
    """The trained model shipped with Hearth."""
    return shipped_model()


__all__ = [
    "LINK_THRESHOLD", "REVIEW_THRESHOLD", "Comparison", "Matcher", "Record", "blocking_keys", "default_matcher",
    "name_group", "normal_email", "normal_name", "normal_phone", "normal_postcode",
]
