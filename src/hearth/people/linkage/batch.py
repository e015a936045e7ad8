"""Batch matching of CSV files, no database: reading with clear messages, dedupe and link.

Bad input never stops a run: each problem is reported with its row number (the line in
the file, the header being row 1) and the valid rows are still matched.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from .blocking import candidate_pairs
from .compare import NULL, levels
from .em import train as train_model
from .model import ADDRESS, DEFAULT_THRESHOLD, DOB, GIVEN, PHONE, POSTCODE, SURNAME, Model, shipped_model
from .normalise import is_latin, parse_date
from .records import Prepared, Record, prepare

COLUMNS = ("record_id", "given_name", "surname", "date_of_birth", "address_line", "postcode", "phone", "email")
FEBRL_COLUMNS = ("rec_id", "given_name", "surname", "street_number", "address_1", "address_2", "suburb",
                 "postcode", "state", "date_of_birth", "soc_sec_id")
# FEBRL's identifier is left out on purpose: matching on it would be cheating.
FEBRL_IGNORED = ("soc_sec_id", "state")
# Below this many candidate pairs, retraining on the file itself says less than the shipped model.
MIN_PAIRS_TO_TRAIN = 2_000
# Candidate pairs scored at most, per record (but never fewer than PAIR_BUDGET_FLOOR in all): on a
# large file the biggest blocks (a common name in a common birth month) are left out until the
# rest fit, so that time and memory grow with the file and not with its square.
PAIRS_PER_RECORD = 12
PAIR_BUDGET_FLOOR = 3_000_000


@dataclass
class ReadResult:
    records: list[Record] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    skipped: int = 0


def _script_of(value: str) -> str:
    for ch in value:
        if ch.isalpha() and "LATIN" not in unicodedata.name(ch, ""):
            return unicodedata.name(ch, "UNKNOWN").split()[0].title()
    return ""


def read_records(path: str | Path, *, febrl: bool = False, label: str = "") -> ReadResult:
    """Records from a CSV file in Hearth's columns (or FEBRL's with ``febrl=True``)."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        return ReadResult(messages=[f"{path}: cannot be read ({exc.strerror or exc})"])
    text = raw.decode("utf-8-sig", errors="replace")
    return read_text(text, febrl=febrl, label=label or str(path))


def read_text(text: str, *, febrl: bool = False, label: str = "input") -> ReadResult:
    result = ReadResult()

    def say(row: int, message: str) -> None:
        result.messages.append(f"{label}: row {row}: {message}")

    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        result.messages.append(f"{label}: the file is empty")
        return result
    except csv.Error as exc:
        result.messages.append(f"{label}: row 1: the header cannot be read ({exc})")
        return result
    header = [h.strip().lower() for h in header]
    expected = FEBRL_COLUMNS if febrl else COLUMNS
    id_column = expected[0]
    unknown = [h for h in header if h not in expected]
    if unknown:
        say(1, f"unknown column(s) {', '.join(repr(u) for u in unknown)} ignored; "
               f"expected {', '.join(expected)}")
    missing = [c for c in expected if c not in header and c not in FEBRL_IGNORED]
    if id_column in missing:
        say(1, f"no {id_column!r} column: records are named by their row number")
    if missing and missing != [id_column]:
        say(1, f"column(s) {', '.join(m for m in missing if m != id_column)} missing: treated as empty")
    position = {name: header.index(name) for name in expected if name in header}
    seen_ids: set[str] = set()
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            say(reader.line_num, f"cannot be read as CSV ({exc}): skipped")
            result.skipped += 1
            continue
        number = reader.line_num
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            say(number, f"has {len(row)} fields where the header has {len(header)}: skipped")
            result.skipped += 1
            continue
        values = {name: row[i].strip() for name, i in position.items()}
        if any("\ufffd" in v for v in values.values()):
            say(number, "contains bytes that are not UTF-8 text: those characters were dropped")
            values = {k: v.replace("\ufffd", "") for k, v in values.items()}
        record_id = values.get(id_column, "") or (f"row-{number}" if id_column not in position else "")
        if not record_id:
            say(number, f"no {id_column}: skipped")
            result.skipped += 1
            continue
        if record_id in seen_ids:
            say(number, f"{id_column} {record_id!r} was used on an earlier row: skipped")
            result.skipped += 1
            continue
        try:
            born = parse_date(values.get("date_of_birth", ""))
        except ValueError as exc:
            say(number, f"date_of_birth {exc}: matched without it")
            born = None
        if born is not None and not 1880 <= born.year <= 2100:
            say(number, f"date_of_birth {born.isoformat()} is not a believable date of birth: matched without it")
            born = None
        for name in ("given_name", "surname"):
            value = values.get(name, "")
            if value and not is_latin(value):
                say(number, f"{name} is written in {_script_of(value)} script: it can only agree with the same "
                            f"spelling (no transliteration from that script)")
        if febrl:
            address = " ".join(v for v in (values.get("street_number", ""), values.get("address_1", ""),
                                           values.get("address_2", "")) if v)
            record = Record(record_id, values.get("given_name", ""), values.get("surname", ""), born, address,
                            values.get("postcode", ""), locality=values.get("suburb", ""))
        else:
            record = Record(record_id, values.get("given_name", ""), values.get("surname", ""), born,
                            values.get("address_line", ""), values.get("postcode", ""), values.get("phone", ""),
                            values.get("email", ""))
        if not record.given_name and not record.surname:
            if not (record.date_of_birth or record.phone or record.email):
                say(number, "no name, date of birth, phone or email: nothing to match on, skipped")
                result.skipped += 1
                continue
            say(number, "no name: matched on the other fields only")
        seen_ids.add(record_id)
        result.records.append(record)
    return result


