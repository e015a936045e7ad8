"""A county-sized Hearth database for the page benchmarks (issue 14), built with set-based SQL.

    nice -n 19 .venv/bin/python bench/county.py --people 20000          # a quick check
    nice -n 19 .venv/bin/python bench/county.py --people 1000000        # the issue's scale

Uses its own database (``HEARTH_BENCH_DATABASE_URL``, default ``hearth_county``; never ``test``
or ``test_*``), dropped and made again on every load. The demo partnership is loaded first
(``hearth.demo.world.load()``), so its users, agencies and stories exist; the volume goes on top,
attributed to the demo agencies and their users. Per person, on average:

* 1 record with its identity, real Fernet ciphertexts for phone, email, address and postcode
  (encrypted one by one: every value differs) and its hashed blocking keys (bench/ukgen.py's
  fictional UK people, keys from ``hearth.people.matching`` as the product writes them);
* 5 incidents and 7 involvements per 5 incidents (a victim each, an alleged perpetrator in 2 of 5);
  their place and summary are real ciphertexts too, but from a pool of ``POOL`` values encrypted
  once and reused across rows (encrypting 10M values one by one would take most of the load);
* 0.5 referrals between agencies (40% to the charity), with the relationships an accepted,
  started or recently completed referral gives the receiver; 0.003 MARAC referrals (most listed or
  heard), each with the MARAC coordinator's relationship to it;
* an owner relationship for the agency that recorded the person (the police hub records 10%, the
  charity 12%): at 1M people the police hub holds about 100,000 live relationships and the charity
  about 220,000;
* 3 audit rows, chained from the demo's last row exactly as ``hearth.platform.audit`` chains them
  (``audit.verify()`` passes).

Every process that reads this database (this loader, ``bench_pages.py`` and the gunicorn it starts)
takes its settings from ``bench_environment()``: production settings, the same keys.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import itertools
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = os.environ.get("HEARTH_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hearth_county")
STATIC_ROOT = Path(os.environ.get("HEARTH_BENCH_STATIC_ROOT", "/tmp/hearth_county_static"))  # noqa: S108
POOL = 1000  # distinct ciphertexts per encrypted column of the bulk tables

# Who records the volume: (agency slug, demo user, share of the people). Sums to 1.
OWNERS = [
    ("stoke-north-hub", "police.officer", 0.10),
    ("alice-charity", "charity.worker", 0.12),
    ("new-era-victims", "idva", 0.25),
    ("stoke-housing", "housing.officer", 0.15),
    ("potteries-refuge", "refuge.worker", 0.05),
    ("stoke-childrens", "social.worker", 0.20),
    ("new-era-perpetrators", "perpetrator.worker", 0.13),
]
# Where referrals go, out of 10 (a referral to the sender's own agency goes to New Era or the charity).
RECEIVERS = [("alice-charity", 4), ("new-era-victims", 2), ("stoke-housing", 2), ("potteries-refuge", 1),
             ("stoke-childrens", 1)]
SHARED_PARTS = {
    "alice-charity": ["identity", "household", "needs", "risk_level"],
    "new-era-victims": ["identity", "contact", "safe_address", "household", "children", "incidents", "risk_level"],
    "stoke-housing": ["identity", "contact", "household", "safe_address", "risk_level"],
    "potteries-refuge": ["identity", "contact", "household", "safe_address", "risk_level"],
    "stoke-childrens": ["identity", "children", "incidents", "risk_level"],
}


def database_name() -> str:
    return BENCH_DB.rsplit("/", 1)[1].split("?")[0]


def bench_environment() -> dict[str, str]:
    """The environment of every process of the benchmark: its database, production settings, and
    field, blind-index and signing keys of its own (derived from the database's name: the data is
    fictional, and the loader, the driver and the server must agree on them)."""
    name = database_name()

    def derived(purpose: str) -> bytes:
        return hashlib.sha256(f"hearth-bench:{name}:{purpose}".encode()).digest()

    return {
        "DATABASE_URL": BENCH_DB,
        "HEARTH_ENV": "production",
        "HEARTH_SECRET_KEY": derived("secret").hex() + derived("secret-2").hex(),
        "HEARTH_FIELD_KEYS": base64.urlsafe_b64encode(derived("field")).decode(),
        "HEARTH_BLIND_INDEX_KEY": derived("blind").hex(),
        "HEARTH_AUDIT_KEYS": derived("audit").hex(),
        "HEARTH_AUDIT_CHECKPOINT_FILE": f"/tmp/{name}-audit-checkpoints.log",  # noqa: S108 - fictional data
        "HEARTH_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        # Plain HTTP on 127.0.0.1: no TLS in front of this server.
        "HEARTH_SSL_REDIRECT": "0",
        "HEARTH_SECURE_COOKIES": "0",
        "HEARTH_STATIC_ROOT": str(STATIC_ROOT),
        "HEARTH_LOG_LEVEL": "WARNING",
    }


def refuse_unsafe_database() -> None:
    name = database_name()
    if name in ("test", "hearth", "postgres") or name.startswith("test_"):
        raise SystemExit(f"refusing to use database {name!r}: the benchmark fills a database of its own")


def setup_django(settings_module: str = "hearth.settings") -> None:
    """Point this process at the bench database with the bench's settings, then start Django."""
    refuse_unsafe_database()
    os.environ.update(bench_environment())
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    for path in (ROOT / "src", ROOT / "bench"):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
    import django

    django.setup()


