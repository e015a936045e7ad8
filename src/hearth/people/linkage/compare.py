"""Field comparisons: each turns a pair of prepared records into one level per field.

Level 0 is "disagrees"; higher levels are closer agreement; ``NULL`` means one side is
missing, which is no evidence either way. The model (``model.py``) holds a trained weight
for every level; ``LEVELS`` names them, in the words shown to practitioners as reasons.
"""

from __future__ import annotations

from functools import lru_cache

import jellyfish

from .normalise import group_members, name_groups, postcode_district, postcode_sector, swapped
from .records import Prepared

NULL = -1

LEVELS: dict[str, list[str]] = {
    "given_name": ["given name differs", "given name is similar", "given name nearly agrees (a typing slip?)",
                   "given name agrees (nickname, alias or other spelling)", "given name agrees"],
    "surname": ["surname differs", "surname is similar", "surname sounds the same or nearly agrees",
                "surname agrees"],
    "date_of_birth": ["date of birth differs", "date of birth is close", "date of birth differs in one part",
                      "date of birth agrees with day and month swapped", "date of birth agrees"],
    "address": ["address differs", "address shares words", "address nearly agrees", "address agrees"],
    "locality": ["town or area differs", "town or area nearly agrees", "town or area agrees"],
    "postcode": ["postcode differs", "postcode district agrees", "postcode nearly agrees", "postcode agrees"],
    "phone": ["phone differs", "phone nearly agrees", "phone agrees"],
    "email": ["email differs", "email nearly agrees", "email agrees"],
}
FIELDS = tuple(LEVELS)


@lru_cache(maxsize=500_000)
def jaro_winkler(a: str, b: str) -> float:
    return jellyfish.jaro_winkler_similarity(a, b)


@lru_cache(maxsize=500_000)
def _edits(a: str, b: str) -> int:
    return jellyfish.damerau_levenshtein_distance(a, b)


def given_level(a: Prepared, b: Prepared) -> int:
    x, y = a.given, b.given
    if not x or not y:
        return NULL
    if x == y:
        return 4
    if a.given_groups & b.given_groups or x in b.other_names or y in a.other_names:
        return 3
    if len(x) == 1 or len(y) == 1:  # an initial
        return 1 if x[0] == y[0] else 0
    similarity = jaro_winkler(x, y) if x < y else jaro_winkler(y, x)
    if similarity >= 0.92 or (a.given_sound and a.given_sound == b.given_sound) or _edits(x, y) <= 1:
        return 2
    if _typed_form(x, y) or _typed_form(y, x):
        return 2
    if similarity >= 0.8:
        return 1
    return 0


@lru_cache(maxsize=200_000)
def _typed_form(x: str, y: str) -> bool:
    """``x`` is a form of ``y``'s name with a typing slip (Lzizie for Elizabeth, via Lizzie)."""
    if len(x) < 3:
        return False
    return any(_edits(x, m) <= 1 or (len(m) > 3 and jaro_winkler(x, m) >= 0.92)
               for m in group_members(name_groups(y)) if m != y)


def surname_level(a: Prepared, b: Prepared) -> int:
    x, y = a.surname, b.surname
    if not x or not y:
        return NULL
    if x == y or a.surname_parts & b.surname_parts:
        return 3
    if x in b.other_names or y in a.other_names:  # a previous surname
        return 3
    similarity = jaro_winkler(x, y) if x < y else jaro_winkler(y, x)
    if similarity >= 0.92 or a.surname_sound == b.surname_sound or _edits(x, y) <= 1:
        return 2
    if similarity >= 0.8:
        return 1
    return 0


def dob_level(a: Prepared, b: Prepared) -> int:
    x, y = a.born, b.born
    if x is None or y is None:
        return NULL
    if x == y:
        return 4
    if swapped(x) == y:
        return 3
    same = (x.year == y.year) + (x.month == y.month) + (x.day == y.day)
    if same == 2:
        return 2
    if abs((x - y).days) <= 31 or (x.month == y.month and x.day == y.day and abs(x.year - y.year) <= 10):
        return 1
    if _edits(x.isoformat(), y.isoformat()) <= 1:
        return 1
    return 0


