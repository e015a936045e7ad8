"""Identity matching inside Hearth: the database side of ``people.linkage``.

``linkage`` is pure Python (it also runs from the command line without a database); this
module stores each record's blocking keys as keyed hashes in an indexed table, finds
candidates through that index (the records sharing the most, and the rarest, keys first) and
scores them with the trained model, honouring "not the same person" decisions.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from django.db import connection
from django.db.models import Case, IntegerField, Q, Sum, TextField, Value, When
from django.db.models.functions import Cast

from hearth.platform import crypto

from .linkage import NO_LINK, Record, blocking_keys, prepare, shipped_model
from .models import BlockingKey, NotSamePerson, Person

# The records sharing the most key weight with the one entered are scored: the true match
# shares many keys (its names, date of birth and their variants), a namesake only one or two.
# At a million records a common name with nothing else agreeing has up to ~100 namesakes
# sharing its key: 60 left the true person out of 1% of searches there, 200 out of 0.2%
# (bench/bench_online.py), for a few milliseconds more.
MAX_CANDIDATES = 200
# A key held by more records than this is left out of the search: its records would crowd
# out the rest, it says little about any one of them, and reading them costs the most. Unless
# every key of the record is that common: then one of them is used. (At a million records the
# largest useful keys, a common given name with a common surname, hold 100-200.)
COMMON_KEY = 300


def _aliases(text: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in (text or "").split(",") if a.strip())


def record_of(person: Person) -> Record:
    """The matcher's view of a stored record (decrypting contact fields in memory only)."""
    return Record(
        record_id=str(person.pk),
        given_name=person.given_name,
        surname=person.family_name,
        date_of_birth=person.date_of_birth,
        address_line=person.safe_address or "",
        postcode=person.postcode or "",
        phone=person.phone or "",
        email=person.email or "",
        other_names=_aliases(person.aliases),
    )


def record_from_form(data: dict) -> Record:
    """The matcher's view of what someone typed into the person form (nothing is stored)."""
    return Record(
        record_id="new",
        given_name=data.get("given_name", "") or "",
        surname=data.get("family_name", "") or "",
        date_of_birth=data.get("date_of_birth"),
        address_line=data.get("safe_address", "") or "",
        postcode=data.get("postcode", "") or "",
        phone=data.get("phone", "") or "",
        email=data.get("email", "") or "",
        other_names=_aliases(data.get("aliases", "") or ""),
    )


def hashed_keys(record: Record) -> set[str]:
    """Blocking keys as keyed hashes: the index never holds a name, phone or postcode in the clear."""
    return {crypto.blind_index(key, purpose="blocking") for key in blocking_keys(record)}


def blocking_keys_store(person: Person) -> None:
    """(Re)write a record's blocking keys; call after creating or changing it."""
    BlockingKey.objects.filter(person=person).delete()
    BlockingKey.objects.bulk_create(
        BlockingKey(person=person, key=key) for key in sorted(hashed_keys(record_of(person)))
    )


@dataclass
class Candidate:
    person: Person
    probability: float
    band: str
    reasons: list[str]
    # (field, reason) pairs, so pages can leave out reasons about fields the user may not see.
    reason_fields: list[tuple[str, str]] = field(default_factory=list)


def _excluded_pairs(person_ids: Iterable[int], against: int | None) -> set[int]:
    if against is None:
        return set()
    ids = set(person_ids)
    marks = NotSamePerson.objects.filter(
        Q(person_a_id=against, person_b_id__in=ids) | Q(person_b_id=against, person_a_id__in=ids))
    return {b if a == against else a for a, b in marks.values_list("person_a_id", "person_b_id")}