def _psql_args() -> list[str]:
    host = BENCH_DB.split("@")[1].split("/")[0]
    host, _, port = host.partition(":")
    return ["-h", host, "-p", port or "5432", "-U", "postgres"]


def recreate_database() -> None:
    refuse_unsafe_database()
    name = database_name()
    subprocess.run(["dropdb", *_psql_args(), "--if-exists", "--force", name], check=True, capture_output=True)
    subprocess.run(["createdb", *_psql_args(), name], check=True, capture_output=True)


# ---------------------------------------------------------------------------
# Set-based inserts that survive later migrations
# ---------------------------------------------------------------------------

def _columns(cursor, table: str) -> dict[str, tuple[bool, str]]:
    cursor.execute("SELECT column_name, is_nullable = 'YES', data_type FROM information_schema.columns "
                   "WHERE table_name = %s ORDER BY ordinal_position", [table])
    return {name: (nullable, kind) for name, nullable, kind in cursor.fetchall()}


def _neutral(nullable: bool, kind: str) -> str:
    """SQL for a column the loader does not name: NULL where allowed, else a neutral value of its type."""
    if nullable:
        return "NULL"
    return {"boolean": "false", "integer": "0", "smallint": "0", "bigint": "0", "jsonb": "'[]'::jsonb",
            "date": "current_date", "timestamp with time zone": "now()", "uuid": "gen_random_uuid()"}.get(kind, "''")


def insert_select(cursor, table: str, values: dict[str, str], source: str) -> int:
    """``INSERT INTO table SELECT …`` naming the columns given (SQL expressions over ``source``, with
    only the loader's own numbers in them); any other column (one a later migration adds) gets a
    neutral value. Returns the rows inserted."""
    columns = _columns(cursor, table)
    unknown = set(values) - set(columns)
    if unknown:
        raise SystemExit(f"{table} has no column {sorted(unknown)}: the loader needs updating")
    names = [c for c in columns if c != "id" or "id" in values]
    exprs = [values[c] if c in values else _neutral(*columns[c]) for c in names]
    cursor.execute(f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(exprs)} FROM {source}")
    return cursor.rowcount


def _copy_rows(cursor, table: str, values: dict[str, object], rows: Iterable[dict]) -> int:
    """COPY rows (dicts) into table; columns not in a row take ``values`` or a neutral value."""
    columns = _columns(cursor, table)
    plain = {"boolean": False, "integer": 0, "smallint": 0, "bigint": 0, "jsonb": "[]"}
    defaults = {c: values.get(c, None if nullable else plain.get(kind, "")) for c, (nullable, kind) in columns.items()}
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    # The id comes from its sequence unless the rows give it.
    order = [c for c in columns if c != "id" or "id" in first or "id" in values]
    count = 0
    with cursor.copy(f"COPY {table} ({', '.join(order)}) FROM STDIN") as copy:
        for row in itertools.chain([first], rows):
            merged = defaults | row
            copy.write_row(tuple(merged[c] for c in order))
            count += 1
    return count


