"""The audit: append-only, keyed hash chain of ``AuditEvent`` rows for every read, search,
export and write of case data, and for sign-in events.

Call ``audit.record(...)`` from services and selectors. The request context (who, which
agency, request id, IP) is picked up from the current request by ``RequestContextMiddleware``.

How the chain is kept (docs/architecture.md, "The audit"):

- ``record`` inserts the row with ``mac``, an HMAC of its contents under the newest audit key,
  and takes no lock: an audited transaction never waits for another one's audit.
- ``seal`` runs just after the writer's transaction commits (``transaction.on_commit``) and at
  every checkpoint. In a short transaction of its own, under the chain lock, it gives each
  committed unsealed row its place (``seq``), its predecessor's hash and its ``hash``, an HMAC
  over all of it. Without the key nobody can re-hash the chain after removing or changing a row.
- ``checkpoint_write`` signs the chain's head (row id, hash, row count, time) into an
  append-only file and the log, to be shipped off the host, so rows removed from the *end*
  are found too.
- ``verify`` walks the chain and names every removed, rewritten or forged row.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils import timezone

from .context import current
from .models import AuditAction, AuditEvent

logger = logging.getLogger(__name__)
# Its own logger, so operators can route checkpoint lines off the host on their own.
checkpoint_logger = logging.getLogger("hearth.audit.checkpoint")

GENESIS = "0" * 64
# Any constant: sealers take this transaction-level lock on PostgreSQL, so no two rows ever
# claim the same predecessor. Only ``seal`` and ``checkpoint_write`` take it.
_CHAIN_LOCK_KEY = 0x4845415254  # "HEART"
SEAL_BATCH = 500
CHECKPOINT_KIND = "hearth-audit-checkpoint"

# What a row says (and, before the keyed chain, its link): hashed since the first release.
HASHED_FIELDS = (
    "at", "user_id", "username", "agency_id", "agency_name", "role", "action", "outcome",
    "object_type", "object_id", "reason", "detail", "request_id", "ip", "prev_hash",
)
CONTENT_FIELDS = tuple(name for name in HASHED_FIELDS if name != "prev_hash") + ("key_id",)
SEALED_FIELDS = CONTENT_FIELDS + ("id", "seq", "prev_hash")


def key_id_for(key: str) -> str:
    """The public name of an audit key, stored on the rows it sealed (a one-way digest)."""
    return hashlib.sha256(b"hearth-audit-key-id:" + key.encode()).hexdigest()[:12]


def _keys() -> dict[str, bytes]:
    keys = settings.HEARTH_AUDIT_KEYS
    if not keys:
        raise ImproperlyConfigured("HEARTH_AUDIT_KEYS is empty: the audit cannot be sealed or verified.")
    return {key_id_for(key): key.encode() for key in keys}


def _newest_key() -> tuple[str, bytes]:
    keys = settings.HEARTH_AUDIT_KEYS
    if not keys:
        raise ImproperlyConfigured("HEARTH_AUDIT_KEYS is empty: the audit cannot be sealed or verified.")
    return key_id_for(keys[0]), keys[0].encode()


def _whole_floats_as_ints(value):
    # PostgreSQL's jsonb gives 1e+20 back as 100000000000000000000 (an int in Python): written
    # and read, a value must hash the same, or its row would look forged.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _whole_floats_as_ints(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_whole_floats_as_ints(item) for item in value]
    return value


def _canonical(event: AuditEvent, names: tuple[str, ...], *, keyed: bool = True) -> bytes:
    values = {}
    for name in names:
        value = getattr(event, name)
        if name == "at":
            value = value.astimezone(timezone.UTC).isoformat(timespec="microseconds")
        elif name == "detail" and keyed:
            value = _whole_floats_as_ints(value)
        values[name] = value
    return json.dumps(values, sort_keys=True, separators=(",", ":"), default=str).encode()


def _hmac(key: bytes, message: bytes) -> str:
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def legacy_hash(event: AuditEvent) -> str:
    """The plain SHA-256 hash rows carried before the keyed chain (they still verify by it)."""
    return hashlib.sha256(_canonical(event, HASHED_FIELDS, keyed=False)).hexdigest()


def content_mac(event: AuditEvent, key: bytes) -> str:
    """The writer's HMAC of what a row says (so a row inserted behind Hearth's back is not sealed)."""
    return _hmac(key, _canonical(event, CONTENT_FIELDS))


def sealed_hash(event: AuditEvent, key: bytes) -> str:
    """A sealed row's hash: HMAC over what it says, its id, its place and its predecessor's hash."""
    return _hmac(key, _canonical(event, SEALED_FIELDS))


def record(
    action: str,
    *,
    obj=None,
    object_type: str = "",
    object_id: str | int = "",
    outcome: str = "allow",
    reason: str = "",
    detail: dict | None = None,
    user=None,
    membership=None,
) -> AuditEvent:
    """Append one audit row and return it.

    ``obj`` (a model instance) names the record; otherwise ``object_type``/``object_id``.
    The acting user and membership default to the current request's. ``detail`` must never
    hold case data values (names, addresses, answers): only ids, counts and field names.
    The row commits or rolls back with the caller's transaction and is sealed into the chain
    just after it commits; the returned object is not reloaded with its chain fields.
    """
    ctx = current()
    user = user if user is not None else ctx.user
    membership = membership if membership is not None else ctx.membership
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    key_id, key = _newest_key()
    event = AuditEvent(
        at=timezone.now(),
        user_id=user.pk if user else None,
        username=user.get_username() if user else ctx.username_attempted,
        agency_id=membership.agency_id if membership else None,
        agency_name=membership.agency.name if membership else "",
        role=membership.role if membership else "",
        action=action,
        outcome=outcome,
        object_type=object_type,
        object_id=str(object_id) if object_id != "" else "",
        reason=reason,
        detail=detail or {},
        request_id=ctx.request_id,
        # As the database will give it back (IPv6 normalised), so the MAC verifies after a read.
        ip=AuditEvent._meta.get_field("ip").to_python(ctx.ip),
        key_id=key_id,
    )
    event.mac = content_mac(event, key)
    # No lock here: the chain lock is taken by ``seal`` after this transaction has committed
    # and holds nothing else, so audited writers can never deadlock on it (issue 13).
    event.save(force_insert=True)
    transaction.on_commit(seal, robust=True)
    return event


def deny(*, obj=None, object_type: str = "", object_id="", reason: str = "", detail=None):
    """Record a refused access (every deny of a case read is an audit row)."""
    return record(
        AuditAction.DENY, obj=obj, object_type=object_type, object_id=object_id,
        outcome="deny", reason=reason, detail=detail,
    )


def _take_chain_lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # No ORM spelling for an advisory lock; a constant, no user input.
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])  # nosemgrep: hearth-no-raw-sql


def _head() -> tuple[AuditEvent | None, int]:
    """The chain's last row and its place (0 for rows from before the keyed chain)."""
    last = AuditEvent.objects.filter(seq__isnull=False).order_by("-seq").first()
    if last is not None:
        return last, last.seq
    legacy = AuditEvent.objects.filter(hash__isnull=False, seq__isnull=True).order_by("-id").first()
    return legacy, 0


