"""Normalising the fields people are recorded by, so that the same value typed two ways agrees.

Pure Python (no Django): the batch command and the product share it.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import cache, lru_cache
from importlib import resources

import jellyfish

_NOT_LETTER = re.compile(r"[^a-z]")
_NOT_WORD = re.compile(r"[^\w]+")
_NOT_DIGIT = re.compile(r"\D")
_NOT_POSTCODE = re.compile(r"[^A-Z0-9]")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def _read_groups(filename: str) -> list[list[str]]:
    text = resources.files(__package__).joinpath("data", filename).read_text(encoding="utf-8")
    rows = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            rows.append([_NOT_LETTER.sub("", word) for word in line.lower().split()])
    return rows


@cache
def _group_index() -> dict[str, frozenset[str]]:
    """Each known name -> the groups (named by their first member) it belongs to."""
    index: dict[str, set[str]] = {}
    for filename in ("nicknames.txt", "transliterations.txt"):
        for row in _read_groups(filename):
            for name in row:
                index.setdefault(name, set()).add(row[0])
    return {name: frozenset(groups) for name, groups in index.items()}


def is_latin(value: str) -> bool:
    """True when every letter is from the Latin alphabet (accents allowed)."""
    return all("LATIN" in unicodedata.name(ch, "") for ch in value if ch.isalpha())


@lru_cache(maxsize=200_000)
def normal_name(value: str) -> str:
    """Lower case letters only, accents folded (Łucja -> lucja). A name in another script is
    kept in its own letters (case-folded), so it still agrees with itself."""
    value = (value or "").strip()
    if not value:
        return ""
    if not is_latin(value):
        return "".join(ch for ch in unicodedata.normalize("NFKC", value).casefold() if ch.isalpha())
    value = value.replace("ł", "l").replace("Ł", "L").replace("ø", "o").replace("Ø", "O").replace("ß", "ss")
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return _NOT_LETTER.sub("", folded.lower())


@lru_cache(maxsize=200_000)
def first_name_part(value: str) -> str:
    """The first of several given names ("Mary Jane" -> "mary"), normalised."""
    parts = [normal_name(p) for p in re.split(r"[\s\-]+", value or "") if normal_name(p)]
    return parts[0] if parts else ""


@lru_cache(maxsize=200_000)
def name_groups(value: str) -> frozenset[str]:
    """The nickname and transliteration groups a normalised name belongs to (itself if none)."""
    norm = normal_name(value)
    if not norm:
        return frozenset()
    return _group_index().get(norm, frozenset({norm}))


@cache
def _group_members() -> dict[str, frozenset[str]]:
    members: dict[str, set[str]] = {}
    for filename in ("nicknames.txt", "transliterations.txt"):
        for row in _read_groups(filename):
            members.setdefault(row[0], set()).update(row)
    return {group: frozenset(names) for group, names in members.items()}


def group_members(groups: frozenset[str]) -> frozenset[str]:
    """Every name in the given groups (Liz's groups -> elizabeth, liz, beth, betty...)."""
    table = _group_members()
    return frozenset().union(*(table.get(g, frozenset({g})) for g in groups)) if groups else frozenset()


@lru_cache(maxsize=200_000)
def phonetic(value: str) -> str:
    """A sound-alike code (Metaphone): Thompson ~ Tomson, Hussain ~ Husain."""
    norm = normal_name(value)
    if not norm or not norm.isascii():
        return norm
    return jellyfish.metaphone(norm)[:6]


def normal_postcode(value: str) -> str:
    return _NOT_POSTCODE.sub("", (value or "").upper())


def postcode_sector(postcode: str) -> str:
    """ST4 7NH -> ST47: the outward code and the first digit of the inward code."""
    return postcode[:-2] if len(postcode) >= 5 else ""


def postcode_district(postcode: str) -> str:
    return postcode[:-3] if len(postcode) >= 5 else ""


def normal_phone(value: str) -> str:
    """Digits in UK national form (+44 7700 900431 -> 07700900431); empty if too short to mean anything."""
    digits = _NOT_DIGIT.sub("", value or "")
    if digits.startswith("0044"):
        digits = "0" + digits[4:]
    elif digits.startswith("44") and len(digits) >= 11:
        digits = "0" + digits[2:]
    return digits if len(digits) >= 7 else ""


def normal_email(value: str) -> str:
    """Lower case; Gmail's dots and +tags dropped (they reach the same inbox)."""
    value = (value or "").strip().lower()
    local, at, domain = value.rpartition("@")
    if not at or not local or "." not in domain:
        return ""
    if domain in {"gmail.com", "googlemail.com"}:
        local, domain = local.split("+")[0].replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def normal_address(value: str) -> str:
    """Lower-case words, common abbreviations spelt out (Rd -> road)."""
    words = _NOT_WORD.sub(" ", (value or "").lower()).split()
    return " ".join(_ADDRESS_WORDS.get(w, w) for w in words)


_ADDRESS_WORDS = {
    "rd": "road", "st": "street", "ave": "avenue", "av": "avenue", "ln": "lane", "dr": "drive", "cl": "close",
    "ct": "court", "cres": "crescent", "gdns": "gardens", "pl": "place", "sq": "square", "tce": "terrace",
    "flt": "flat", "apt": "flat", "apartment": "flat",
}


def parse_date(value: str) -> date | None:
    """YYYY-MM-DD (or YYYYMMDD, FEBRL's form). Raises ValueError for an impossible date."""
    value = (value or "").strip()
    if not value:
        return None
    match = _ISO_DATE.match(value) or _COMPACT_DATE.match(value)
    if not match:
        raise ValueError(f"{value!r} is not a date in the form YYYY-MM-DD")
    year, month, day = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"{value!r} is not a real date") from None


def swapped(born: date | None) -> date | None:
    """The date with day and month exchanged (3 April <-> 4 March), if that is a different real date."""
    if born is None or born.day > 12 or born.day == born.month:
        return None
    return born.replace(day=born.month, month=born.day)
