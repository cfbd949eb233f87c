"""`warden bench api-keys`: what the API-key check costs the decisions hot path.

The verifier's hit (a remembered key, the generation checked at most once a second) against two references in
the same run: a bare dict lookup (the floor of any cache) and the same verifier never checking the generation
(what it cost before revocations reached every worker). Also the generation read itself, which each worker makes
once a second on a short-lived thread, off the event loop.
"""

from __future__ import annotations

import tempfile
import timeit
from pathlib import Path
from typing import Any

from warden.access.api_keys import ApiKeyVerifier, create_api_key
from warden.settings import Settings
from warden.store.db import open_store
from warden.store.scratch import scratch_database


def _per_call_us(call: Any, number: int) -> float:
    return min(timeit.repeat(call, number=number, repeat=5)) / number * 1e6


def run_api_key_bench(server_url: str | None = None, calls: int = 200_000) -> dict[str, Any]:
    """On a temporary SQLite, or a scratch database on the PostgreSQL server at `server_url`."""
    with tempfile.TemporaryDirectory() as tmp, scratch_database(server_url) as url:
        store = open_store(Settings(data_dir=Path(tmp)), url=url)
        try:
            with store.engine.begin() as conn:
                _, secret = create_api_key(conn, "bench", {"decisions"}, actor="bench")
            checking = ApiKeyVerifier(store.engine)
            never = ApiKeyVerifier(store.engine, check_every=float("inf"))
            plain = {secret: object()}
            checking.verify(secret)
            never.verify(secret)
            hit = _per_call_us(lambda: checking.verify(secret), calls)
            without = _per_call_us(lambda: never.verify(secret), calls)
            floor = _per_call_us(lambda: plain.get(secret), calls)
            read = _per_call_us(lambda: checking._refresh(0.0), 200)
            return {
                "store": store.dialect,
                "verify_hit_us": round(hit, 3),
                "reference_without_generation_check_us": round(without, 3),
                "reference_dict_get_us": round(floor, 3),
                "ratio_to_without_check": round(hit / without, 3),
                "generation_read_us": round(read, 1),
                "generation_read_share_of_a_core": round(read / 1e6, 6),  # once a second per worker
            }
        finally:
            store.dispose()
