"""A monitoring alert in a real browser (Debian's chromium, Playwright): the fund flow is drawn from the page's
flow data, subjects marked, and a click on a node lists its flows. Skips without chromium (fails under CI=true)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from live_server import live_server
from playwright.sync_api import Page, expect
from tests.monitoring.builders import with_rings

from warden.api.app import create_app
from warden.cases.sources import alerts_from_monitoring
from warden.cases.staffing import add_user
from warden.events.ingest import Ingestor
from warden.monitoring.pipeline import monitor
from warden.monitoring.repository import load_alerts, save_alerts
from warden.settings import Settings
from warden.store.db import open_store

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """uvicorn over a SQLite store with the known rings of tests/monitoring/builders; yields (URL, fan-in id)."""
    tmp = tmp_path_factory.mktemp("monitoring-console")
    settings = Settings(data_dir=tmp / "data")
    store = open_store(settings)
    events = with_rings().write(Path(tmp) / "events.jsonl")
    Ingestor(store, settings.parquet_dir, actor="test").ingest([events])
    save_alerts(store.engine, monitor(events).alerts)
    with store.engine.begin() as conn:
        alerts_from_monitoring(conn)
        add_user(conn, "ana", "analyst", PASSWORD)
    fan_in = next(str(a["alert_id"]) for a in load_alerts(store.engine) if a["typology"] == "fan_in")
    try:
        with live_server(create_app(settings, store)) as base:
            yield base, fan_in
    finally:
        store.dispose()


def _open_fan_in(page: Page, base: str) -> dict[str, list[dict[str, object]]]:
    page.goto(f"{base}/monitoring")
    page.fill("#username", "ana")
    page.fill("#password", PASSWORD)
    page.click("#sign-in")
    page.click("a[data-typology='fan_in']")
    page.locator("#alerts a[href^='/monitoring/alerts/']").first.click()
    expect(page.locator("#alert-flow svg")).to_be_visible()
    data: dict[str, list[dict[str, object]]] = json.loads(page.locator("script.flow-data").text_content() or "{}")
    return data


def test_the_fan_in_is_drawn_with_its_subjects(page: Page, server: tuple[str, str]) -> None:
    base, fan_in = server
    data = _open_fan_in(page, base)
    expect(page).to_have_url(f"{base}/monitoring/alerts/{fan_in}")
    expect(page.locator("#alert-flow .flow-node")).to_have_count(len(data["nodes"]))
    expect(page.locator("#alert-flow .flow-edge")).to_have_count(len(data["edges"]))
    expect(page.locator("#alert-flow .flow-node.flow-subject")).to_have_count(5)  # fi0..fi3 and the collector
    page.locator("#alert-flow .flow-node[data-id='customer:fi_hub']").click()
    info = page.locator("#alert-flow .flow-info")
    expect(info).to_contain_text("fi_hub")
    expect(info.locator("tr")).to_have_count(1 + 5)  # header, four senders in, the cash-out


def test_no_two_nodes_are_drawn_on_the_same_spot(page: Page, server: tuple[str, str]) -> None:
    base, _ = server
    _open_fan_in(page, base)
    spots = page.locator("#alert-flow .flow-node").evaluate_all("gs => gs.map(g => g.getAttribute('transform'))")
    points = [tuple(round(float(v)) for v in re.findall(r"[-\d.]+", spot)) for spot in spots]
    assert len(set(points)) == len(points), points