def _store_size() -> int:
    """How many person records there are, roughly (PostgreSQL's planner estimate, which
    ANALYZE and autovacuum keep current; a count where there is none)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The planner's row estimate: catalogue metadata, no case data (a count() takes tens of ms).
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass",  # nosemgrep: hearth-no-raw-sql
                           [Person._meta.db_table])
            row = cursor.fetchone()
        if row and row[0] >= 0:  # -1: never analysed yet
            return max(int(row[0]), 1)
    return Person.objects.count()


def _key_counts(keys: Iterable[str]) -> dict[str, int]:
    """How many records hold each key that is in the index, counted only up to ``COMMON_KEY``
    + 1 (past that a key is common, however common: counting further would only cost time)."""
    keys = sorted(set(keys))
    if not keys:
        return {}
    # One query for all the keys, each count stopping at the limit (the ORM's count() of a
    # slice does the same, but one query per key). Only the table's own name is formatted in.
    table = connection.ops.quote_name(BlockingKey._meta.db_table)
    # Raw SQL on purpose: it reads only hashed keys and counts (no case data, nothing the access
    # policy governs), and the ORM cannot put capped counts of many keys in one query.
    held = f"SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE key = %s LIMIT %s) AS held"  # noqa: S608  # nosec B608
    one = f"SELECT CAST(%s AS VARCHAR(64)), ({held})"
    query = " UNION ALL ".join([one] * len(keys))
    with connection.cursor() as cursor:
        cursor.execute(query, [x for key in keys for x in (key, key, COMMON_KEY + 1)])  # nosemgrep: hearth-no-raw-sql
        return {key: n for key, n in cursor.fetchall() if n}


def key_weights(keys: Iterable[str]) -> dict[str, int]:
    """Each key of a record that is in the index -> what sharing it is worth: more the rarer it
    is (inverse document frequency, log(1 + N/n) for a key held by n of N records, in
    thousandths so that sums are exact). Keys held by more than ``COMMON_KEY`` records are left
    out unless there is no other."""
    counts = _key_counts(keys)
    if not counts:
        return {}
    kept = {k: n for k, n in counts.items() if n <= COMMON_KEY} or dict([min(counts.items(), key=lambda kn: kn[1])])
    size = max(_store_size(), max(kept.values()))
    return {k: round(1000 * math.log1p(size / n)) for k, n in kept.items()}


def candidate_ids(record: Record, *, limit: int | None = None, among=None) -> list[int]:
    """Ids of the stored records sharing the most key weight with ``record`` (see
    ``key_weights``): one rare key shared (a phone, a name with its date of birth) counts for
    more than several common ones (a common name with a common surname). With ``among`` (ids,
    or a queryset of them) only those records are candidates, so records outside it cannot
    crowd them out."""
    weights = key_weights(hashed_keys(record))
    if not weights:
        return []
    worth = Case(*(When(key=k, then=Value(w)) for k, w in weights.items()), output_field=IntegerField())
    keys = BlockingKey.objects.filter(key__in=list(weights))
    if among is not None:
        keys = keys.filter(person_id__in=among)
    rows = (keys.values("person_id").annotate(shared=Sum(worth))
            .order_by("-shared", "person_id")[:limit or MAX_CANDIDATES])
    return [row["person_id"] for row in rows]


# The encrypted fields scoring reads, by the matcher's name for them.
_SEALED = {"address_line": "safe_address", "postcode": "postcode", "phone": "phone", "email": "email"}


def _records_to_score(ids: list[int], record: Record) -> list[Record]:
    """The matcher's view of the stored records ``ids``, read for scoring ``record`` against
    them: an encrypted field is decrypted only where ``record`` has that field too (a field
    empty on either side is not compared), so most candidates cost one or two decryptions
    rather than four, and no model instances are built for the many that are not shown."""
    needed = [column for name, column in _SEALED.items() if getattr(record, name)]
    tokens = {f"sealed_{column}": Cast(column, TextField()) for column in needed}
    # Matching must see every record; callers decide what the user is shown of each.
    # nosemgrep: hearth-case-query-not-through-visible-to
    rows = (Person.objects.filter(pk__in=ids).annotate(**tokens)
            .values("pk", "given_name", "family_name", "date_of_birth", "aliases", *tokens))
    records = []
    for row in rows:
        opened = {name: crypto.decrypt(row[f"sealed_{column}"]) if row.get(f"sealed_{column}") else ""
                  for name, column in _SEALED.items()}
        records.append(Record(record_id=str(row["pk"]), given_name=row["given_name"], surname=row["family_name"],
                              date_of_birth=row["date_of_birth"], other_names=_aliases(row["aliases"]), **opened))
    return records


# The matcher's fields, by the part of a person's record each belongs to (Person.FIELD_PARTS).
FIELDS_OF_PART = {
    "identity": ("given_name", "surname", "date_of_birth", "other_names"),
    "contact": ("phone", "email"),
    "safe_address": ("address_line", "postcode", "locality"),
}
IDENTITY_FIELDS = FIELDS_OF_PART["identity"]


def only_fields(record: Record, fields: Iterable[str]) -> Record:
    """``record`` with every matcher field outside ``fields`` left empty (so not compared)."""
    keep = set(fields)
    empty = {name: (() if name == "other_names" else None if name == "date_of_birth" else "")
             for names in FIELDS_OF_PART.values() for name in names if name not in keep}
    return replace(record, **empty)


def candidates_for(record: Record, *, exclude_person: int | None = None, limit: int = 10,
                   keep_no_link: bool = False, among=None, comparable=None) -> list[Candidate]:
    """Records that may be the same person as ``record``, best first (no access filtering
    unless asked: callers decide what the user may see of each). Pairs in the no-link band are
    left out unless ``keep_no_link`` (for measuring the ranking itself).

    ``among`` limits the candidates to those records (see ``candidate_ids``). ``comparable``,
    a function from the candidates' ids to {id: matcher fields that may be compared}, scores
    each stored record only on those fields: a score must not move with what a reader may
    not see of a record."""
    ids = candidate_ids(record, among=among)
    if exclude_person is not None:
        ids = [i for i in ids if i != exclude_person]
    skip = _excluded_pairs(ids, exclude_person)
    model = shipped_model()
    mine = prepare(record)
    scored = []
    stored_records = _records_to_score([i for i in ids if i not in skip], record)
    if comparable is not None:
        allowed = comparable([int(r.record_id) for r in stored_records])
        stored_records = [only_fields(r, allowed.get(int(r.record_id), ())) for r in stored_records]
    for stored in stored_records:
        comparison = model.compare_prepared(mine, prepare(stored))
        if keep_no_link or comparison.band != NO_LINK:
            scored.append((comparison, int(stored.record_id)))
    scored.sort(key=lambda pair: (-pair[0].probability, -pair[0].weight, pair[1]))
    best = scored[:limit]
    # The matcher's candidates from every agency; callers cut them to what the user may see.
    # nosemgrep: hearth-case-query-not-through-visible-to
    people = Person.objects.select_related("owner_agency").in_bulk([pk for _, pk in best])
    return [Candidate(people[pk], c.probability, c.band, list(c.reasons), list(c.reason_fields)) for c, pk in best]
