"""Costs of the trust work, printed as JSON (not a test; run by hand, see docs/features.md):

python tests/decisions/measure_costs.py rebuild 20000     # start-up rebuild of in-process state
python tests/decisions/measure_costs.py redis 2000 URL    # features_for + update per event on Redis
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
import timeit
import uuid
from pathlib import Path


def rebuild(n: int) -> dict[str, float | int]:
    from warden.models.synthetic import generate

    from warden.decisions.factory import build_service
    from warden.decisions.rebuild import rebuild_from_decisions
    from warden.events.digest import body_digest
    from warden.features.online import InProcessFeatureStore
    from warden.settings import Settings
    from warden.store.db import open_store

    events = generate(seed=5, customers=max(50, n // 20), takeovers=3, scams=3, days=30).events[:n]
    settings = Settings(data_dir=Path(tempfile.mkdtemp()) / "data")
    store = open_store(settings)
    service = build_service(settings, store)

    async def decide_all() -> None:
        for event in events:
            await service.decide(event)

    asyncio.run(decide_all())
    service.close()
    best = min(rebuild_from_decisions(store.engine, InProcessFeatureStore()).seconds for _ in range(3))
    body = events[0].model_dump_json(exclude_none=True).encode()
    digest_us = timeit.timeit(lambda: body_digest(body), number=20_000) / 20_000 * 1e6
    return {
        "events": len(events),
        "rebuild_seconds": round(best, 3),
        "rebuild_us_per_event": round(best / len(events) * 1e6, 1),
        "body_digest_us": round(digest_us, 2),
    }


def redis_cost(n: int, url: str) -> dict[str, float | int]:
    from warden.models.synthetic import generate

    from warden.features.redis_store import RedisFeatureStore

    events = generate(seed=21, customers=100, takeovers=3, scams=4, days=30).events[:n]
    store = RedisFeatureStore(url, prefix=f"warden:measure:{uuid.uuid4().hex}:")
    try:
        started = time.perf_counter()
        for event in events:
            store.features_for(event)
            store.update(event)
        seconds = time.perf_counter() - started
    finally:
        store.clear()
    return {"events": len(events), "redis_us_per_event": round(seconds / len(events) * 1e6, 1)}


if __name__ == "__main__":
    kind, count = sys.argv[1], int(sys.argv[2])
    print(json.dumps(rebuild(count) if kind == "rebuild" else redis_cost(count, sys.argv[3])))
