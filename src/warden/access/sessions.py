"""Signed session tokens for people: `<base64 payload>.<HMAC-SHA256>`, keyed by WARDEN_SECRET_KEY.

Only the username and expiry are signed; the role is read from the store on every request, so a role change
or deactivation takes effect at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from warden.settings import Settings

SESSION_TTL = timedelta(hours=8)


def session_secret(settings: Settings) -> bytes:
    """WARDEN_SECRET_KEY, or a random key generated once and kept in data_dir/secret.key (mode 0600)."""
    if settings.secret_key:
        return settings.secret_key.encode()
    path = settings.data_dir / "secret.key"
    if not path.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process wrote it first; use theirs
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip().encode()


@dataclass(frozen=True)
class SessionToken:
    username: str
    expires_at: datetime


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_session(secret: bytes, username: str, now: datetime | None = None) -> str:
    expires = (now or datetime.now(UTC)) + SESSION_TTL
    body = _b64(json.dumps({"u": username, "exp": int(expires.timestamp())}, separators=(",", ":")).encode())
    mac = hmac.new(secret, body.encode(), hashlib.sha256).hexdigest()
    return f"{body}.{mac}"


def verify_session(secret: bytes, token: str, now: datetime | None = None) -> SessionToken | None:
    """The session if the token is intact and unexpired; None for anything else."""
    body, _, mac = token.partition(".")
    expected = hmac.new(secret, body.encode(), hashlib.sha256).hexdigest()
    if not mac or not hmac.compare_digest(mac, expected):
        return None
    try:
        payload = json.loads(_unb64(body))
        username, expires = (
            str(payload["u"]),
            datetime.fromtimestamp(int(payload["exp"]), tz=(now or datetime.now(UTC)).tzinfo),
        )
    except (ValueError, KeyError, TypeError):
        return None
    if expires <= (now or datetime.now(UTC)):
        return None
    return SessionToken(username, expires)
