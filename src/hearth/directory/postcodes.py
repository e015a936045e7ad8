"""Postcode to a rough position, from a small table shipped with Hearth (no third party).

The table (``data/st_postcodes.csv``) holds ST district and Stoke-on-Trent sector centres.
A full postcode is placed at its sector's centre if known, else its district's. Nothing is
looked up online, so a visitor's postcode never leaves the server.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "st_postcodes.csv"
# A full UK postcode, or just its outward code (district), spaces optional.
UK_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][0-9A-Z]?)\s*([0-9][A-Z]{2})?$")


class PostcodeProblem(ValueError):
    """Why a postcode cannot be used; ``code`` picks the message shown to the visitor."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Place:
    postcode: str
    latitude: float
    longitude: float
    place: str


@cache
def _table() -> dict[str, tuple[float, float, str]]:
    with DATA.open(encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return {row["code"]: (float(row["latitude"]), float(row["longitude"]), row["place"]) for row in rows}


def normalise(value: str) -> str:
    """Upper case with one space before the inward code: "st47nh" → "ST4 7NH"."""
    compact = re.sub(r"\s+", "", (value or "").upper())
    if len(compact) > 4 and compact[-3:-2].isdigit():
        return f"{compact[:-3]} {compact[-3:]}"
    return compact


def is_valid_format(value: str) -> bool:
    return bool(UK_POSTCODE.match(normalise(value)))


def locate(value: str) -> Place:
    """The position of a postcode or district, or ``PostcodeProblem`` saying why not.

    Codes: ``format`` (not a UK postcode), ``outside`` (a real format outside the ST area the
    table covers), ``unknown`` (an ST district that does not exist).
    """
    postcode = normalise(value)
    match = UK_POSTCODE.match(postcode)
    if not match:
        raise PostcodeProblem("format")
    district, inward = match.group(1), match.group(2)
    if not district.startswith("ST") or not district[2:3].isdigit():
        raise PostcodeProblem("outside")
    table = _table()
    if district not in table:
        raise PostcodeProblem("unknown")
    sector = f"{district} {inward[0]}" if inward else None
    lat, lng, place = table.get(sector) or table[district]
    return Place(postcode, lat, lng, place)


def distance_miles(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance (haversine), in miles."""
    r = 3958.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))