def _sync_sequence(cursor, table: str) -> None:
    cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                   f"GREATEST((SELECT max(id) FROM {table}), 1))")


# ---------------------------------------------------------------------------
# The audit chain (the one place that knows how rows are chained)
# ---------------------------------------------------------------------------

def chained_audit_rows(events: Iterable[dict], *, first_id: int, prev_hash: str) -> Iterator[dict]:
    """Audit rows with ids from ``first_id``, each chained to the one before as
    ``hearth.platform.audit.record`` chains them (built as ``AuditEvent``s and hashed by the audit
    module itself, so the rows follow it). When the audit's chain changes (a keyed, sealed-after-
    commit chain), this function is what changes."""
    from hearth.platform import audit
    from hearth.platform.models import AuditEvent

    for offset, fields in enumerate(events):
        event = AuditEvent(id=first_id + offset, prev_hash=prev_hash, request_id="", ip=None, **fields)
        event.hash = audit.event_hash(event)
        prev_hash = event.hash
        yield {"id": event.id, "at": event.at, "user_id": event.user_id, "username": event.username,
               "agency_id": event.agency_id, "agency_name": event.agency_name, "role": event.role,
               "action": event.action, "outcome": event.outcome, "object_type": event.object_type,
               "object_id": event.object_id, "reason": event.reason,
               "detail": json.dumps(event.detail, sort_keys=True), "request_id": event.request_id,
               "ip": event.ip, "prev_hash": event.prev_hash, "hash": event.hash}


# ---------------------------------------------------------------------------
# The load
# ---------------------------------------------------------------------------

def say(*parts) -> None:
    print(*parts, flush=True)


