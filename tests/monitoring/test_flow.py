"""The fund-flow graph of monitoring alerts, on both databases, from a real monitoring run over a small
simulated exchange whose events were ingested into the store."""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from warden.events.ingest import Ingestor
from warden.monitoring.browse import get_alert, list_alerts, typology_counts
from warden.monitoring.flow import AlertNotFound, alert_events, alert_flow
from warden.monitoring.pipeline import monitor
from warden.monitoring.repository import save_alerts
from warden.settings import Settings
from warden.sim import simulate_to_dir
from warden.store.db import Store


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    events_path, _ = simulate_to_dir(customers=400, days=10, seed=5, out_dir=tmp_path_factory.mktemp("sim"))
    return events_path


@pytest.fixture
def monitored(store: Store, settings: Settings, simulated: Path) -> tuple[Store, list[dict[str, Any]]]:
    Ingestor(store, settings.parquet_dir, actor="test").ingest([simulated])
    alerts = monitor(simulated).alerts
    assert alerts, "the simulation should hold laundering rings"
    save_alerts(store.engine, alerts)
    return store, [a.to_dict() for a in alerts]


def _raw_events(path: Path) -> dict[str, dict[str, Any]]:
    return {e["event_id"]: e for e in (json.loads(line) for line in path.read_text().splitlines())}


def test_every_alert_flow_matches_its_events(monitored: tuple[Store, list[dict[str, Any]]], simulated: Path) -> None:
    store, alerts = monitored
    raw = _raw_events(simulated)
    with store.engine.connect() as conn:
        for alert in alerts:
            graph = alert_flow(conn, alert["alert_id"])
            assert set(graph) == {"nodes", "edges"}
            nodes = {n["id"]: n for n in graph["nodes"]}
            assert len(nodes) == len(graph["nodes"])
            # the alert's customers are the subjects, and only they
            subjects = {n["label"] for n in graph["nodes"] if n["kind"] == "subject"}
            assert subjects == set(alert["customer_ids"])
            # every edge joins two drawn nodes; money per direction adds up to the raw events' amounts
            expected: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
            counts: dict[tuple[str, str], int] = defaultdict(int)
            for event_id in alert["event_ids"]:
                event = raw[event_id]
                who = f"customer:{event['customer_id']}"
                if event["type"] == "transfer":
                    key = (who, f"customer:{event['counterparty_id']}")
                elif event["type"] == "deposit":
                    sender = event.get("from_address")
                    key = (f"address:{sender}" if sender else f"external:{event.get('channel', 'crypto')}", who)
                elif event["type"] == "withdrawal":
                    key = (who, f"address:{event['to_address']}")
                else:
                    continue
                expected[key] += Decimal(event["amount_usd"])
                counts[key] += 1
            drawn = {(e["source"], e["target"]): e for e in graph["edges"]}
            assert set(drawn) == set(expected), alert["typology"]
            for key, edge in drawn.items():
                assert {edge["source"], edge["target"]} <= set(nodes)
                assert edge["amount_usd"] == pytest.approx(float(expected[key]))
                assert edge["count"] == counts[key]
                assert edge["first"] <= edge["last"] and edge["first"].endswith("Z")
            kinds = {n["kind"] for n in graph["nodes"]}
            assert kinds <= {"subject", "customer", "address", "external"}


def test_a_ring_of_transfers_is_drawn_between_customers(monitored: tuple[Store, list[dict[str, Any]]]) -> None:
    store, alerts = monitored
    ring = next(a for a in alerts if a["typology"] in {"cycle", "fan_in", "scatter_gather", "gather_scatter"})
    with store.engine.connect() as conn:
        graph = alert_flow(conn, ring["alert_id"])
        stored = alert_events(conn, ring["event_ids"])
    transfers = [
        e for e in graph["edges"] if e["source"].startswith("customer:") and e["target"].startswith("customer:")
    ]
    assert transfers, f"{ring['typology']} moves money between customers"
    assert len(stored) == len(ring["event_ids"])  # all of them were ingested
    assert sum(e["count"] for e in graph["edges"]) == sum(1 for e in stored if e.source is not None)


def test_browse_lists_filters_and_reads_alerts(monitored: tuple[Store, list[dict[str, Any]]]) -> None:
    store, alerts = monitored
    by_typology: dict[str, int] = defaultdict(int)
    for a in alerts:
        by_typology[a["typology"]] += 1
    with store.engine.connect() as conn:
        assert typology_counts(conn) == dict(by_typology)
        typology = sorted(by_typology)[0]
        listed = list_alerts(conn, typology=typology)
        assert len(listed) == by_typology[typology] and {a.typology for a in listed} == {typology}
        spans = {a["alert_id"]: (a["first_at"], a["last_at"]) for a in alerts}
        assert all((a.first_at, a.last_at) == spans[a.alert_id] for a in listed)
        everything = list_alerts(conn)
        assert [a.score for a in everything] == sorted((a.score for a in everything), reverse=True)
        one = get_alert(conn, alerts[0]["alert_id"])
        assert one["explanation"] == alerts[0]["explanation"] and one["parameters"] == alerts[0]["parameters"]
        assert one["times_seen"] == 1
        with pytest.raises(AlertNotFound, match="no monitoring alert 'al_nope'"):
            alert_flow(conn, "al_nope")
