"""`warden eval monitor`: detector quality on a labelled simulated exchange (customer level)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from warden.monitoring.alerts import Alert
from warden.monitoring.errors import InputError

LAUNDERING_LABELS = frozenset({"laundering", "mule"})


def read_customer_labels(path: Path) -> dict[str, str]:
    """Customer id -> laundering typology, for customers labelled laundering or mule."""
    out: dict[str, str] = {}
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        need = {"entity_type", "entity_id", "label", "typology"}
        if not need <= set(reader.fieldnames or []):
            raise InputError(path, 1, f"header must have {', '.join(sorted(need))}")
        for line, row in enumerate(reader, start=2):
            if not row["entity_id"]:
                raise InputError(path, line, "empty entity_id")
            if row["entity_type"] == "customer" and row["label"] in LAUNDERING_LABELS:
                out[row["entity_id"]] = row["typology"]
    return out


def score_alerts(alerts: list[Alert], labels: dict[str, str], customers: int) -> dict[str, Any]:
    flagged: dict[str, set[str]] = {}
    for alert in alerts:
        for c in alert.customer_ids:
            flagged.setdefault(c, set()).update([alert.typology, *alert.also_matched])
    per: dict[str, dict[str, float]] = {}
    for typology in sorted(set(labels.values())):
        members = [c for c, t in labels.items() if t == typology]
        hit = sum(1 for c in members if c in flagged)
        same = sum(1 for c in members if typology in flagged.get(c, set()))
        per[typology] = {
            "customers": len(members),
            "recall": round(hit / len(members), 4),
            "recall_same_typology": round(same / len(members), 4),
        }
    true_flagged = sum(1 for c in flagged if c in labels)
    return {
        "customers": customers,
        "laundering_customers": len(labels),
        "flagged_customers": len(flagged),
        "precision": round(true_flagged / len(flagged), 4) if flagged else 0.0,
        "recall": round(sum(1 for c in labels if c in flagged) / len(labels), 4) if labels else 0.0,
        "alerts": len(alerts),
        "alerts_per_1000_customers": round(1000 * len(alerts) / customers, 3) if customers else 0.0,
        "per_typology": per,
        "definitions": {
            "recall": "share of a typology's labelled customers (laundering or mule) named in any alert",
            "recall_same_typology": "... named in an alert that matched that typology (main or also_matched)",
            "precision": "share of customers named in alerts that are labelled laundering or mule",
        },
    }
