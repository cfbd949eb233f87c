"""The API's sweep and from-* routes order the queue with the active triage model, like the CLI."""

from __future__ import annotations

from fastapi.testclient import TestClient

from warden.access.api_keys import create_api_key
from warden.api.app import create_app
from warden.cases.repository import list_cases
from warden.settings import Settings
from warden.store.db import Store
from warden.triage.dispositions import simulated_dispositions
from warden.triage.model import save_triage, train_triage

from .synthetic_cases import make_case_load


def test_api_sweep_scores_open_cases_with_the_active_triage_model(settings: Settings, store: Store) -> None:
    make_case_load(store, 90, seed=3)
    with store.engine.begin() as conn:
        model = train_triage(conn, simulated_dispositions(conn), label_sources={"simulated": 90, "recorded": 0})
        _, secret = create_api_key(conn, "backend", {"cases"}, actor="test")
        assert list_cases(conn, open_only=True, limit=1)[0]["priority_reasons"]["version"].startswith("rules")
    save_triage(model, settings.data_dir)
    client = TestClient(create_app(settings, store), headers={"X-API-Key": secret})

    swept = client.post("/v1/cases/sweep")
    assert swept.status_code == 200, swept.text
    assert swept.json()["reprioritised"] == 90
    with store.engine.connect() as conn:
        queue = list_cases(conn, open_only=True, limit=100)
    assert {case["priority_reasons"]["version"] for case in queue} == {f"triage@{model.version}"}
    again = client.post("/v1/cases/from-decisions")  # nothing new to add; already scored, so nothing changes
    assert again.status_code == 200 and again.json()["rescored_by_triage_model"] == 0
