"""Checkpoints of the audit head, exported outside the database.

A keyed chain stops anyone without the key from editing records, but cutting records off the end and moving the
head back to an earlier (genuine) record leaves a chain that verifies. A checkpoint, the head's seq and hash at
a moment, MAC'd with the audit key and kept where the database's holders cannot write (WORM storage, another
system's log), catches that: the checkpointed record must still be in the log with the same hash.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from warden.audit.log import VerifyResult, verify_chain
from warden.audit.tables import audit_head, audit_log
from warden.store.keys import key_for, key_id

VERSION = 1


class CheckpointError(ValueError):
    """A checkpoint file that cannot be read or whose MAC does not match."""


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    taken_at: str
    key_id: str
    mac: str

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__, version=VERSION)


def _mac(key: bytes, seq: int, digest: str, taken_at: str, kid: str) -> str:
    body = json.dumps(["warden-audit-checkpoint", VERSION, seq, digest, taken_at, kid], separators=(",", ":"))
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()


def take_checkpoint(conn: sa.Connection, now: datetime | None = None) -> Checkpoint:
    """The head as it is now, MAC'd; refused when the chain does not verify (a checkpoint vouches for it)."""
    key = key_for(conn)
    result = verify_chain(conn, key)
    if not result.ok:
        raise CheckpointError(f"the audit log does not verify, so no checkpoint is taken: {result.reason}")
    head = conn.execute(sa.select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)).one()
    taken_at = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    kid = key_id(key)
    return Checkpoint(int(head.seq), head.hash, taken_at, kid, _mac(key, int(head.seq), head.hash, taken_at, kid))


def parse_checkpoint(text: str, where: str = "checkpoint") -> Checkpoint:
    try:
        data = json.loads(text)
        if data.get("version") != VERSION:
            raise CheckpointError(f"{where}: unknown checkpoint version {data.get('version')!r}")
        return Checkpoint(
            int(data["seq"]), str(data["hash"]), str(data["taken_at"]), str(data["key_id"]), str(data["mac"])
        )
    except CheckpointError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CheckpointError(f"{where}: not a Warden audit checkpoint ({exc})") from None


def verify_with_checkpoint(conn: sa.Connection, checkpoint: Checkpoint) -> VerifyResult:
    """The chain verifies, and still holds the checkpointed record unchanged (nothing cut off or rewritten)."""
    key = key_for(conn)
    expected = _mac(key, checkpoint.seq, checkpoint.hash, checkpoint.taken_at, checkpoint.key_id)
    if not hmac.compare_digest(expected, checkpoint.mac):
        return VerifyResult(
            False, 0, None, "the checkpoint's MAC does not match: the file was altered or made with another audit key"
        )
    result = verify_chain(conn, key)
    if not result.ok:
        return result
    if checkpoint.seq == 0:
        return result
    row = conn.execute(sa.select(audit_log.c.hash).where(audit_log.c.seq == checkpoint.seq)).one_or_none()
    if row is None:
        return VerifyResult(
            False,
            result.records,
            result.records + 1,
            f"the checkpoint of {checkpoint.taken_at} saw record {checkpoint.seq}, but the log ends at record "
            f"{result.records}: records {result.records + 1}-{checkpoint.seq} were cut off and the head moved back",
        )
    if row.hash != checkpoint.hash:
        return VerifyResult(
            False,
            result.records,
            checkpoint.seq,
            f"record {checkpoint.seq} differs from the checkpoint of {checkpoint.taken_at}: the log was rewritten",
        )
    return result
