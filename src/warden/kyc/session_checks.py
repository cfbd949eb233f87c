"""The checks a verification session runs, built once per process from the settings: the liveness challenge
(issued and verified in one format, `liveness.challenge`), the face matcher and the liveness verifier.

An implementation registered in `ports` (a certified vendor's adapter) takes the place of the built-in one;
otherwise the built-ins are used: `DlibFaceMatcher` and `ServerLivenessVerifier`, whose replay guard is Redis
when WARDEN_REDIS_URL is set (several API workers must share the nonces and frame hashes) and this process's
memory otherwise."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from warden.access.sessions import session_secret
from warden.kyc import ports
from warden.kyc.faces.matcher import DlibFaceMatcher
from warden.kyc.liveness.challenge import issue_challenge
from warden.kyc.liveness.replay import MemoryReplayGuard, RedisReplayGuard, ReplayGuard
from warden.kyc.liveness.verifier import ServerLivenessVerifier
from warden.settings import Settings

CHALLENGE_TTL_S = 600  # the customer has ten minutes from opening the session to finishing the capture
CHALLENGE_STEPS = 3  # actions after the neutral hold


@dataclass(frozen=True)
class SessionChecks:
    challenge_secret: bytes
    face_matcher: ports.FaceMatcher | None
    liveness_verifier: ports.LivenessVerifier | None
    challenge_ttl_s: int = CHALLENGE_TTL_S

    def new_challenge(self, customer_id: str) -> dict[str, Any]:
        return issue_challenge(self.challenge_secret, customer_id, steps=CHALLENGE_STEPS, ttl_s=self.challenge_ttl_s)

    def capture_token(self, session_id: str) -> str:
        """What the session's capture link carries instead of an API key: it lets a browser fetch that session's
        challenge and upload its liveness capture while the session is open, nothing else."""
        key = hmac.new(self.challenge_secret, b"warden-kyc-capture-link", hashlib.sha256).digest()
        return hmac.new(key, session_id.encode(), hashlib.sha256).hexdigest()[:40]

    def capture_token_ok(self, session_id: str, token: str) -> bool:
        return hmac.compare_digest(self.capture_token(session_id), token)


def challenge_secret(settings: Settings) -> bytes:
    """A key of its own for liveness challenges, derived from the server's secret (never the cookie key itself)."""
    return hmac.new(session_secret(settings), b"warden-kyc-liveness-challenge", hashlib.sha256).digest()


def replay_guard(settings: Settings) -> ReplayGuard:
    if settings.redis_url:
        import redis

        return RedisReplayGuard(redis.Redis.from_url(settings.redis_url))
    return MemoryReplayGuard()


def build_session_checks(settings: Settings) -> SessionChecks:
    secret = challenge_secret(settings)
    return SessionChecks(
        challenge_secret=secret,
        face_matcher=ports.face_matcher() or DlibFaceMatcher(),
        liveness_verifier=ports.liveness_verifier() or ServerLivenessVerifier(secret, replay_guard(settings)),
    )
