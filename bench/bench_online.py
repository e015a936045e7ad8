"""Online search before create: one new person against 50k and 1M stored persons in PostgreSQL,
end to end from form data (PersonForm validation, blocking keys hashed, the indexed key table,
records fetched and decrypted, scored, ranked): median and p95, and how often a record of the
true person is in the top 10.

Uses its own database ``hearth_bench`` (created if missing, never the test database), filled
fast with COPY. Persons come from bench/ukgen.py; each query is a later, varied record of a
stored person (nickname, transliteration, move, typo, changed surname...) that is not itself
stored.

    nice -n 19 .venv/bin/python bench/bench_online.py --sizes 50000 1000000 --queries 1000
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH_DB = os.environ.get("HEARTH_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hearth_bench")
os.environ["DATABASE_URL"] = BENCH_DB
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hearth.settings")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import django  # noqa: E402

django.setup()

import ukgen  # noqa: E402
from common import say, write_section  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from hearth.people import matching  # noqa: E402
from hearth.people.forms import PersonForm  # noqa: E402
from hearth.people.linkage.compare import NULL  # noqa: E402
from hearth.people.linkage.normalise import parse_date  # noqa: E402
from hearth.people.matching import record_from_form  # noqa: E402
from hearth.platform import crypto  # noqa: E402
from hearth.platform.access import ALL_PARTS  # noqa: E402
from hearth.platform.models import Agency, User  # noqa: E402


def ensure_database() -> None:
    name = BENCH_DB.rsplit("/", 1)[1]
    if name in ("test", "hearth", "postgres") or name.startswith("test_"):
        raise SystemExit(f"refusing to fill database {name!r}: the benchmark uses its own")
    base = BENCH_DB.rsplit("/", 1)[0]
    subprocess.run(["createdb", "-h", base.split("@")[1].split(":")[0], "-U", "postgres", name],
                   capture_output=True, check=False)
    call_command("migrate", verbosity=0, interactive=False)


def _clusters(truth: set[tuple[str, str]]) -> dict[str, str]:
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in sorted(truth):
        parent[find(a)] = find(b)
    members: dict[str, list[str]] = {}
    for x in parent:
        members.setdefault(find(x), []).append(x)
    # Named by the smallest member, so that every run (and process) picks the same queries.
    return {x: min(group) for group in members.values() for x in group}


def load(n_persons: int, n_queries: int, seed: int, reuse: bool = False):
    """Fill the store with n_persons records; return the held-back queries and who they are.
    With ``reuse``, a store already holding exactly this many persons (from an earlier run of
    this script: the data is deterministic) is measured again without reloading."""
    people = int(n_persons / 1.5) + n_queries
    records, truth, _ = ukgen.generate(people, seed=seed)
    cluster = _clusters(truth)
    rng = random.Random(seed)
    by_cluster: dict[str, list[dict]] = {}
    for r in records:
        if r["record_id"] in cluster:
            by_cluster.setdefault(cluster[r["record_id"]], []).append(r)
    chosen = rng.sample(sorted(by_cluster), n_queries)
    queries = [(rng.choice(by_cluster[c]), c) for c in chosen]
    held = {q["record_id"] for q, _ in queries}
    stored = [r for r in records if r["record_id"] not in held][:n_persons]
    # Only queries whose person is still in the store (the cut above may have left them out).
    kept = {r["record_id"] for r in stored}
    queries = [(q, c) for q, c in queries if any(r["record_id"] in kept for r in by_cluster[c])]
    if reuse:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM people_person")
            held_count = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM people_blockingkey")
            n_keys = cursor.fetchone()[0]
        if held_count == len(stored):
            ids = {pk: r["record_id"] for pk, r in enumerate(stored, start=1)}
            return queries, {pk: cluster.get(rid, rid) for pk, rid in ids.items()}, 0.0, 0.0, n_keys
    agency, _ = Agency.objects.get_or_create(slug="bench", defaults={"name": "Benchmark agency", "kind": "police"})
    user, _ = User.objects.get_or_create(username="bench")
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE people_blockingkey, people_person, people_identity RESTART IDENTITY CASCADE")
        cursor.execute("ALTER TABLE people_blockingkey DROP CONSTRAINT IF EXISTS blocking_key_once")
        cursor.execute("DROP INDEX IF EXISTS blocking_key")
        cursor.execute("SELECT column_name, is_nullable, data_type FROM information_schema.columns "
                       "WHERE table_name = 'people_person'")
        columns = {name: (nullable, kind) for name, nullable, kind in cursor.fetchall()}
    values_for = {
        "id": None, "identity_id": None, "given_name": None, "family_name": None, "date_of_birth": None,
        "phone": None, "email": None, "safe_address": None, "postcode": None, "owner_agency_id": agency.pk,
        "created_by_id": user.pk, "created_at": "2026-11-01 00:00:00+00", "gender": "not_known",
        "interpreter_needed": False,
    }
    order = list(columns)
    fixed = {}
    for name, (nullable, kind) in columns.items():
        if name in values_for:
            fixed[name] = values_for[name]
        elif nullable == "YES":
            fixed[name] = None
        elif kind == "boolean":
            fixed[name] = False
        elif kind in ("integer", "smallint", "bigint"):
            fixed[name] = 0
        else:
            fixed[name] = ""
    ids: dict[int, str] = {}
    enc = crypto.encrypt
    raw = connection.connection if connection.connection else (connection.ensure_connection() or connection.connection)
    with raw.cursor() as cur:
        with cur.copy("COPY people_identity (id, created_at) FROM STDIN") as copy:
            for pk in range(1, len(stored) + 1):
                copy.write_row((pk, "2026-11-01 00:00:00+00"))
        with cur.copy(f"COPY people_person ({', '.join(order)}) FROM STDIN") as copy:
            for pk, r in enumerate(stored, start=1):
                ids[pk] = r["record_id"]
                row = dict(fixed, id=pk, identity_id=pk, given_name=r["given_name"], family_name=r["surname"],
                           date_of_birth=r["date_of_birth"] or None, phone=enc(r["phone"]) if r["phone"] else "",
                           email=enc(r["email"]) if r["email"] else "",
                           safe_address=enc(r["address_line"]) if r["address_line"] else "",
                           postcode=enc(r["postcode"]) if r["postcode"] else "")
                copy.write_row(tuple(row[c] for c in order))
        with cur.copy("COPY people_blockingkey (person_id, key) FROM STDIN") as copy:
            for pk, r in enumerate(stored, start=1):
                record = matching.Record(str(pk), r["given_name"], r["surname"], parse_date(r["date_of_birth"]),
                                         r["address_line"], r["postcode"], r["phone"], r["email"])
                for key in matching.hashed_keys(record):
                    copy.write_row((pk, key))
    raw.commit()
    loaded = time.perf_counter() - t0
    t1 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("CREATE INDEX blocking_key ON people_blockingkey (key)")
        cursor.execute("ALTER TABLE people_blockingkey ADD CONSTRAINT blocking_key_once UNIQUE (person_id, key)")
        for table in ("people_person", "people_blockingkey", "people_identity"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            cursor.execute(f"ANALYZE {table}")
        cursor.execute("SELECT count(*) FROM people_blockingkey")
        n_keys = cursor.fetchone()[0]
    indexed = time.perf_counter() - t1
    return queries, {pk: cluster.get(rid, rid) for pk, rid in ids.items()}, loaded, indexed, n_keys


def _form(r: dict) -> dict:
    born = parse_date(r["date_of_birth"])
    return {"given_name": r["given_name"], "family_name": r["surname"],
            "date_of_birth": f"{born.day} {born.month} {born.year}" if born else "", "gender": "not_known",
            "safe_address": r["address_line"], "postcode": r["postcode"], "phone": r["phone"], "email": r["email"]}


def measure(queries, person_cluster, misses=None):
    """Times the product's call; "top 10" ranks every candidate retrieved (as a ranking measure
    should), "shown" counts the true person among those the page would offer (review band or above).
    Queries whose true person is not in the top 10 are added to ``misses``, if given."""
    timings, hits, shown, retrieved, undecidable = [], 0, 0, 0, 0
    for r, _cluster in queries[:20]:  # warm the caches and the connection
        PersonForm(_form(r), parts=ALL_PARTS).is_valid()
    for r, cluster in queries:
        started = time.perf_counter()
        form = PersonForm(_form(r), parts=ALL_PARTS)
        data = form.cleaned_data if form.is_valid() else {**_form(r), "date_of_birth": None}
        found = matching.candidates_for(record_from_form(data), limit=10, keep_no_link=True)
        timings.append((time.perf_counter() - started) * 1000)
        true = [c for c in found if person_cluster.get(c.person.pk) == cluster]
        hits += bool(true)
        shown += any(c.band != "no_link" for c in true)
        ids = matching.candidate_ids(record_from_form(data))
        retrieved += any(person_cluster.get(i) == cluster for i in ids)
        undecidable += _outmatched(record_from_form(data), ids, person_cluster, cluster)
        if not true and misses is not None:
            misses.append((data, cluster, found, ids))
    timings.sort()
    n = len(queries)
    return (statistics.median(timings), timings[int(0.95 * n) - 1], hits / n, shown / n, retrieved / n,
            1 - undecidable / n)


def _rank(level: int) -> int:
    # Evidence order of a field's level: disagreeing < missing (no evidence) < each agreeing level.
    return 1 if level == NULL else (0 if level == 0 else level + 1)


def _outmatched(query, ids, person_cluster, cluster) -> bool:
    """True when 10 or more records of other people among those retrieved agree with the query
    at least as well, field by field, as the true person's best record does: no ranking can then
    put the true person in the top 10 except by chance (a query holding only a common name that
    dozens share). Not timed; it explains the top-10 figure, it does not change it."""
    from hearth.people.linkage import prepare
    from hearth.people.linkage.compare import levels
    from hearth.people.models import Person

    mine = prepare(query)
    # nosemgrep: hearth-case-query-not-through-visible-to
    vectors = {p.pk: levels(mine, prepare(matching.record_of(p))) for p in Person.objects.filter(pk__in=ids)}
    true = [v for pk, v in vectors.items() if person_cluster.get(pk) == cluster]
    if not true:
        return False  # a retrieval miss, counted as such
    others = [v for pk, v in vectors.items() if person_cluster.get(pk) != cluster]

    def at_least_as_good(other, mine_):
        return all(_rank(a) >= _rank(b) for a, b in zip(other, mine_, strict=True))

    return min(sum(at_least_as_good(o, t) for o in others) for t in true) >= 10


def diagnose(misses, person_cluster, limit: int) -> None:
    """Print, for queries whose true person is not in the top 10: the query, the best-ranked
    candidates, and each stored record of the true person with its score, the keys it shares
    with the query and how many records in the index hold each of those keys."""
    from collections import defaultdict

    from hearth.people.linkage import blocking_keys, prepare, shipped_model
    from hearth.people.models import BlockingKey, Person

    members = defaultdict(list)
    for pk, cluster in person_cluster.items():
        members[cluster].append(pk)
    model = shipped_model()

    def held(key: str) -> int:
        return BlockingKey.objects.filter(key=crypto.blind_index(key, purpose="blocking")).count()

    def shown(rec) -> str:
        return (f"{rec.given_name} {rec.surname} | {rec.date_of_birth or '-'} | {rec.address_line or '-'} | "
                f"{rec.postcode or '-'} | {rec.phone or '-'} | {rec.email or '-'}")

    say(f"{len(misses)} queries without their true person in the top 10; the first {min(limit, len(misses))}:")
    for data, cluster, found, ids in misses[:limit]:
        query = record_from_form(data)
        mine, keys = prepare(query), blocking_keys(query)
        got = any(person_cluster.get(i) == cluster for i in ids)
        print("=" * 100)
        print(f"QUERY {shown(query)}   [{'retrieved' if got else 'NOT retrieved'}, {len(ids)} candidates]")
        for c in found[:3]:
            print(f"  top  p={c.probability:.4f} {shown(matching.record_of(c.person))}")
        for pk in members[cluster]:
            person = Person.objects.get(pk=pk)  # nosemgrep: hearth-case-query-not-through-visible-to
            stored = matching.record_of(person)
            comparison = model.compare_prepared(mine, prepare(stored))
            rank = ids.index(pk) + 1 if pk in ids else None
            print(f"  TRUE p={comparison.probability:.4f} levels={comparison.levels} retrieved at {rank} "
                  f"{shown(stored)}")
            for key in sorted(keys & blocking_keys(stored)):
                print(f"       shares {key} (held by {held(key)})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[50_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--reuse", action="store_true", help="measure a store loaded by an earlier run again")
    parser.add_argument("--diagnose", type=int, default=0, metavar="N",
                        help="print the first N queries whose true person is not in the top 10, with its "
                             "records, the keys they share with the query and how common each key is")
    args = parser.parse_args()
    ensure_database()
    lines = ["## Online: one new person against a store in PostgreSQL", "",
             "End to end from the person form's data to ranked candidates (form validation, keys hashed, the "
             "indexed key table asked how many records hold each key and then for the "
             f"{matching.MAX_CANDIDATES} records sharing the most key weight (a key counts for more the fewer "
             "records hold it), those records fetched and decrypted, scored and ranked), in one process against "
             "PostgreSQL on this machine. Each query is a varied "
             "later record of a stored person that is not itself stored. *Top 10* = a record of the true person "
             "among the 10 best-ranked candidates; *offered* = among those the page shows (probability ≥ 0.2); "
             "*retrieved* = among the records the key index returns (the ceiling for the rest); *decidable* = "
             "queries where fewer than 10 records of other people agree with the query at least as well, field "
             "by field, as the true person's best record (the rest hold only what dozens of others share, "
             "typically a common name and an address she has left: no ranking can place the true person in "
             "the top 10 for those but by chance).", "",
             "| Stored persons | key rows | load (COPY) | index build | queries | median | p95 | true match in top 10 "
             "| offered (review band or above) | retrieved by the keys | decidable |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for size in args.sizes:
        say(f"loading {size} persons...")
        queries, person_cluster, loaded, indexed, n_keys = load(size, args.queries, seed=3, reuse=args.reuse)
        misses = []
        median, p95, top10, shown, retrieved, decidable = measure(queries, person_cluster, misses)
        lines.append(f"| {size:,} | {n_keys:,} | {loaded:.0f} s | {indexed:.0f} s | {len(queries)} | {median:.1f} ms | "
                     f"**{p95:.1f} ms** | **{top10:.2%}** | {shown:.2%} | {retrieved:.2%} | {decidable:.2%} |")
        say(lines[-1])
        write_section("online", "\n".join(lines + ["", "Anchors from the issue (at 1M on this machine): Splink "
                                                   "`predict_between` 492 ms median / 578 ms p95; PostgreSQL "
                                                   "pg_trgm top-10 122 / 255 ms with the true match in the top 10 "
                                                   "97%. Target: p95 ≤ 50 ms at 1M, true match in top 10 ≥ 99.5%."]))
        if args.diagnose:
            diagnose(misses, person_cluster, args.diagnose)


if __name__ == "__main__":
    main()