class Load:
    """One load of ``people`` people on top of the demo partnership."""

    def __init__(self, people: int, seed: int = 7):
        from django.db import connection

        self.n = people
        self.seed = seed
        self.timings: dict[str, float] = {}
        connection.ensure_connection()
        self.raw = connection.connection  # psycopg's, in autocommit: each step is its own transaction

    def step(self, name: str, work) -> None:
        started = time.perf_counter()
        with self.raw.transaction(), self.raw.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
            result = work(cursor)
        self.timings[name] = time.perf_counter() - started
        say(f"  {name}: {self.timings[name]:.1f} s" + (f" ({result:,} rows)" if isinstance(result, int) else ""))

    def run(self) -> dict[str, int]:
        from hearth.demo import world
        from hearth.platform.models import Agency, Membership

        started = time.perf_counter()
        world.load()
        self.timings["demo"] = time.perf_counter() - started
        say(f"  demo partnership: {self.timings['demo']:.1f} s")
        self.agency = {a.slug: a.pk for a in Agency.objects.all()}
        self.member = {(m.user.username, m.agency.slug): m for m in
                       Membership.objects.select_related("user", "agency")}
        with self.raw.cursor() as cursor:
            cursor.execute("SELECT id FROM django_content_type WHERE app_label = 'people' AND model = 'person'")
            self.person_type = cursor.fetchone()[0]
            cursor.execute("SELECT COALESCE(max(id), 0) FROM people_person")
            self.first = cursor.fetchone()[0] + 1
        self.step("cipher pool", self.cipher_pool)
        self.step("people (COPY, per-row encryption)", self.people)
        self.step("blocking keys (COPY)", self.blocking_keys)
        self.step("blocking key index", self.blocking_key_index)
        self.step("owner relationships", self.owner_grants)
        self.step("incidents", self.incidents)
        self.step("involvements", self.involvements)
        self.step("referrals", self.referrals)
        self.step("referral relationships", self.referral_grants)
        self.step("MARAC referrals and relationships", self.marac)
        self.step("audit (COPY, chained)", self.audit_rows)
        self.step("sequences", self.sequences)
        with self.raw.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute("VACUUM ANALYZE")
            self.timings["vacuum analyze"] = time.perf_counter() - started
            say(f"  vacuum analyze: {self.timings['vacuum analyze']:.1f} s")
            counts = {}
            for label, table in (("people", "people_person"), ("incidents", "people_incident"),
                                 ("involvements", "people_involvement"), ("referrals", "referrals_referral"),
                                 ("MARAC referrals", "marac_maracreferral"), ("audit rows", "platform_auditevent"),
                                 ("access grants", "platform_accessgrant"), ("blocking keys", "people_blockingkey")):
                cursor.execute(f"SELECT count(*) FROM {table}")
                counts[label] = cursor.fetchone()[0]
            now = datetime.now(UTC)
            for slug in ("stoke-north-hub", "alice-charity"):
                cursor.execute("SELECT count(*) FROM platform_accessgrant WHERE agency_id = %s "
                               "AND content_type_id = %s AND starts_at <= %s AND (ends_at IS NULL OR ends_at > %s)",
                               [self.agency[slug], self.person_type, now, now])
                counts[f"live relationships of {slug}"] = cursor.fetchone()[0]
        counts["load seconds"] = round(sum(self.timings.values()))
        return counts

    # -- owners -----------------------------------------------------------------------------------

    def owner_of(self, offset: int) -> tuple[str, str]:
        """(agency slug, username) recording the volume person at ``offset`` (0-based)."""
        point = offset * 7919 % 1000
        total = 0
        for slug, username, share in OWNERS:
            total += round(share * 1000)
            if point < total:
                return slug, username
        return OWNERS[-1][0], OWNERS[-1][1]

    def _owner_case(self, offset_sql: str, what: str) -> str:
        """SQL CASE giving the owner's agency id (``what="agency"``) or user id for a volume offset."""
        point = f"(({offset_sql}) * 7919 % 1000)"
        total, branches = 0, []
        for slug, username, share in OWNERS:
            total += round(share * 1000)
            value = self.agency[slug] if what == "agency" else self.member[(username, slug)].user_id
            branches.append(f"WHEN {point} < {total} THEN {value}")
        return "CASE " + " ".join(branches) + f" ELSE {value} END"

    # -- steps ------------------------------------------------------------------------------------

    def cipher_pool(self, cursor) -> int:
        from hearth.platform import crypto

        cursor.execute("CREATE UNLOGGED TABLE IF NOT EXISTS bench_cipher (purpose text, i int, token text, "
                       "PRIMARY KEY (purpose, i))")
        cursor.execute("TRUNCATE bench_cipher")
        texts = {
            "place": lambda i: f"{i % 300 + 1} {('Moorland', 'Hartshill', 'Waterloo', 'Leek', 'Uttoxeter')[i % 5]} "
                               f"Road, Stoke-on-Trent",
            "summary": lambda i: f"Incident {i}: officers attended after a call from a neighbour; "
                                 f"the victim was spoken to alone. Account {i * 31 % 997}.",
            "needs": lambda i: f"Beds and bedding for {i % 4 + 1} children, a cooker, school uniform (note {i}).",
            "safe_times": lambda i: f"Weekdays {9 + i % 4}am to {2 + i % 3}pm, text first ({i}).",
            "marac_note": lambda i: f"High risk: escalation over {i % 12 + 1} months, strangulation disclosed ({i}).",
            "safe_contact": lambda i: f"Text only, {('mornings', 'afternoons', 'weekdays')[i % 3]} (ref {i}).",
        }
        rows = [(purpose, i, crypto.encrypt(text(i))) for purpose, text in texts.items() for i in range(POOL)]
        cursor.executemany("INSERT INTO bench_cipher VALUES (%s, %s, %s)", rows)
        return len(rows)

    def _people_records(self) -> list[dict]:
        import ukgen

        records, _truth, _ = ukgen.generate(int(self.n / 1.8) + 10, seed=self.seed)
        while len(records) < self.n:  # a small file can fall short: top up from another seed
            more, _truth, _ = ukgen.generate(self.n - len(records) + 10, seed=self.seed + len(records))
            records += more
        return records[: self.n]

    def people(self, cursor) -> int:
        from hearth.platform import crypto

        started = time.perf_counter()
        self.records = self._people_records()
        say(f"    generated {len(self.records):,} records in {time.perf_counter() - started:.1f} s")
        cursor.execute("SELECT token FROM bench_cipher WHERE purpose = 'safe_contact' ORDER BY i")
        safe_contact = [token for (token,) in cursor.fetchall()]
        enc = crypto.encrypt
        created = datetime(2024, 1, 1, tzinfo=UTC)
        _copy_rows(cursor, "people_identity", {}, (
            {"id": self.first + k, "created_at": created} for k in range(self.n)))
        genders = ("woman", "woman", "man", "not_known")

        def rows():
            for k, r in enumerate(self.records):
                slug, username = self.owner_of(k)
                yield {
                    "id": self.first + k, "identity_id": self.first + k, "given_name": r["given_name"],
                    "family_name": r["surname"], "date_of_birth": r["date_of_birth"] or None,
                    "gender": genders[k % 4], "interpreter_needed": k % 23 == 0,
                    "phone": enc(r["phone"]) if r["phone"] else "", "email": enc(r["email"]) if r["email"] else "",
                    "safe_address": enc(r["address_line"]) if r["address_line"] else "",
                    "postcode": enc(r["postcode"]) if r["postcode"] else "",
                    "safe_contact": safe_contact[k % POOL] if k % 3 == 0 else "",
                    "owner_agency_id": self.agency[slug], "created_by_id": self.member[(username, slug)].user_id,
                    "created_at": created + timedelta(minutes=k),
                }

        return _copy_rows(cursor, "people_person", {}, rows())

    def blocking_keys(self, cursor) -> int:
        from hearth.people import matching
        from hearth.people.linkage.normalise import parse_date

        cursor.execute("ALTER TABLE people_blockingkey DROP CONSTRAINT IF EXISTS blocking_key_once")
        cursor.execute("DROP INDEX IF EXISTS blocking_key")

        def rows():
            for k, r in enumerate(self.records):
                record = matching.Record(str(self.first + k), r["given_name"], r["surname"],
                                         parse_date(r["date_of_birth"]), r["address_line"], r["postcode"],
                                         r["phone"], r["email"])
                for key in matching.hashed_keys(record):
                    yield {"person_id": self.first + k, "key": key}

        count = _copy_rows(cursor, "people_blockingkey", {}, rows())
        del self.records
        return count

    def blocking_key_index(self, cursor) -> None:
        cursor.execute("DELETE FROM people_blockingkey a USING people_blockingkey b "
                       "WHERE a.person_id = b.person_id AND a.key = b.key AND a.id > b.id")
        cursor.execute("CREATE INDEX blocking_key ON people_blockingkey (key)")
        cursor.execute("ALTER TABLE people_blockingkey ADD CONSTRAINT blocking_key_once UNIQUE (person_id, key)")

    def owner_grants(self, cursor) -> int:
        return insert_select(cursor, "platform_accessgrant", {
            "agency_id": "p.owner_agency_id", "content_type_id": str(self.person_type), "object_id": "p.id",
            "kind": "'owner'", "parts": "'[]'::jsonb", "starts_at": "p.created_at", "ends_at": "NULL",
            "source": "'bench'", "member_id": "NULL", "created_at": "p.created_at",
        }, f"people_person p WHERE p.id >= {self.first}")

    def incidents(self, cursor) -> int:
        self.first_incident = self._next_id(cursor, "people_incident")
        police, victims = self.agency["stoke-north-hub"], self.agency["new-era-victims"]
        officer = self.member[("police.officer", "stoke-north-hub")].user_id
        idva = self.member[("idva", "new-era-victims")].user_id
        types = ('["physical_sexual", "coercive_controlling"]', '["violent_threatening"]', '["economic"]',
                 '["psychological"]', '["coercive_controlling"]')
        abuse = "CASE g % 5 " + " ".join(f"WHEN {i} THEN '{t}'::jsonb" for i, t in enumerate(types)) + " END"
        return insert_select(cursor, "people_incident", {
            "id": f"{self.first_incident - 1} + g",
            "occurred_on": "current_date - (g * 37 % 1500)::int",
            "place": "pl.token", "summary": "su.token", "abuse_types": abuse,
            "children_present": "g % 3 = 0", "police_reference": "'SP-' || g",
            "owner_agency_id": f"CASE WHEN g % 10 < 7 THEN {police} ELSE {victims} END",
            "recorded_by_id": f"CASE WHEN g % 10 < 7 THEN {officer} ELSE {idva} END",
            "created_at": "now() - make_interval(days => (g * 37 % 1500)::int)",
        }, f"generate_series(1, {5 * self.n}) g JOIN bench_cipher pl ON pl.purpose = 'place' AND pl.i = g % {POOL} "
           f"JOIN bench_cipher su ON su.purpose = 'summary' AND su.i = (g * 7) % {POOL}")

    def involvements(self, cursor) -> int:
        # Incident g's victim is volume person (g * 7919) mod n; 2 in 5 incidents name an alleged
        # perpetrator, another volume person.
        incident = f"{self.first_incident - 1} + g"
        victims = insert_select(cursor, "people_involvement", {
            "incident_id": incident, "person_id": f"{self.first} + (g::bigint * 7919 % {self.n})", "role": "'victim'",
        }, f"generate_series(1, {5 * self.n}) g")
        perpetrators = insert_select(cursor, "people_involvement", {
            "incident_id": incident, "person_id": f"{self.first} + ((g::bigint * 104729 + 17) % {self.n})",
            "role": "'alleged_perpetrator'",
        }, f"generate_series(1, {5 * self.n}) g WHERE g % 5 < 2")
        return victims + perpetrators

    def referrals(self, cursor) -> int:
        self.first_referral = self._next_id(cursor, "referrals_referral")
        offset = "((g - 1) * 2)"  # every second volume person is referred once
        receiver, branch, slot = [], [], 0
        for slug, weight in RECEIVERS:
            slot += weight
            branch.append(f"WHEN g % 10 < {slot} THEN {self.agency[slug]}")
        receiver = "CASE " + " ".join(branch) + " END"
        owner = self._owner_case(offset, "agency")
        # Never to the sender's own agency: New Era instead, or the charity when New Era sent it.
        to_agency = (f"CASE WHEN ({receiver}) <> ({owner}) THEN ({receiver}) "
                     f"WHEN ({owner}) = {self.agency['new-era-victims']} THEN {self.agency['alice-charity']} "
                     f"ELSE {self.agency['new-era-victims']} END")
        parts = "CASE r.to_agency_id " + " ".join(
            f"WHEN {self.agency[slug]} THEN '{json.dumps(p)}'::jsonb" for slug, p in SHARED_PARTS.items()) + " END"
        # Out of 20: sent 2, received 2, accepted 4, in progress 4, completed 4, declined 2, withdrawn 2.
        status = ("CASE WHEN g % 20 < 2 THEN 'sent' WHEN g % 20 < 4 THEN 'received' WHEN g % 20 < 8 THEN 'accepted' "
                  "WHEN g % 20 < 12 THEN 'in_progress' WHEN g % 20 < 16 THEN 'completed' "
                  "WHEN g % 20 < 18 THEN 'declined' ELSE 'withdrawn' END")
        count = insert_select(cursor, "referrals_referral", {
            "id": f"{self.first_referral - 1} + g", "source": "'staff'", "from_agency_id": owner,
            "from_user_id": self._owner_case(offset, "user"), "to_agency_id": to_agency,
            "person_id": f"{self.first} + {offset}", "reasons": "'[\"practical_items\"]'::jsonb",
            "needs": "ne.token", "urgency": "CASE WHEN g % 7 = 0 THEN 'urgent' ELSE 'routine' END",
            "risk_level": "(ARRAY['not_known', 'standard', 'medium', 'high'])[1 + g % 4]",
            "shared_parts": "'[]'::jsonb", "lawful_basis": "'consent'",
            "consent_taken_on": "current_date - (g % 700)::int", "safe_to_call": "g % 2 = 0",
            "safe_times": "st.token", "text_ok": "true", "status": status,
            "created_at": "now() - make_interval(days => (g % 700)::int, hours => 2)",
            "sent_at": "now() - make_interval(days => (g % 700)::int, hours => 1)",
            "respond_by": "now() - make_interval(days => (g % 700)::int) + interval '5 days'",
            "decided_at": "CASE WHEN g % 20 >= 4 THEN now() - make_interval(days => (g % 700)::int) END",
            "closed_at": "CASE WHEN g % 20 >= 12 THEN now() - make_interval(days => (g % 700)::int) "
                         "+ interval '1 day' END",
        }, f"generate_series(1, {self.n // 2}) g JOIN bench_cipher ne ON ne.purpose = 'needs' AND ne.i = g % {POOL} "
           f"JOIN bench_cipher st ON st.purpose = 'safe_times' AND st.i = (g * 3) % {POOL}")
        cursor.execute(f"UPDATE referrals_referral r SET shared_parts = {parts} WHERE r.id >= {self.first_referral}")
        return count

    def referral_grants(self, cursor) -> int:
        # As the referral services give them: from acceptance, open-ended while the referral is open,
        # ending 90 days after it completes (those ends fall on both sides of today).
        return insert_select(cursor, "platform_accessgrant", {
            "agency_id": "r.to_agency_id", "content_type_id": str(self.person_type), "object_id": "r.person_id",
            "kind": "'referral'", "parts": "r.shared_parts", "starts_at": "r.decided_at",
            "ends_at": "CASE WHEN r.status = 'completed' THEN r.closed_at + interval '90 days' END",
            "source": "'referral ' || r.id", "member_id": "NULL", "created_at": "r.decided_at",
        }, f"referrals_referral r WHERE r.id >= {self.first_referral} "
           "AND r.status IN ('accepted', 'in_progress', 'completed')")

    def marac(self, cursor) -> int:
        first = self._next_id(cursor, "marac_maracreferral")
        count = max(self.n * 3 // 1000, 1)
        idva = self.member[("idva", "new-era-victims")].user_id
        insert_select(cursor, "marac_maracreferral", {
            "id": f"{first - 1} + g", "person_id": f"{self.first} + (g::bigint * 7919 % {self.n})",
            "criteria": "'[\"visible_high_risk\"]'::jsonb", "reasons": "'[]'::jsonb", "is_repeat": "g % 4 = 0",
            "referred_on": "current_date - (g % 720)::int", "referred_by_id": str(idva),
            "referring_agency_id": str(self.agency["new-era-victims"]), "victim_knows": "true",
            "victim_consents": "g % 3 <> 0", "referral_note": "mn.token",
            "status": "CASE WHEN g % 10 = 0 THEN 'waiting' WHEN g % 10 < 4 THEN 'listed' ELSE 'heard' END",
            "created_at": "now() - make_interval(days => (g % 720)::int)",
        }, f"generate_series(1, {count}) g JOIN bench_cipher mn ON mn.purpose = 'marac_note' AND mn.i = g % {POOL}")
        # As marac.services gives it: the coordinator's relationship to the MARAC referral itself, with
        # the MARAC parts, for the repeat window after the referral.
        cursor.execute("SELECT id FROM django_content_type WHERE app_label = 'marac' AND model = 'maracreferral'")
        referral_type = cursor.fetchone()[0]
        return count + insert_select(cursor, "platform_accessgrant", {
            "agency_id": str(self.agency["stoke-marac"]), "content_type_id": str(referral_type),
            "object_id": "m.id", "kind": "'marac'",
            "parts": "'[\"identity\", \"risk_level\", \"risk_answers\"]'::jsonb",
            "starts_at": "m.created_at", "ends_at": "m.referred_on + interval '366 days'",
            "source": "'MARAC referral'", "member_id": "NULL", "created_at": "m.created_at",
        }, f"marac_maracreferral m WHERE m.id >= {first}")

    def audit_rows(self, cursor) -> int:
        from hearth.platform.audit import GENESIS

        cursor.execute("SELECT id, hash FROM platform_auditevent ORDER BY id DESC LIMIT 1")
        last = cursor.fetchone()
        first_id, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
        names = {slug: name for slug, name in self._agency_names(cursor).items()}
        officer = self.member[("police.officer", "stoke-north-hub")]
        # The volume's reads happened before the demo's (older than its rows would be odd for a
        # chain; so the timestamps run on from the demo's last row).
        cursor.execute("SELECT max(at) FROM platform_auditevent")
        start = cursor.fetchone()[0] or datetime.now(UTC)

        def events():
            for k in range(self.n):
                slug, username = self.owner_of(k)
                member = self.member[(username, slug)]
                person = str(self.first + k)
                at = start + timedelta(milliseconds=3 * k + 1)
                actor = {"user_id": member.user_id, "username": username, "agency_id": member.agency_id,
                         "agency_name": names[slug], "role": member.role}
                yield {**actor, "at": at, "action": "create", "outcome": "allow", "object_type": "people.person",
                       "object_id": person, "reason": "", "detail": {"fields": ["family_name", "given_name"]}}
                yield {**actor, "at": at + timedelta(microseconds=300), "action": "view", "outcome": "allow",
                       "object_type": "people.person", "object_id": person, "reason": "",
                       "detail": {"parts": ["contact", "identity"]}}
                # A third of them looked up by the police hub's officer (the DPO's audit search).
                reader = officer if k % 3 == 0 else member
                yield {"user_id": reader.user_id, "username": reader.user.username, "agency_id": reader.agency_id,
                       "agency_name": names[reader.agency.slug], "role": reader.role,
                       "at": at + timedelta(microseconds=600), "action": "search" if k % 3 == 0 else "view",
                       "outcome": "allow", "object_type": "people.person", "object_id": person, "reason": "",
                       "detail": {"results": 1 + k % 9} if k % 3 == 0 else {"parts": ["identity"]}}

        return _copy_rows(cursor, "platform_auditevent", {},
                          chained_audit_rows(events(), first_id=first_id, prev_hash=prev))

    def sequences(self, cursor) -> None:
        for table in ("people_identity", "people_person", "people_blockingkey", "people_incident",
                      "people_involvement", "referrals_referral", "marac_maracreferral", "platform_accessgrant",
                      "platform_auditevent"):
            _sync_sequence(cursor, table)

    # -- helpers ----------------------------------------------------------------------------------

    def _next_id(self, cursor, table: str) -> int:
        cursor.execute(f"SELECT COALESCE(max(id), 0) + 1 FROM {table}")
        return cursor.fetchone()[0]

    def _agency_names(self, cursor) -> dict[str, str]:
        cursor.execute("SELECT slug, name FROM platform_agency")
        return dict(cursor.fetchall())


def load(people: int) -> dict[str, int]:
    """Make the bench database again and fill it: the demo, then ``people`` people's volume."""
    from django.core.management import call_command
    from django.db import connection

    recreate_database()
    connection.close()
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    say(f"  migrate: {time.perf_counter() - started:.1f} s")
    if people:
        counts = Load(people).run()
    else:  # the demo alone: the baseline the volume is compared with
        from hearth.demo import world

        world.load()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        counts = {}
    connection.close()
    return counts


def database_counts() -> dict[str, int]:
    """What the bench database holds now (people, incidents, audit rows, grants)."""
    from django.db import connection

    counts = {}
    with connection.cursor() as cursor:
        for label, table in (("people", "people_person"), ("incidents", "people_incident"),
                             ("involvements", "people_involvement"), ("referrals", "referrals_referral"),
                             ("audit rows", "platform_auditevent"), ("access grants", "platform_accessgrant")):
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[label] = cursor.fetchone()[0]
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--verify", action="store_true", help="walk the audit chain after the load")
    args = parser.parse_args()
    setup_django()
    say(f"loading {args.people:,} people into {database_name()}...")
    counts = load(args.people)
    for label, value in counts.items():
        say(f"  {label}: {value:,}")
    if args.verify:
        from hearth.platform import audit

        result = audit.verify()
        say(f"  audit chain: {result.rows:,} rows, {'valid' if result.ok else 'BROKEN at ' + str(result.first_bad_id)}")
        if not result.ok:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
