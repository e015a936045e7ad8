"""The record the matcher compares, and its prepared (normalised once) form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from . import normalise as n


@dataclass(frozen=True)
class Record:
    """What the matcher compares. Any field may be empty.

    ``other_names`` are aliases, nicknames and previous surnames the record already knows
    (e.g. Elizabeth Walker "known as Liz", or her maiden name).
    """

    record_id: str
    given_name: str = ""
    surname: str = ""
    date_of_birth: date | None = None
    address_line: str = ""
    postcode: str = ""
    phone: str = ""
    email: str = ""
    locality: str = ""
    other_names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Prepared:
    """A record's values normalised once, so that comparing many pairs is cheap."""

    record_id: str
    given: str
    given_groups: frozenset[str]
    given_sound: str
    surname: str
    surname_parts: frozenset[str]
    surname_sound: str
    other_names: frozenset[str]
    born: date | None
    address: str
    house: str
    address_words: frozenset[str]
    locality: str
    postcode: str
    phone: str
    email: str


def prepare(record: Record) -> Prepared:
    given = n.first_name_part(record.given_name)
    surname = n.normal_name(record.surname)
    parts = frozenset(p for p in (n.normal_name(w) for w in record.surname.replace("-", " ").split()) if p)
    others = frozenset(n.normal_name(w) for name in record.other_names for w in name.replace("-", " ").split()) - {""}
    address = n.normal_address(record.address_line)
    words = address.split()
    house = next((w for w in words if any(ch.isdigit() for ch in w)), "")
    return Prepared(
        record_id=record.record_id,
        given=given,
        given_groups=n.name_groups(given) if given else frozenset(),
        given_sound=n.phonetic(given),
        surname=surname,
        surname_parts=parts,
        surname_sound=n.phonetic(surname),
        other_names=others,
        born=record.date_of_birth,
        address=address,
        house=house,
        address_words=frozenset(w for w in words if not w.isdigit()),
        locality=n.normal_name(record.locality),
        postcode=n.normal_postcode(record.postcode),
        phone=n.normal_phone(record.phone),
        email=n.normal_email(record.email),
    )
