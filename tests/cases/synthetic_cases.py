"""Small synthetic case loads for the triage tests: cases from alerts, ground truth in the labels table.

True positives tend to carry a rule and a monitoring alert that false positives rarely do, with noise either
way, so a model can learn the pattern but not perfectly; the raw alert score says nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np
import sqlalchemy as sa

from warden.cases.alerts import CaseAlert, add_alert
from warden.events.tables import labels
from warden.store.db import Store

START = datetime(2026, 1, 1, tzinfo=UTC)


def make_case_load(store: Store, n: int, seed: int, prefix: str = "c") -> dict[str, bool]:
    """`n` customers with one case each; returns customer -> truly bad."""
    rng = np.random.default_rng(seed)
    truth = {}
    with store.engine.begin() as conn:
        for i in range(n):
            customer = f"{prefix}{i}"
            bad = bool(rng.random() < 0.25)
            truth[customer] = bad
            rule = "ring_rule" if (bad and rng.random() < 0.85) or (not bad and rng.random() < 0.1) else "geo_login"
            at = START + timedelta(hours=i)
            add_alert(
                conn,
                CaseAlert(
                    alert_id=f"decision:{prefix}-{i}",
                    source="decision",
                    typology=rule,
                    customer_ids=[customer],
                    score=float(rng.uniform(0.3, 1.0)),
                    severity="medium",
                    amount_usd=Decimal(int(rng.integers(100, 5000))),
                    event_ids=[f"ev-{prefix}-{i}"],
                    evidence={"outcome": "review", "rule_hits": [{"rule_id": rule, "score": 20.0}]},
                ),
                now=at,
            )
            if (bad and rng.random() < 0.7) or (not bad and rng.random() < 0.05):
                add_alert(
                    conn,
                    CaseAlert(
                        alert_id=f"monitoring:{prefix}-{i}",
                        source="monitoring",
                        typology="fan_in",
                        customer_ids=[customer, f"{prefix}-partner-{i}"],
                        score=0.6,
                        severity="medium",
                        event_ids=[f"ev-{prefix}-{i}-m"],
                    ),
                    now=at + timedelta(minutes=5),
                )
        bad_rows = [
            {"entity_type": "customer", "entity_id": c, "label": "laundering", "typology": "fan_in", "scenario_id": c}
            for c, is_bad in truth.items()
            if is_bad
        ]
        if bad_rows:
            conn.execute(sa.insert(labels), [{**r, "source": "simulator"} for r in bad_rows])
    return truth
