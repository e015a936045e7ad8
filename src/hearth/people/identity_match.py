"""Identity matching in pure Python (no Django): normalising, blocking keys and scoring.

A Fellegi–Sunter style scorer: each field comparison adds a log-likelihood weight (how much
more often that outcome happens for the same person than for two different people), the
sum plus the prior gives a calibrated probability. Shared surname and address are weak
evidence on purpose: a mother and daughter, or a victim and her abuser, share them.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import cache

import jellyfish

LINK_THRESHOLD = 0.95
REVIEW_THRESHOLD = 0.50
PRIOR_LOG_ODDS = -8.0  # about one true match in three thousand candidate pairs

# Nicknames and transliterations seen in Stoke-on-Trent: each row is one group.
NAME_GROUPS = [
    "elizabeth liz lizzie lizzy beth betty eliza libby elisabeth elzbieta",
    "katherine catherine kate katie kathryn cathy kath kathleen katarzyna kasia",
    "margaret maggie meg peggy marge",
    "rebecca becky becca", "jennifer jenny jen", "samantha sam sammy", "victoria vicky vikki tori",
    "christine chris christina kirsty kirstie", "jacqueline jackie jacky", "deborah debbie debra deb",
    "susan sue susie suzanne", "patricia pat trish tricia", "alexandra alex alexa sasha",
    "nicola nicky nikki", "joanne jo joanna", "stephanie steph", "gemma jemma", "leanne lee-anne",
    "william will bill billy liam", "robert rob bob bobby robbie", "richard rich rick dick ricky",
    "james jim jimmy jamie", "michael mike mick micky michal", "thomas tom tommy tomasz",
    "christopher chris kit", "anthony tony antoni", "daniel dan danny", "matthew matt", "andrew andy drew andrzej",
    "joseph joe joey jozef", "david dave davey dawid", "stephen steven steve stefan", "peter pete piotr",
    "edward ed eddie ted", "benjamin ben benny", "jonathan jon jonny john johnny jack", "paul pawel",
    "mohammed muhammad mohamed mohammad muhammed mohamad mahomed", "ahmed ahmad ahmet",
    "hussain hussein husain", "yusuf yousef yusef joseph", "aisha ayesha aysha", "fatima fatimah fatma",
    "nasreen nasrin", "shazia shaziya", "samina sameena", "farah fara", "imran imraan", "bilal belal",
    "mihai michael mihail", "ioana joanna ioanna", "andreea andrea", "gheorghe george",
    "agnieszka aga agi", "malgorzata gosia margaret", "wojciech wojtek", "zofia zosia sophia sophie",
]


@cache
def _groups() -> dict[str, str]:
    groups: dict[str, str] = {}
    for row in NAME_GROUPS:
        names = row.split()
        for name in names:
            groups.setdefault(name, names[0])
    return groups


def normal_name(value: str) -> str:
    value = unicodedata.normalize("NFKD", value or "").encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", value.lower())


def name_group(name: str) -> str:
    norm = normal_name(name)
    return _groups().get(norm, norm)


def normal_postcode(value: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", (value or "").upper())


def normal_phone(value: str) -> str:
    digits = re.sub(r"\D", "", value or "")
    if digits.startswith("44"):
        digits = "0" + digits[2:]
    return digits if len(digits) >= 7 else ""


def normal_email(value: str) -> str:
    value = (value or "").strip().lower()
    local, _, domain = value.partition("@")
    if domain in {"gmail.com", "googlemail.com"}:
        local, domain = local.split("+")[0].replace(".", ""), "gmail.com"
    return f"{local}@{domain}" if domain else ""


@dataclass(frozen=True)
class Record:
    """What the matcher compares. Any field may be empty."""

    record_id: str
    given_name: str = ""
    surname: str = ""
    date_of_birth: date | None = None
    address_line: str = ""
    postcode: str = ""
    phone: str = ""
    email: str = ""


def _phonetic(name: str) -> str:
    norm = normal_name(name)
    return jellyfish.metaphone(norm)[:8] if norm else ""


def _swapped(born: date | None) -> date | None:
    if born is None or born.day > 12 or born.day == born.month:
        return None
    try:
        return born.replace(day=born.month, month=born.day)
    except ValueError:
        return None


def blocking_keys(record: Record) -> set[str]:
    """Keys a true match very probably shares: stored (hashed) in an index to find candidates."""
    keys: set[str] = set()
    given, surname = name_group(record.given_name), _phonetic(record.surname)
    for born in filter(None, (record.date_of_birth, _swapped(record.date_of_birth))):
        keys.add(f"d:{born.isoformat()}")
        if surname:
            keys.add(f"sy:{surname}|{born.year}")
    if given and surname:
        keys.add(f"gs:{given}|{surname}")
    postcode = normal_postcode(record.postcode)
    if postcode and given:
        keys.add(f"pc:{postcode}|{given[:1]}")
    if phone := normal_phone(record.phone):
        keys.add(f"p:{phone}")
    if email := normal_email(record.email):
        keys.add(f"e:{email}")
    return keys


@dataclass
class Comparison:
    probability: float
    band: str
    reasons: list[str] = field(default_factory=list)


def _similar(a: str, b: str) -> float:
    return jellyfish.jaro_winkler_similarity(a, b) if a and b else 0.0


def _given(a: Record, b: Record) -> tuple[float, str, bool]:
    x, y = normal_name(a.given_name), normal_name(b.given_name)
    if not x or not y:
        return 0.0, "", False
    if x == y:
        return 4.0, "given name agrees", True
    if name_group(x) == name_group(y):
        return 3.0, "given name agrees (nickname or other spelling)", True
    if _similar(x, y) >= 0.92:
        return 2.5, "given name nearly agrees", True
    if len(x) == 1 or len(y) == 1:
        return (0.5, "initial agrees", True) if x[0] == y[0] else (-3.0, "initial differs", False)
    return -4.0, "given name differs", False


def _surname(a: Record, b: Record) -> tuple[float, str]:
    x, y = normal_name(a.surname), normal_name(b.surname)
    if not x or not y:
        return 0.0, ""
    if x == y:
        return 4.0, "surname agrees"
    if _similar(x, y) >= 0.92 or _phonetic(x) == _phonetic(y):
        return 2.5, "surname nearly agrees"
    # Surnames change with marriage and separation: weak evidence against.
    return -2.0, "surname differs"


def _dob(a: Record, b: Record) -> tuple[float, str, bool]:
    x, y = a.date_of_birth, b.date_of_birth
    if x is None or y is None:
        return 0.0, "", True
    if x == y:
        return 6.0, "date of birth agrees", True
    if _swapped(x) == y:
        return 4.0, "date of birth agrees with day and month swapped", True
    same = (x.year == y.year) + (x.month == y.month) + (x.day == y.day)
    if same == 2:
        return 2.0, "date of birth differs in one part (a typing slip?)", True
    if x.month == y.month and x.day == y.day and abs(x.year - y.year) == 1:
        return 1.0, "date of birth one year apart", True
    return -5.0, "date of birth differs", False


def _contact(a: Record, b: Record) -> list[tuple[float, str]]:
    found = []
    pa, pb = normal_phone(a.phone), normal_phone(b.phone)
    if pa and pb:
        found.append((5.0, "phone agrees") if pa == pb else (-0.5, "phone differs"))
    ea, eb = normal_email(a.email), normal_email(b.email)
    if ea and eb:
        found.append((5.0, "email agrees") if ea == eb else (-0.5, "email differs"))
    ca, cb = normal_postcode(a.postcode), normal_postcode(b.postcode)
    if ca and cb:
        if ca == cb:
            found.append((1.5, "postcode agrees"))
        elif ca[:-2] == cb[:-2]:
            found.append((0.5, "postcode sector agrees"))
        else:
            found.append((-0.5, "postcode differs (they may have moved)"))
    return found


class Matcher:
    """Scores pairs of records; ``rank`` orders candidates best first."""

    def compare(self, a: Record, b: Record) -> Comparison:
        given_w, given_r, given_ok = _given(a, b)
        surname_w, surname_r = _surname(a, b)
        dob_w, dob_r, dob_ok = _dob(a, b)
        parts = [(given_w, given_r), (surname_w, surname_r), (dob_w, dob_r), *_contact(a, b)]
        score = PRIOR_LOG_ODDS + sum(w for w, _ in parts)
        probability = 1 / (1 + math.exp(-score))
        # Family guard: a different given name and a different date of birth mean a different
        # person, whatever surname, address or phone the household shares.
        if not given_ok and not dob_ok:
            probability = min(probability, 0.01)
        band = "link" if probability >= LINK_THRESHOLD else "review" if probability >= REVIEW_THRESHOLD else "no_link"
        return Comparison(round(probability, 4), band, [r for _, r in parts if r])

    def rank(self, record: Record, candidates: list[Record]) -> list[tuple[Record, Comparison]]:
        scored = [(other, self.compare(record, other)) for other in candidates]
        return sorted(scored, key=lambda pair: pair[1].probability, reverse=True)


@cache
def default_matcher() -> Matcher:
    return Matcher()
