"""Identity matching inside Hearth: the database side of ``people.linkage``.

``linkage`` is pure Python (it also runs from the command line without a database); this
module stores each record's blocking keys as keyed hashes, finds candidates through that
index and scores them, honouring "not the same person" decisions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from hearth.platform import crypto

from .identity_match import Record, blocking_keys, default_matcher
from .models import BlockingKey, NotSamePerson, Person

# Enough candidates to find the true match behind common names, few enough to stay fast.
MAX_CANDIDATES = 200


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
    )


def record_from_form(data: dict) -> Record:
    return Record(
        record_id="new",
        given_name=data.get("given_name", "") or "",
        surname=data.get("family_name", "") or "",
        date_of_birth=data.get("date_of_birth"),
        address_line=data.get("safe_address", "") or "",
        postcode=data.get("postcode", "") or "",
        phone=data.get("phone", "") or "",
        email=data.get("email", "") or "",
    )


def hashed_keys(record: Record) -> set[str]:
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


def _excluded_pairs(person_ids: Iterable[int], against: int | None) -> set[int]:
    if against is None:
        return set()
    ids = set(person_ids)
    marks = NotSamePerson.objects.filter(
        Q(person_a_id=against, person_b_id__in=ids) | Q(person_b_id=against, person_a_id__in=ids))
    return {b if a == against else a for a, b in marks.values_list("person_a_id", "person_b_id")}


def candidates_for(record: Record, *, exclude_person: int | None = None, limit: int = 10) -> list[Candidate]:
    """Records that may be the same person as ``record``, best first (no access filtering:
    callers decide what the user may see of each)."""
    keys = hashed_keys(record)
    if not keys:
        return []
    ids = list(
        BlockingKey.objects.filter(key__in=keys).values_list("person_id", flat=True).distinct()[:MAX_CANDIDATES]
    )
    if exclude_person is not None:
        ids = [i for i in ids if i != exclude_person]
    skip = _excluded_pairs(ids, exclude_person)
    # Matching must see every record; callers decide what the user is shown of each.
    # nosemgrep: hearth-case-query-not-through-visible-to
    people = {p.pk: p for p in Person.objects.filter(pk__in=[i for i in ids if i not in skip])}
    ranked = default_matcher().rank(record, [record_of(p) for p in people.values()])
    found = []
    for other, comparison in ranked:
        if comparison.band == "no_link":
            continue
        found.append(Candidate(people[int(other.record_id)], comparison.probability, comparison.band,
                               list(comparison.reasons)))
        if len(found) >= limit:
            break
    return found
