"""`warden bench console` on a small store: every search kind and the customer view answer, and the store it
builds holds what the product would (a decision per event, the cases, the search terms ingest writes)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from warden.bench import console as bench_console
from warden.customer_scores.rollup import read_mark


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str | None:
    return None if request.param == "sqlite" else str(request.getfixturevalue("postgres_url"))


def test_small_console_bench(monkeypatch: object, database_url: str | None) -> None:
    seen: dict[str, int] = {}
    original = bench_console._decide_every_event

    def decide_and_count(store: object) -> int:
        written = original(store)
        with store.engine.connect() as conn:  # type: ignore[attr-defined]
            seen["events"] = conn.exec_driver_sql("SELECT count(*) FROM events").scalar_one()
            seen["decisions"] = conn.exec_driver_sql("SELECT count(*) FROM decisions").scalar_one()
            seen["held"] = conn.execute(sa.text("SELECT count(*) FROM decisions WHERE outcome = 'hold'")).scalar_one()
            seen["terms"] = conn.exec_driver_sql("SELECT count(DISTINCT kind) FROM search_terms").scalar_one()
            seen["scored"] = conn.exec_driver_sql("SELECT count(*) FROM customer_scores").scalar_one()
            seen["marked"] = int(read_mark(conn) is not None)
        return written

    monkeypatch.setattr(bench_console, "_decide_every_event", decide_and_count)  # type: ignore[attr-defined]
    result = bench_console.run_console_bench(events=3000, seed=3, database_url=database_url)
    assert result["decisions"] == seen["decisions"] == seen["events"] == 3000
    assert seen["held"] > 0
    assert seen["marked"] == 1 and seen["scored"] == 300  # the rollup a live server keeps, as it would be
    assert seen["terms"] >= 9  # customer, name, name part, e-mail, phone, document, address, tx hash, device/IP
    assert result["customers"] == 300 and result["cases"] == 53
    assert result["search"]["n"] == 480 and result["customer_view"]["n"] == 150
    assert set(result["search_by_kind_p95_ms"]) >= {"name", "e-mail", "address", "tx hash", "device", "case id"}
