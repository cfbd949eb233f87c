"""/monitoring and /monitoring/alerts/{id} over a real store on both databases: a real monitoring run over
ingested events, a signed-in reviewer, and the page's numbers and drawn flow checked against the store."""

from __future__ import annotations

import html as html_lib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.monitoring.builders import with_rings

from warden.api.app import create_app
from warden.cases.sources import alerts_from_monitoring
from warden.cases.staffing import add_user
from warden.events.ingest import Ingestor
from warden.monitoring.browse import typology_counts
from warden.monitoring.flow import alert_flow
from warden.monitoring.pipeline import monitor
from warden.monitoring.repository import load_alerts, save_alerts
from warden.settings import Settings
from warden.store.db import Store

PASSWORD = "correct horse battery"


@pytest.fixture
def app(settings: Settings, store: Store, tmp_path: Path) -> Any:
    events = with_rings().write(tmp_path / "events.jsonl")
    summary = Ingestor(store, settings.parquet_dir, actor="test").ingest([events])
    assert summary.total("rejected") == 0
    save_alerts(store.engine, monitor(events).alerts)
    with store.engine.begin() as conn:
        alerts_from_monitoring(conn)  # every alert into a case
        add_user(conn, "ana", "analyst", PASSWORD)
        add_user(conn, "mo", "model_risk_officer", PASSWORD)
    return create_app(settings.model_copy(update={"secret_key": "test-secret"}), store)


def signed_in(app: Any, user: str = "ana") -> TestClient:
    client = TestClient(app)
    assert client.post("/v1/session/login", json={"username": user, "password": PASSWORD}).status_code == 200
    return client


def test_list_filters_by_typology_and_links_cases(app: Any, store: Store) -> None:
    with store.engine.connect() as conn:
        counts = typology_counts(conn)
    client = signed_in(app)
    everything = client.get("/monitoring").text
    assert len(re.findall(r'<tr data-alert="', everything)) == sum(counts.values()) >= 5
    for typology, n in counts.items():
        page = client.get("/monitoring", params={"typology": typology}).text
        rows = re.findall(r'<tr data-alert="(al_\w+)">.*?</tr>', page, re.S)
        assert len(rows) == n, typology
        # each row's case column links the case that holds it
        assert len(re.findall(r'href="/cases/case_', page)) >= n
    unknown = client.get("/monitoring", params={"typology": "nope"}).text
    assert "No alerts of typology “nope”" in unknown


def test_alert_page_explains_and_draws_the_flow(app: Any, store: Store) -> None:
    fan_in: dict[str, Any] = next(a for a in load_alerts(store.engine) if a["typology"] == "fan_in")
    page = signed_in(app).get(f"/monitoring/alerts/{fan_in['alert_id']}")
    assert page.status_code == 200
    text = page.text
    assert html_lib.escape(str(fan_in["explanation"]), quote=False) in text
    # the detector's parameters, windows in days
    assert re.search(r"<th>window_s</th><td>3 d</td>", text)
    assert re.search(r"<th>min_usd</th><td>500 USD</td>", text)
    # every event of the alert is listed from the events table
    listed = re.findall(r'<tr data-event="([^"]+)">', text)
    assert sorted(listed) == sorted(fan_in["event_ids"])
    # the drawn graph is the flow of the store, and the collector and its senders are subjects
    data = re.search(r'<script type="application/json" class="flow-data">(.*?)</script>', text, re.S)
    assert data and '<div class="flow-graph"' in text
    drawn = json.loads(data.group(1))
    with store.engine.connect() as conn:
        assert drawn == alert_flow(conn, fan_in["alert_id"])
    subjects = {n["label"] for n in drawn["nodes"] if n["kind"] == "subject"}
    assert subjects == {"fi0", "fi1", "fi2", "fi3", "fi_hub"}
    into_hub = [e for e in drawn["edges"] if e["target"] == "customer:fi_hub"]
    assert len(into_hub) == 4 and all(e["amount_usd"] == 4900.0 for e in into_hub)


def test_unknown_alert_and_roles(app: Any) -> None:
    assert signed_in(app).get("/monitoring/alerts/al_nope").status_code == 404
    assert signed_in(app, "mo").get("/monitoring").status_code == 403
    anonymous = TestClient(app).get("/monitoring/alerts/al_x", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login?next=")
