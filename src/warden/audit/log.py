"""The append-only, keyed hash chain of the audit log.

Each record's hash is the HMAC-SHA256, under the audit key (kept outside the database: `store/keys.py`), of the
previous record's hash and the record's canonical JSON (seq, time, actor, action, subject, before, after).
Editing, deleting, inserting or reordering any record breaks the chain from that record on, and whoever holds
only the database cannot recompute it. A head row (newest seq and hash) catches records cut off the end as long
as the head is not moved back with them; a checkpoint of the head exported outside the database
(`audit/checkpoints.py`) catches that too.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from warden.audit.tables import audit_head, audit_log
from warden.store.keys import AuditKeyError, key_for, key_id

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class AuditRecord:
    seq: int
    at: str
    actor: str
    action: str
    subject: str
    before: str | None
    after: str | None
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    records: int
    first_bad_seq: int | None = None
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "records": self.records,
            "first_bad_seq": self.first_bad_seq,
            "reason": self.reason,
        }


def canonical_json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _timestamp(at: datetime | None) -> str:
    moment = (at or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _body(prev_hash: str, fields: tuple[int, str, str, str, str, str | None, str | None]) -> bytes:
    return (prev_hash + json.dumps(list(fields), separators=(",", ":"), ensure_ascii=False)).encode("utf-8")


def record_hash(
    key: bytes,
    prev_hash: str,
    seq: int,
    at: str,
    actor: str,
    action: str,
    subject: str,
    before: str | None,
    after: str | None,
) -> str:
    return hmac.new(key, _body(prev_hash, (seq, at, actor, action, subject, before, after)), hashlib.sha256).hexdigest()


def unkeyed_record_hash(
    prev_hash: str,
    seq: int,
    at: str,
    actor: str,
    action: str,
    subject: str,
    before: str | None,
    after: str | None,
) -> str:
    """The chain before revision 0012 (plain SHA-256): only the migration that re-keys it reads it."""
    return hashlib.sha256(_body(prev_hash, (seq, at, actor, action, subject, before, after))).hexdigest()


def append_audit(
    conn: sa.Connection,
    *,
    actor: str,
    action: str,
    subject: str,
    before: Any = None,
    after: Any = None,
    at: datetime | None = None,
) -> AuditRecord:
    """Append one record inside the caller's transaction (it commits or rolls back with the change)."""
    # Touching the head row first takes the write lock (SQLite) or row lock (PostgreSQL), so concurrent
    # appenders queue up instead of forking the chain.
    key = key_for(conn)
    conn.execute(sa.update(audit_head).where(audit_head.c.id == 1).values(seq=audit_head.c.seq))
    head = conn.execute(
        sa.select(audit_head.c.seq, audit_head.c.hash, audit_head.c.key_id).where(audit_head.c.id == 1)
    ).one_or_none()
    if head is None:
        raise AuditKeyError("the audit head row is missing (deleted?): nothing is appended until it is restored")
    if head.key_id is not None and head.key_id != key_id(key):
        # A second server with its own generated key would fork the chain into records no key verifies.
        raise AuditKeyError(
            f"this server's audit key ({key_id(key)}) is not the one the log is keyed with ({head.key_id}); "
            "give every server the same WARDEN_AUDIT_KEY or data_dir/audit.key"
        )
    seq = int(head.seq) + 1
    stamp = _timestamp(at)
    before_json, after_json = canonical_json(before), canonical_json(after)
    digest = record_hash(key, head.hash, seq, stamp, actor, action, subject, before_json, after_json)
    record = AuditRecord(seq, stamp, actor, action, subject, before_json, after_json, head.hash, digest)
    conn.execute(sa.insert(audit_log).values(**record.__dict__))
    # The first keyed append names the key (a store migrated without one, its log empty, has none yet).
    kid = {"key_id": key_id(key)} if head.key_id is None else {}
    conn.execute(sa.update(audit_head).where(audit_head.c.id == 1).values(seq=seq, hash=digest, **kid))
    return record


def iter_records(conn: sa.Connection, batch: int = 5000) -> Iterator[AuditRecord]:
    result = conn.execution_options(yield_per=batch).execute(sa.select(audit_log).order_by(audit_log.c.seq))
    for row in result:
        yield AuditRecord(**row._mapping)


def recent_records(conn: sa.Connection, limit: int = 20) -> list[AuditRecord]:
    rows = conn.execute(sa.select(audit_log).order_by(audit_log.c.seq.desc()).limit(limit))
    return [AuditRecord(**row._mapping) for row in rows]


def verify_chain(conn: sa.Connection, key: bytes | None = None) -> VerifyResult:
    """Walk the chain in order and name the first record that does not fit (key: the engine's audit key)."""
    key = key if key is not None else key_for(conn)
    keyed_with = conn.execute(sa.select(audit_head.c.key_id).where(audit_head.c.id == 1)).scalar()
    if keyed_with is not None and keyed_with != key_id(key):
        return VerifyResult(
            False, 0, None, f"the log is keyed with key {keyed_with}, not with this key ({key_id(key)})"
        )
    expected_seq, prev_hash, count = 1, GENESIS_HASH, 0
    for rec in iter_records(conn):
        count += 1
        if rec.seq != expected_seq:
            what = "missing (deleted?)" if rec.seq > expected_seq else "out of order"
            return VerifyResult(False, count, expected_seq, f"record {expected_seq} is {what}; found {rec.seq}")
        if rec.prev_hash != prev_hash:
            return VerifyResult(
                False,
                count,
                rec.seq,
                f"record {rec.seq} does not follow record {rec.seq - 1} (inserted or reordered)",
            )
        recomputed = record_hash(
            key, rec.prev_hash, rec.seq, rec.at, rec.actor, rec.action, rec.subject, rec.before, rec.after
        )
        if recomputed != rec.hash:
            return VerifyResult(
                False,
                count,
                rec.seq,
                f"record {rec.seq} was edited (or its hash recomputed without the audit key): "
                "its content does not match its keyed hash",
            )
        expected_seq, prev_hash = rec.seq + 1, rec.hash
    head = conn.execute(sa.select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)).one_or_none()
    if head is None:
        return VerifyResult(
            False, count, None, "the audit head row is missing (deleted?): records cut off the end cannot be ruled out"
        )
    if int(head.seq) != expected_seq - 1 or head.hash != prev_hash:
        first_missing = expected_seq if int(head.seq) >= expected_seq else int(head.seq) + 1
        return VerifyResult(
            False,
            count,
            first_missing,
            f"the log ends at record {expected_seq - 1} but its head says {head.seq}",
        )
    return VerifyResult(True, count)