@dataclass
class MatchResult:
    pairs: list[tuple[str, str, float]]
    candidate_pairs: int
    model: Model
    # Whether the family guard was applied, and the household pairs seen that decided it.
    family_guard: bool = True
    household_pairs: int = 0


# "auto": the family guard is on when the file has households: at least this many pairs of records
# that share a surname and an address while their given names and dates of birth clearly differ
# (different people living together), per 100 records. A UK case file has several per record;
# FEBRL, generated without households, under one per 100. A file too small to tell keeps the guard.
HOUSEHOLDS_PER_100_RECORDS = 2.0
AUTO_GUARD_MIN_RECORDS = 1_000


def looks_like_household(vector: tuple[int, ...]) -> bool:
    """Two different people at one address: same surname and address, clearly different given
    name and date of birth."""
    at_same_home = vector[ADDRESS] >= 2 or (vector[ADDRESS] == NULL and vector[POSTCODE] == 3)
    return vector[SURNAME] == 3 and vector[GIVEN] == 0 and vector[DOB] == 0 and at_same_home


def _run(left: Sequence[Prepared], right: Sequence[Prepared] | None, *, model: Model | None, train: bool,
         threshold: float, max_block: int, family_guard: bool | str = "auto") -> MatchResult:
    """Streams the candidate pairs (nothing but the pairs found is kept, so a million records fit).
    ``family_guard`` True or False forces the guard; "auto" decides it from the file's households
    (the given model's own ``family_guard`` is not consulted)."""
    model = model or shipped_model()
    other = right if right is not None else left
    records = len(left) + len(right or ())
    budget = max(PAIRS_PER_RECORD * records, PAIR_BUDGET_FLOOR)
    if train:
        model = train_model(left, right, start=model, max_block=max_block, min_pairs=MIN_PAIRS_TO_TRAIN,
                            pair_budget=budget)
    # A copy: the shipped model is shared with the product, which counts no frequencies.
    # Scored without the guard; the guard is applied below, once the households are counted.
    model = replace(model, name_frequency=_frequencies([*left, *(right or ())]), family_guard=False)
    probability: Callable[[tuple[int, ...]], float] = model.probability_of
    cache: dict[tuple[int, ...], float] = {}
    found = []
    count = households = 0
    for i, j in candidate_pairs(left, right, max_block=max_block, pair_budget=budget):
        count += 1
        a, b = left[i], other[j]
        vector = levels(a, b)
        households += looks_like_household(vector)
        mobile = vector[PHONE] == 2 and a.phone.startswith("07")
        if vector[GIVEN] == 4 or vector[SURNAME] == 3 or mobile:
            p = model.probability_for(a, b, vector)  # depends on the values, not only the levels
        else:
            p = cache.get(vector)
            if p is None:
                p = cache[vector] = probability(vector)
        if p >= threshold:
            found.append((a.record_id, b.record_id, p, Model.guard(vector, p, personal_contact=mobile)))
    if family_guard == "auto":
        guard = records < AUTO_GUARD_MIN_RECORDS or households * 100 >= HOUSEHOLDS_PER_100_RECORDS * records
    else:
        guard = bool(family_guard)
    pairs = [(x, y, g if guard else p) for x, y, p, g in found if (g if guard else p) >= threshold]
    return MatchResult(pairs, count, replace(model, family_guard=guard), guard, households)


def _frequencies(records: Sequence[Prepared]) -> dict[str, dict[str, float]]:
    total = max(len(records), 1)
    given = Counter(p.given for p in records if p.given)
    surname = Counter(p.surname for p in records if p.surname)
    return {"given_name": {k: v / total for k, v in given.items()},
            "surname": {k: v / total for k, v in surname.items()}}


def dedupe(records: Sequence[Record], *, model: Model | None = None, train: bool = True,
           threshold: float = DEFAULT_THRESHOLD, max_block: int = 400,
           family_guard: bool | str = "auto") -> MatchResult:
    """Pairs of records within one list judged to be the same person. ``family_guard``: True,
    False, or "auto" (on when the list has households, see ``HOUSEHOLDS_PER_100_RECORDS``)."""
    return _run([prepare(r) for r in records], None, model=model, train=train, threshold=threshold,
                max_block=max_block, family_guard=family_guard)


def link(left: Sequence[Record], right: Sequence[Record], *, model: Model | None = None, train: bool = True,
         threshold: float = DEFAULT_THRESHOLD, max_block: int = 400,
         family_guard: bool | str = "auto") -> MatchResult:
    """Pairs across two lists judged to be the same person (``family_guard`` as for ``dedupe``)."""
    return _run([prepare(r) for r in left], [prepare(r) for r in right], model=model, train=train,
                threshold=threshold, max_block=max_block, family_guard=family_guard)


def write_pairs(pairs: Sequence[tuple[str, str, float]], out) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["record_id_l", "record_id_r", "match_probability"])
    for left_id, right_id, probability in pairs:
        writer.writerow([left_id, right_id, f"{probability:.4f}"])
