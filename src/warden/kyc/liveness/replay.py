"""First-use guards for nonces and frame hashes: a session or a frame seen before is a replay.

`RedisReplayGuard` (SET NX EX) for several API workers; `MemoryReplayGuard` for one process and tests."""

from __future__ import annotations

import threading
import time
from typing import Any, Protocol


class ReplayGuard(Protocol):
    def first_use(self, key: str, ttl_s: int) -> bool:
        """True the first time `key` is seen within ttl_s, False after."""
        ...


class MemoryReplayGuard:
    def __init__(self) -> None:
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def first_use(self, key: str, ttl_s: int) -> bool:
        now = time.monotonic()
        with self._lock:
            expiry = self._seen.get(key)
            if expiry is not None and expiry > now:
                return False
            self._seen[key] = now + ttl_s
            return True


class RedisReplayGuard:
    def __init__(self, client: Any, prefix: str = "warden:liveness:") -> None:
        self.client = client
        self.prefix = prefix

    def first_use(self, key: str, ttl_s: int) -> bool:
        return bool(self.client.set(self.prefix + key, b"1", nx=True, ex=max(1, int(ttl_s))))
