"""The keys the product's identity index stores (hashed) for each record.

They are the batch's narrow blocking keys (``blocking.keys_of``) and, for a given name that is
not a known name but is one slip of the keyboard from one (Haryr, Potr, Eimly, Miek), the
same keys again under the known name's group: a record typed with a slip then still shares its
date-of-birth, postcode and surname keys with the person's other records (Harry, Piotr,
Emily, Mike), and the other way round.

"Known" names are those of the nickname and transliteration lists (``linkage/data``); "one
slip" is one letter left out, added, changed or two neighbours swapped, found by deleting one
letter on either side (a symmetric-delete lookup). Only names of three letters or more are
corrected, and a known name is never corrected into another. A name outside the lists (Kelly,
Jordan) gets no correction: its slips are caught, as before, only by the keys that do not use
the given name.

One key is added: the surname's sound with the day and month of birth (``sm:``), the
surname's counterpart of ``gm:`` (given name group with the day and month): a record with the
year of birth mistyped and a given name that agrees with no key of the other (a slip in a name
not on the lists: Jodan Turner, 23 December 2018, for Jordan Turner, 23 December 2017).

The batch (``linkage.batch``) keeps its own keys: it blocks whole files, where extra keys are
extra pairs to score, whereas the product looks up one record among many.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache

from .blocking import keys_of
from .normalise import _group_index
from .records import Prepared

SHORTEST_CORRECTED = 3


def _one_deleted(name: str) -> set[str]:
    return {name[:i] + name[i + 1:] for i in range(len(name))}


@cache
def _known_by_deletion() -> dict[str, frozenset[str]]:
    """Each known name, and each form of it with one letter deleted -> the known names' groups."""
    table: dict[str, set[str]] = {}
    for name, groups in _group_index().items():
        if len(name) < SHORTEST_CORRECTED:
            continue
        for form in {name} | _one_deleted(name):
            table.setdefault(form, set()).update(groups)
    return {form: frozenset(groups) for form, groups in table.items()}


def corrected_groups(given: str) -> frozenset[str]:
    """The groups of the known names one slip from ``given`` (normalised), if it is not itself
    a known name: Haryr -> {henry} (Harry's group), Potr -> {piotr}."""
    if len(given) < SHORTEST_CORRECTED or given in _group_index():
        return frozenset()
    table = _known_by_deletion()
    found: set[str] = set()
    for form in {given} | _one_deleted(given):
        found |= table.get(form, frozenset())
    return frozenset(found)


def index_keys(p: Prepared) -> set[str]:
    """The record's keys for the product's index (see the module's docstring)."""
    extra = corrected_groups(p.given) - p.given_groups
    keys = keys_of(replace(p, given_groups=p.given_groups | extra) if extra else p)
    if p.surname_sound and p.born is not None:
        keys.add(f"sm:{p.surname_sound}|{p.born.month:02d}-{p.born.day:02d}")
    return keys