def seal(*, batch: int = SEAL_BATCH) -> int:
    """Chain every committed, unsealed row in order; return how many were sealed.

    Runs just after each audited transaction commits and at each checkpoint (which picks up
    rows whose process stopped before sealing them). Each batch is one short transaction
    holding only the chain lock. A row whose ``mac`` does not match (not written by Hearth)
    is left unsealed and logged; ``verify`` names it.
    """
    keys = _keys()
    # Cheap and lock-free (a partial index): most calls, after a transaction with several
    # audit rows, find them sealed by the first one.
    if not AuditEvent.objects.filter(hash__isnull=True).exists():
        return 0
    sealed = 0
    after_id = 0
    while True:
        with transaction.atomic():
            _take_chain_lock()
            pending = list(AuditEvent.objects.filter(hash__isnull=True, id__gt=after_id).order_by("id")[:batch])
            if not pending:
                return sealed
            after_id = pending[-1].id
            head, seq = _head()
            prev_hash = head.hash if head is not None else GENESIS
            chained = []
            for event in pending:
                key = keys.get(event.key_id)
                if key is None or not hmac.compare_digest(event.mac, content_mac(event, key)):
                    logger.error("Audit row %s was not written by Hearth (its MAC does not match): not sealed.",
                                 event.id)
                    continue
                seq += 1
                event.seq, event.prev_hash = seq, prev_hash
                event.hash = sealed_hash(event, key)
                prev_hash = event.hash
                chained.append(event)
            AuditEvent.objects.bulk_update(chained, ["seq", "prev_hash", "hash"])
            sealed += len(chained)


