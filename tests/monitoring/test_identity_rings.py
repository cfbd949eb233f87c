"""Synthetic-identity rings from the KYC identity graph raised as monitoring alerts, and judged as such."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
from tests.kyc.population import population, write_events

from warden.events.ingest import Ingestor
from warden.monitoring.configured import run_monitoring
from warden.monitoring.holdout import CustomerLabel, score_holdout, split_of
from warden.monitoring.identity_rings import TYPOLOGY, KnownRings, ring_alerts, rings_kept
from warden.monitoring.learnt import ring_quality
from warden.monitoring.movements import load_movements
from warden.settings import Settings
from warden.store.db import Store


def _money(customer: str, day: int, n: int) -> dict[str, Any]:
    return {
        "event_id": f"ev_m_{customer}_{day}",
        "type": "deposit",
        "occurred_at": f"2025-01-{day:02d}T10:00:00Z",
        "customer_id": customer,
        "asset": "USDT",
        "amount": f"{100 + n}.00",
        "amount_usd": f"{100 + n}.00",
        "network": "tron",
        "to_address": f"dep_{customer}",
        "from_address": f"ext_{customer}",
    }


def _exchange(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """Ring A's members and ordinary customers move money on day 10; rings B and C only opened accounts."""
    rows, truth = population()
    ring_a = sorted(c for c, s in truth.items() if s == "ring-a")
    movers = ring_a + [f"cu_{i:06d}" for i in range(100, 140)]
    money = [_money(c, 10, n) for n, c in enumerate(movers)]
    return write_events(tmp_path / "events.jsonl", rows + money), truth


def test_a_ring_that_moves_money_in_the_window_is_raised_with_its_evidence(tmp_path: Path) -> None:
    events, truth = _exchange(tmp_path)
    alerts = run_monitoring(events, None, None, since=datetime(2025, 1, 5, tzinfo=UTC)).alerts
    rings = [a for a in alerts if a.typology == TYPOLOGY]
    assert [sorted(a.customer_ids) for a in rings] == [sorted(c for c, s in truth.items() if s == "ring-a")]
    ring = rings[0]
    assert ring.first_at == ring.last_at == "2025-01-10T10:00:00Z"  # the window's activity, not the onboarding
    assert float(ring.amount_usd) == sum(100 + n for n in range(4))
    assert ring.parameters["score_bits"] >= ring.parameters["threshold_bits"]
    assert "device" in ring.parameters["shared_attributes"]
    assert "identity ring" in ring.explanation


def test_every_ring_is_raised_over_the_whole_history_and_none_before_it_exists(tmp_path: Path) -> None:
    events, truth = _exchange(tmp_path)
    con = duckdb.connect()
    load_movements(con, events)
    raised = {frozenset(a.customer_ids) for a in ring_alerts(con, events)}
    expected = {frozenset(c for c, s in truth.items() if s == name) for name in ("ring-a", "ring-b", "ring-c")}
    assert raised == expected  # the submissions themselves are activity when the window holds them
    assert ring_alerts(con, events, until=datetime(2024, 12, 31, tzinfo=UTC)) == []


def test_the_ingested_history_folder_gives_the_same_rings(tmp_path: Path, store: Store, settings: Settings) -> None:
    events, _ = _exchange(tmp_path)
    Ingestor(store, settings.parquet_dir, actor="test").ingest([events])
    from_file = KnownRings.from_events(events)
    from_history = KnownRings.from_events(settings.parquet_dir)
    assert sorted(map(sorted, (r.customers for r in from_history.graph.rings))) == sorted(
        map(sorted, (r.customers for r in from_file.graph.rings))
    )
    assert sum(len(v) for v in from_history.by_customer.values()) == 300


def test_ring_members_are_true_positives_and_judged_for_recall(tmp_path: Path) -> None:
    events, truth = _exchange(tmp_path)
    con = duckdb.connect()
    load_movements(con, events)
    split = split_of(con, 0)  # the whole history is judged
    alerts = ring_alerts(con, events, since=split.split)
    labels = {c: CustomerLabel("synthetic_identity", "shared_identity", s) for c, s in truth.items()}
    report = score_holdout(alerts, labels, split, customers=300)
    judged = report["per_typology"]["synthetic_identity"]
    assert judged == {"customers": 4, "found": 4, "recall": 1.0}  # ring A moves money; B and C do not
    assert report["precision"] == 1.0


def test_rings_are_judged_on_the_learn_period_when_the_exchange_labelled_any(tmp_path: Path) -> None:
    events, truth = _exchange(tmp_path)
    con = duckdb.connect()
    load_movements(con, events)
    rings = KnownRings.from_events(events)
    labelled = {c: CustomerLabel("synthetic_identity", "shared_identity", s) for c, s in truth.items()}
    assert ring_quality(con, rings, labelled, None)["precision"] == 1.0
    wrong = {c: CustomerLabel("normal", "benign_household", s) for c, s in truth.items()}
    wrong["cu_000299"] = CustomerLabel("synthetic_identity", "shared_identity", "elsewhere")
    assert ring_quality(con, rings, wrong, None)["smoothed_precision"] < 0.7  # labelled, and all wrong here
    assert ring_quality(con, rings, {}, None)["smoothed_precision"] == 1.0  # no labels: no evidence against
    assert rings_kept(None)