def address_level(a: Prepared, b: Prepared) -> int:
    x, y = a.address, b.address
    if not x or not y:
        return NULL
    if x == y:
        return 3
    if not a.address_words or not b.address_words:
        # Only a house number on one side ("95"): not an address to compare, unless the numbers differ.
        return NULL if a.house == b.house else 0
    if (a.house == b.house or not a.house or not b.house) and (
            jaro_winkler(x, y) >= 0.9 or _overlap(a.address_words, b.address_words) >= 0.75):
        return 2
    if _overlap(a.address_words, b.address_words) >= 0.5:
        return 1
    return 0


def _overlap(x: frozenset[str], y: frozenset[str]) -> float:
    if not x or not y:
        return 0.0
    return len(x & y) / min(len(x), len(y))


def locality_level(a: Prepared, b: Prepared) -> int:
    x, y = a.locality, b.locality
    if not x or not y:
        return NULL
    if x == y:
        return 2
    return 1 if jaro_winkler(x, y) >= 0.88 else 0


def postcode_level(a: Prepared, b: Prepared) -> int:
    x, y = a.postcode, b.postcode
    if not x or not y:
        return NULL
    if x == y:
        return 3
    if _edits(x, y) <= 1 or (postcode_sector(x) and postcode_sector(x) == postcode_sector(y)):
        return 2
    if postcode_district(x) and postcode_district(x) == postcode_district(y):
        return 1
    return 0


def phone_level(a: Prepared, b: Prepared) -> int:
    x, y = a.phone, b.phone
    if not x or not y:
        return NULL
    if x == y:
        return 2
    return 1 if x[-6:] == y[-6:] or _edits(x, y) <= 1 else 0


def email_level(a: Prepared, b: Prepared) -> int:
    x, y = a.email, b.email
    if not x or not y:
        return NULL
    if x == y:
        return 2
    return 1 if x.split("@")[0] == y.split("@")[0] or _edits(x, y) <= 1 else 0


def _one_name_crossed(a: Prepared, b: Prepared) -> tuple[int, int] | None:
    """One record's surname typed in the other's given-name box (Alicia Heron, "Heron Brooke"):
    compare the names crossed over, the agreeing one as agreement, the other as it compares.
    Only where one name agrees crossed and neither agrees straight, so a family (who share a
    surname in the same box) is compared as usual and its given names still differ."""
    if a.surname == b.given or (len(a.surname) > 3 and jaro_winkler(*sorted((a.surname, b.given))) >= 0.92):
        agreed = 3 if a.surname == b.given else 2
        other = 4 if a.given == b.surname else (2 if _edits(a.given, b.surname) <= 1 else 0)
        return other, agreed
    if a.given == b.surname or (len(a.given) > 3 and jaro_winkler(*sorted((a.given, b.surname))) >= 0.92):
        agreed = 4 if a.given == b.surname else 2
        other = 3 if a.surname == b.given else (2 if _edits(a.surname, b.given) <= 1 else 0)
        return agreed, other
    return None


def levels(a: Prepared, b: Prepared) -> tuple[int, ...]:
    """The comparison vector (one level per field in ``FIELDS`` order)."""
    given, surname = given_level(a, b), surname_level(a, b)
    # Given name and surname entered the wrong way round: agreement all the same.
    if given <= 1 and surname <= 1 and a.given and a.surname and b.given and b.surname:
        if a.given == b.surname and a.surname == b.given:
            given, surname = 4, 3
        elif jaro_winkler(a.given, b.surname) >= 0.9 and jaro_winkler(a.surname, b.given) >= 0.9:
            given, surname = 2, 2
        else:
            given, surname = _one_name_crossed(a, b) or (given, surname)
    return (given, surname, dob_level(a, b), address_level(a, b), locality_level(a, b), postcode_level(a, b),
            phone_level(a, b), email_level(a, b))