# --- Checkpoints -------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """The chain's head as it was at ``at``, signed with an audit key."""

    at: str
    row_id: int | None
    seq: int
    hash: str
    rows: int
    key_id: str
    signature: str = ""

    def _payload(self) -> dict:
        return {"kind": CHECKPOINT_KIND, "at": self.at, "row_id": self.row_id, "seq": self.seq,
                "hash": self.hash, "rows": self.rows, "key_id": self.key_id}

    def _signed_bytes(self) -> bytes:
        return json.dumps(self._payload(), sort_keys=True, separators=(",", ":")).encode()

    def signed(self, key: bytes) -> Checkpoint:
        return replace(self, signature=_hmac(key, self._signed_bytes()))

    def signature_ok(self, keys: dict[str, bytes]) -> bool:
        key = keys.get(self.key_id)
        return key is not None and hmac.compare_digest(self.signature, _hmac(key, self._signed_bytes()))

    def line(self) -> str:
        return json.dumps({**self._payload(), "signature": self.signature}, sort_keys=True)

    @classmethod
    def parse(cls, line: str) -> Checkpoint:
        try:
            values = json.loads(line)
            if values.pop("kind") != CHECKPOINT_KIND:
                raise ValueError("not a checkpoint")
            return cls(**values)
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError("not a Hearth audit checkpoint line") from exc


def checkpoint_write(*, path: str | os.PathLike | None = None) -> Checkpoint:
    """Seal pending rows, then sign the chain's head and append it to the checkpoint file
    (``HEARTH_AUDIT_CHECKPOINT_FILE`` unless ``path``) and to the log. Returns the checkpoint.
    """
    path = path or settings.HEARTH_AUDIT_CHECKPOINT_FILE
    if not path:
        raise ImproperlyConfigured("HEARTH_AUDIT_CHECKPOINT_FILE is not set: nowhere to write the checkpoint.")
    seal()
    key_id, key = _newest_key()
    with transaction.atomic():
        # Under the chain lock no row is sealed between reading the head and counting.
        _take_chain_lock()
        head, seq = _head()
        rows = AuditEvent.objects.filter(hash__isnull=False).count()
    checkpoint = Checkpoint(
        at=timezone.now().astimezone(timezone.UTC).isoformat(timespec="seconds"),
        row_id=head.id if head is not None else None, seq=seq,
        hash=head.hash if head is not None else GENESIS, rows=rows, key_id=key_id,
    ).signed(key)
    line = checkpoint.line()
    # Append-only: O_APPEND keeps earlier lines even if two checkpoints run at once.
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    with os.fdopen(descriptor, "a", encoding="utf-8") as checkpoint_file:
        checkpoint_file.write(line + "\n")
        checkpoint_file.flush()
        os.fsync(checkpoint_file.fileno())
    checkpoint_logger.info("audit checkpoint %s", line)
    return checkpoint


