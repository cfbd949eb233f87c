"""A tiny, fully known exchange for the console tests: two customers' events, one decision with model
contributions, and a handful of cases (so every figure on a page can be checked by hand)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import lightgbm as lgb
import numpy as np
import sqlalchemy as sa
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from warden.access.tables import users
from warden.api.app import create_app
from warden.cases.alerts import CaseAlert, add_alert
from warden.cases.queues import default_queue_config
from warden.cases.sources import alerts_from_decisions
from warden.cases.staffing import default_skills
from warden.decisions.record import Decision, ModelResult
from warden.decisions.repository import insert_decisions
from warden.events.examples import EXAMPLES
from warden.events.ingest import Ingestor
from warden.settings import Settings
from warden.store.db import Store
from warden.triage.features import BASE_FEATURES
from warden.triage.model import TriageModel

PASSWORD = "console-test-password"
SOURCE_ADDRESS = EXAMPLES["deposit"]["from_address"]
WITHDRAWAL_ADDRESS = EXAMPLES["withdrawal"]["to_address"]

EXTRA_EVENTS = [
    # A second deposit from the same address (the graph sums it into one edge) and a fiat deposit.
    {**EXAMPLES["deposit"], "event_id": "evt-0009", "occurred_at": "2026-03-03T10:00:00Z", "amount_usd": "500.00"},
    {
        "event_id": "evt-0010",
        "type": "deposit",
        "occurred_at": "2026-03-03T11:00:00Z",
        "customer_id": "cus-42",
        "asset": "EUR",
        "network": "sepa",
        "amount": "300",
        "amount_usd": "320.00",
        "to_address": "DE89370400440532013000",
        "channel": "fiat",
    },
    {**EXAMPLES["login"], "event_id": "evt-0011", "customer_id": "cus-77", "country": "FR"},
    {**EXAMPLES["login"], "event_id": "evt-0012", "country": "NG", "device_id": "dev-zz", "success": False},
]

CONTRIBUTIONS = [
    {"feature": "withdrawal_to_new_address", "value": 1, "contribution": 0.31},
    {"feature": "amount_usd", "value": 2499.75, "contribution": 0.12},
    {"feature": "account_age_days", "value": 400, "contribution": -0.05},
]


def _hold_decision() -> Decision:
    return Decision(
        event_id="evt-0003",
        customer_id="cus-42",
        event_type="withdrawal",
        occurred_at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        decided_at=datetime(2026, 3, 2, 9, 0, 0, 12000, tzinfo=UTC),
        outcome="hold",
        score=87.5,
        reasons=["withdrawal to an address added minutes ago", "fraud model score 0.62"],
        rule_hits=[
            {
                "rule_id": "new_address_large_withdrawal",
                "rule_version": 3,
                "outcome": "hold",
                "score": 25.5,
                "reason": "withdrawal to an address added minutes ago",
                "explanation": {"expr": "minutes_since_address_added < 60", "value": True, "args": []},
            }
        ],
        model=ModelResult("fraud", "2026.11.1", 0.62, "review", CONTRIBUTIONS),
        features={"amount_usd": 2499.75, "withdrawal_to_new_address": 1},
        ruleset={"name": "starter", "version": "2026.11.3", "fingerprint": "abc123"},
        latency_ms=1.7,
        versions={"rules": "2026.11.3", "model": "fraud@2026.11.1"},
    )


def seed(store: Store, settings: Settings, tmp: Path) -> dict[str, str]:
    """Events, a decision, cases and users; returns the case ids by name."""
    source = tmp / "events.jsonl"
    source.write_text("".join(json.dumps(e) + "\n" for e in [*EXAMPLES.values(), *EXTRA_EVENTS]))
    Ingestor(store, settings.parquet_dir).ingest([source])
    with store.engine.begin() as conn:
        insert_decisions(conn, [_hold_decision().to_row(conn.dialect.name == "sqlite")])
        alerts_from_decisions(conn)  # opens the case of cus-42 from the hold
        ring = CaseAlert(
            alert_id="monitoring:ring-1#1",
            source="monitoring",
            typology="fan_out",
            customer_ids=["cus-42"],
            addresses=[WITHDRAWAL_ADDRESS],
            event_ids=["evt-0004", "evt-0002"],
            score=0.7,
            severity="high",
            amount_usd=Decimal("1171.38"),
            evidence={"explanation": "money in from one address, out to a customer and an address within a day"},
        )
        main = add_alert(conn, ring).case_id
        other = add_alert(
            conn,
            CaseAlert("monitoring:ring-2#1", "monitoring", "structuring", ["cus-77"], 0.3, "low", Decimal("149.98")),
        ).case_id
        _add_users(conn)
    return {"main": main, "other": other}


@lru_cache(maxsize=1)
def _password_hash() -> str:
    return PasswordHasher().hash(PASSWORD)


def _add_users(conn: sa.Connection) -> None:
    """ana (analyst), sam (senior analyst), rita (rule author), mo (model-risk officer), root (admin):
    users.add_user's rows, hashing the password once per
    test run instead of three times per test (argon2 is slow on purpose)."""
    config = default_queue_config()
    people = [("ana", "analyst"), ("sam", "senior_analyst"), ("rita", "rule_author"), ("mo", "model_risk_officer")]
    for name, role in [*people, ("root", "admin")]:
        conn.execute(
            sa.insert(users).values(
                username=name,
                role=role,
                password_hash=_password_hash(),
                skills=json.dumps(default_skills(role, config)),
                capacity=20,
                active=True,
                created_at=datetime.now(UTC),
            )
        )


def signed_in(settings: Settings, store: Store, username: str) -> TestClient:
    """A console client signed in as one of the seeded users (redirects not followed, so tests see them)."""
    client = TestClient(create_app(settings, store), follow_redirects=False)
    response = client.post("/login", data={"username": username, "password": PASSWORD, "next": "/"})
    assert response.status_code == 303, response.text
    return client


def form_token(client: TestClient, path: str) -> str:
    """The CSRF token in the form of the page at `path`."""
    match = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', client.get(path).text)
    assert match is not None
    return match.group(1)


def triage_model(version: str) -> TriageModel:
    """A real (small) triage model on the base features, without a case load to learn from."""
    rng = np.random.default_rng(5)
    x = rng.random((200, len(BASE_FEATURES)))
    y = (x[:, 0] + 0.3 * rng.random(200) > 0.6).astype(float)
    params = {"objective": "binary", "verbose": -1, "num_threads": 1, "min_data_in_leaf": 5}
    booster = lgb.train(params, lgb.Dataset(x, y), 20)
    meta = {
        "kind": "triage",
        "version": version,
        "trained_at": "2026-12-01T10:00:00Z",
        "trained_on": "/data/exchange-a/events.jsonl",
        "features": list(BASE_FEATURES),
        "vocabulary": [],
        "lightgbm_version": lgb.__version__,
        "training_data": {"cases": 200, "true_positives": int(y.sum()), "label_sources": {"recorded": 200}},
        "metrics": {"validation": {"captured_top_20": 0.61, "baseline_top_20": 0.34, "cases": 50, "split": "time"}},
    }
    return TriageModel(booster, meta)
