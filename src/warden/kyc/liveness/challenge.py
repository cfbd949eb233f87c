"""The server's liveness challenge: a random sequence of actions with a nonce and an expiry, signed
(HMAC-SHA256) so the server can check it came back unaltered without storing it; a nonce is accepted once
(`replay.ReplayGuard`)."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from typing import Any

ACTIONS = ("turn_left", "turn_right", "blink", "nod", "move_closer")
CHALLENGE_VERSION = "liveness-challenge-1"
DEFAULT_STEPS = 3
DEFAULT_TTL_S = 120


class ChallengeError(ValueError):
    """A challenge that was altered, is malformed or has expired."""


def _canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def sign(body: dict[str, Any], secret: bytes) -> str:
    return hmac.new(secret, _canonical(body), hashlib.sha256).hexdigest()


def issue_challenge(
    secret: bytes,
    customer_id: str,
    steps: int = DEFAULT_STEPS,
    ttl_s: int = DEFAULT_TTL_S,
    now: float | None = None,
) -> dict[str, Any]:
    """A fresh challenge: `steps` distinct actions in a random order (secrets.SystemRandom), never two turns
    in a row to the same side, preceded by a neutral hold the server uses as the pose baseline."""
    rng = secrets.SystemRandom()
    actions = rng.sample(ACTIONS, k=min(steps, len(ACTIONS)))
    issued = time.time() if now is None else now
    body = {
        "version": CHALLENGE_VERSION,
        "challenge_id": "lc_" + secrets.token_hex(8),
        "customer_id": customer_id,
        "nonce": secrets.token_urlsafe(24),
        "steps": ["neutral", *actions],
        "issued_at": round(issued, 3),
        "expires_at": round(issued + ttl_s, 3),
    }
    return {**body, "signature": sign(body, secret)}


def check_challenge(challenge: dict[str, Any], secret: bytes, now: float | None = None) -> dict[str, Any]:
    """The challenge's body when its signature holds and it has not expired; ChallengeError otherwise."""
    body = {k: v for k, v in challenge.items() if k != "signature"}
    signature = challenge.get("signature")
    if not isinstance(signature, str) or not hmac.compare_digest(signature, sign(body, secret)):
        raise ChallengeError("challenge_signature_invalid")
    try:
        expires = float(body["expires_at"])
        steps = list(body["steps"])
        str(body["nonce"])
    except (KeyError, TypeError, ValueError):
        raise ChallengeError("challenge_malformed") from None
    if (time.time() if now is None else now) > expires:
        raise ChallengeError("challenge_expired")
    if not steps or any(s not in (*ACTIONS, "neutral") for s in steps):
        raise ChallengeError("challenge_malformed")
    return body