def latest_checkpoint(path: str | os.PathLike) -> Checkpoint:
    """The last checkpoint line in a file (raises ``ValueError`` if it has none)."""
    lines = [line for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    if not lines:
        raise ValueError(f"{path} holds no checkpoint")
    return Checkpoint.parse(lines[-1])


# --- Verification ------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    row_id: int | None
    text: str

    def __str__(self) -> str:
        return f"row {self.row_id}: {self.text}" if self.row_id is not None else self.text


@dataclass
class VerifyResult:
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    # Committed rows not sealed yet (normally none for more than a moment).
    unsealed: int = 0
    checkpoint: Checkpoint | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_bad_id(self) -> int | None:
        return self.problems[0].row_id if self.problems else None

    @property
    def problem(self) -> str:
        return self.problems[0].text if self.problems else ""


def _batches(queryset, order: str, batch: int = 5000) -> Iterator[AuditEvent]:
    last = None
    while True:
        page = queryset.order_by(order)
        if last is not None:
            page = page.filter(**{f"{order}__gt": last})
        chunk = list(page[:batch])
        if not chunk:
            return
        yield from chunk
        last = getattr(chunk[-1], order)


def _chain() -> Iterator[AuditEvent]:
    """Rows in chain order: those from before the keyed chain by id, then the sealed by place."""
    yield from _batches(AuditEvent.objects.filter(hash__isnull=False, seq__isnull=True), "id")
    yield from _batches(AuditEvent.objects.filter(seq__isnull=False), "seq")


def verify(*, checkpoint: Checkpoint | None = None) -> VerifyResult:
    """Walk the whole chain and name every problem; compare its head with ``checkpoint``.

    Names a rewritten row (its HMAC does not match), a removed row (the next row does not
    follow: between which rows), an unkeyed row inside the keyed chain (re-hashed without the
    key), rows removed from the end (the checkpoint's row is gone or the chain stops short of
    it) and unsealed rows not written by Hearth.
    """
    keys = _keys()
    result = VerifyResult(checkpoint=checkpoint)
    add = result.problems.append
    expected_prev, prev_id, prev_seq = GENESIS, None, 0
    first_keyed_id = (AuditEvent.objects.filter(seq__isnull=False).order_by("seq")
                      .values_list("id", flat=True).first())
    checkpoint_place = None
    for event in _chain():
        result.rows += 1
        found_before = len(result.problems)
        gap = False
        if event.seq is None:
            if event.key_id or (first_keyed_id is not None and event.id > first_keyed_id):
                add(Problem(event.id, "was rewritten: it claims to be from before the keyed chain but is not"))
            elif event.hash != legacy_hash(event):
                add(Problem(event.id, "was changed after it was written (its hash does not match)"))
        else:
            key = keys.get(event.key_id)
            if event.seq != prev_seq + 1:
                gap = True
                missing = (f"place {prev_seq + 1}" if event.seq == prev_seq + 2
                           else f"places {prev_seq + 1}-{event.seq - 1}")
                add(Problem(event.id, f"does not follow row {prev_id}: the rows at chain {missing} "
                                      "between them were removed"))
            if key is None:
                add(Problem(event.id, f"was sealed with audit key {event.key_id or '(none)'}, which is not in "
                                      "HEARTH_AUDIT_KEYS (add the old key back to verify it), or rewritten"))
            elif not (hmac.compare_digest(event.hash, sealed_hash(event, key))
                      and hmac.compare_digest(event.mac, content_mac(event, key))):
                add(Problem(event.id, "was rewritten: its HMAC does not match"))
            prev_seq = event.seq
        # A gap, or a row already found rewritten, says more than its broken link would.
        if event.prev_hash != expected_prev and not gap and len(result.problems) == found_before:
            if prev_id is None:
                add(Problem(event.id, "does not start the chain: the rows before it were removed"))
            else:
                add(Problem(event.id, f"does not follow row {prev_id}: a row between them was removed "
                                      "or this one inserted"))
        if checkpoint is not None and event.id == checkpoint.row_id:
            checkpoint_place = result.rows
            if event.hash != checkpoint.hash:
                add(Problem(event.id, f"was rewritten after the checkpoint of {checkpoint.at} "
                                      "(its hash is not the one the checkpoint recorded)"))
        expected_prev, prev_id = event.hash, event.id
    if checkpoint is not None:
        _compare_with_checkpoint(result, checkpoint, checkpoint_place, prev_id, prev_seq, keys)
    _check_unsealed(result, keys)
    return result


def _compare_with_checkpoint(result: VerifyResult, checkpoint: Checkpoint, place: int | None,
                             last_id: int | None, last_seq: int, keys: dict[str, bytes]) -> None:
    add = result.problems.append
    if not checkpoint.signature_ok(keys):
        add(Problem(None, f"The checkpoint of {checkpoint.at} is not signed by any key in HEARTH_AUDIT_KEYS: "
                          "the checkpoint itself was altered, or its key is missing."))
        return
    if checkpoint.row_id is None:
        return
    if place is None:
        if last_seq < checkpoint.seq or result.rows < checkpoint.rows:
            add(Problem(checkpoint.row_id, f"is missing: the audit ends at row {last_id} (chain place {last_seq}, "
                                           f"{result.rows} rows) but the checkpoint of {checkpoint.at} recorded "
                                           f"row {checkpoint.row_id} at place {checkpoint.seq} ({checkpoint.rows} "
                                           "rows): rows were removed from its end"))
        else:
            add(Problem(checkpoint.row_id, f"is missing: the checkpoint of {checkpoint.at} recorded it as the "
                                           "chain's head, and it was removed"))
    elif place != checkpoint.rows:
        add(Problem(checkpoint.row_id, f"is row {place} of the chain, but the checkpoint of {checkpoint.at} "
                                       f"counted {checkpoint.rows} rows up to it: rows before it were removed "
                                       "or inserted"))


def _check_unsealed(result: VerifyResult, keys: dict[str, bytes]) -> None:
    for event in _batches(AuditEvent.objects.filter(hash__isnull=True), "id"):
        key = keys.get(event.key_id)
        if key is None or not hmac.compare_digest(event.mac, content_mac(event, key)):
            result.problems.append(Problem(event.id, "was not written by Hearth: it is not sealed and its MAC "
                                                     "does not match"))
        else:
            result.unsealed += 1
