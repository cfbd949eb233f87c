"""The audit key: what keys the audit chain, kept outside the database. It lives in `store` because every store
is told its key when it opens, before migrating (revision 0012 keys an existing chain); `warden.audit` reads it.

`WARDEN_AUDIT_KEY`, or a random key generated once into `data_dir/audit.key` (mode 0600). Whoever holds only
the database cannot recompute keyed hashes, so an edited record cannot be hidden by recomputing the chain.
Each engine opened by `warden.store.db.open_store` is told its key here (`register_key`), so `append_audit`,
which gets only a connection, finds it without every caller passing it along.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import weakref
from pathlib import Path

import sqlalchemy as sa

from warden.settings import Settings

KEY_FILE = "audit.key"

_KEYS: weakref.WeakKeyDictionary[sa.Engine, bytes] = weakref.WeakKeyDictionary()


class AuditKeyError(RuntimeError):
    """No audit key for this engine, or not the key the log is keyed with."""


def read_or_create_key(path: Path) -> bytes:
    """The key in `path`, created with 48 random bytes (URL-safe text) and mode 0600 when missing."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process wrote it first; use theirs
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
    key = path.read_text().strip().encode()
    if not key:
        raise AuditKeyError(f"{path}: the key file is empty")
    return key


def audit_key(settings: Settings) -> bytes:
    if settings.audit_key:
        return settings.audit_key.encode()
    return read_or_create_key(settings.data_dir / KEY_FILE)


def key_id(key: bytes) -> str:
    """A fingerprint that names the key without revealing it (stored in the head: a second server with another
    key is refused before it forks the chain)."""
    return hmac.new(key, b"warden-audit-key-id", hashlib.sha256).hexdigest()[:16]


def register_key(engine: sa.Engine, key: bytes) -> None:
    _KEYS[engine] = key


def registered_key(conn: sa.Connection) -> bytes | None:
    return _KEYS.get(conn.engine)


def key_for(conn: sa.Connection) -> bytes:
    key = _KEYS.get(conn.engine)
    if key is None:
        raise AuditKeyError(
            "no audit key for this database connection: open the store with warden.store.db.open_store "
            "(it reads WARDEN_AUDIT_KEY or data_dir/audit.key)"
        )
    return key
