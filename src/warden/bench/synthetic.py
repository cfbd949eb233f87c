"""Fast, valid, varied contract events for the throughput benches (`warden bench ingest`, `warden bench decisions`).

Kept beside the simulator because those benches need a million events made in seconds and nothing else: the
simulator's realistic exchanges cost far more per event, and the bench would time the generator. Not realistic;
everything that needs realism (tests, demo, models) uses `warden.sim`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import orjson

_TYPES = np.array(["login", "deposit", "withdrawal", "transfer", "trade", "address_book_change", "profile_change"])
_TYPE_WEIGHTS = np.array([0.30, 0.15, 0.12, 0.08, 0.30, 0.03, 0.02])


def synthetic_events(n: int, seed: int = 7, customers: int = 20_000) -> Iterator[dict[str, object]]:
    rng = np.random.default_rng(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    kinds = rng.choice(len(_TYPES), size=n, p=_TYPE_WEIGHTS)
    cust = rng.integers(0, customers, size=n)
    seconds = np.sort(rng.integers(0, 30 * 86_400, size=n))
    usd = np.round(rng.lognormal(5, 1.5, size=n), 2)
    for i in range(n):
        kind = str(_TYPES[kinds[i]])
        event: dict[str, object] = {
            "event_id": f"b{i:09d}",
            "type": kind,
            "occurred_at": (start + timedelta(seconds=int(seconds[i]))).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "customer_id": f"c{cust[i]:06d}",
        }
        amount = {"amount": f"{usd[i] / 50000:.8f}", "amount_usd": f"{usd[i]:.2f}"}
        if kind == "login":
            event |= {"device_id": f"d{cust[i]}", "ip": "198.51.100.7", "country": "DE", "success": True}
        elif kind in {"deposit", "withdrawal"}:
            event |= {"asset": "BTC", "network": "bitcoin", "to_address": f"bc1q{cust[i]:038d}", **amount}
        elif kind == "transfer":
            event |= {"asset": "USDT", "counterparty_id": f"c{(cust[i] + 1) % customers:06d}", **amount}
        elif kind == "trade":
            event |= {"side": "buy", "base_asset": "BTC", "quote_asset": "USDT", **amount}
        elif kind == "address_book_change":
            event |= {"action": "add", "address": f"0x{cust[i]:040x}", "network": "ethereum"}
        else:
            event |= {"field": "password"}
        yield event


def write_jsonl(path: Path, n: int, seed: int = 7) -> Path:
    with open(path, "wb") as handle:
        for event in synthetic_events(n, seed):
            handle.write(orjson.dumps(event) + b"\n")
    return path
