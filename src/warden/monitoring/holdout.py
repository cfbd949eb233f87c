"""`warden eval monitor --split-day N`: monitoring judged on a held-out period of a labelled exchange.

The history is split by time: the first N days (from the first money movement, at midnight UTC) are the
learn period, the rest the evaluation period. Monitoring runs over the whole history (a deployment looks
back into the past), and an alert counts in the evaluation period when its evidence ends there
(`last_at` >= the split). A labelled customer counts for a typology's recall when it moves money in the
evaluation period; benign look-alike groups (`benign_*` typologies) likewise.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from warden.monitoring.alerts import Alert
from warden.monitoring.errors import InputError

# Customers whose money is dirty: alerts naming them are true positives.
DIRTY_LABELS = frozenset({"laundering", "mule", "hack_proceeds"})
# Typologies judged for recall (issue 13's list), plus hack proceeds relayed between customers.
LAUNDERING_TYPOLOGIES = (
    "fan_in",
    "fan_out",
    "cycle",
    "scatter_gather",
    "gather_scatter",
    "bipartite",
    "stack",
    "structuring",
    "pass_through",
    "hack_proceeds",
)
# Synthetic-identity rings (`identity_rings`) are judged by their label: their money is not dirty, their
# accounts are (a ring named by an alert is a true positive, not a false one).
SYNTHETIC_LABEL = "synthetic_identity"
JUDGED_LABELS = DIRTY_LABELS | {SYNTHETIC_LABEL}


@dataclass(frozen=True)
class CustomerLabel:
    label: str
    typology: str
    scenario_id: str = ""


def read_all_customer_labels(path: Path) -> dict[str, CustomerLabel]:
    """Every customer row of labels.csv (label, typology, scenario); customers without a row are normal."""
    return read_labels(path)[0]


def read_labels(path: Path) -> tuple[dict[str, CustomerLabel], dict[str, str]]:
    """Customer rows of labels.csv, and event id -> scenario id for its event rows."""
    out: dict[str, CustomerLabel] = {}
    events: dict[str, str] = {}
    try:
        handle = open(path, newline="", encoding="utf-8")  # noqa: SIM115  (closed by the with below)
    except OSError as exc:
        raise InputError(path, None, exc.strerror or "cannot open") from None
    with handle:
        reader = csv.DictReader(handle)
        need = {"entity_type", "entity_id", "label", "typology"}
        if not need <= set(reader.fieldnames or []):
            raise InputError(path, 1, f"header must have {', '.join(sorted(need))}")
        for line, row in enumerate(reader, start=2):
            if not row["entity_id"]:
                raise InputError(path, line, "empty entity_id")
            if row["entity_type"] == "customer":
                out[row["entity_id"]] = CustomerLabel(row["label"], row["typology"], row.get("scenario_id") or "")
            elif row["entity_type"] == "event" and row.get("scenario_id"):
                events[row["entity_id"]] = row["scenario_id"]
    return out, events


@dataclass(frozen=True)
class Split:
    start: datetime  # first money movement, at midnight
    split: datetime  # start of the evaluation period
    end: datetime  # last money movement
    customers: int  # customers with any event
    active_eval: frozenset[str]  # customers that move money in the evaluation period
    live_scenarios: frozenset[str] = frozenset()  # scenarios with labelled money events in the evaluation period

    @property
    def eval_days(self) -> float:
        return max((self.end - self.split).total_seconds() / 86400.0, 1e-9)


def split_of(con: duckdb.DuckDBPyConnection, split_day: int, event_scenarios: dict[str, str] | None = None) -> Split:
    """From the loaded movements (table `mv`): the split time, who is active after it, live scenarios."""
    t0, t1 = con.execute("SELECT min(ts), max(ts) FROM mv").fetchall()[0]
    if t0 is None:
        raise ValueError("no money movements")
    start = datetime(t0.year, t0.month, t0.day)
    split = start + timedelta(days=split_day)
    active = con.execute(
        "SELECT DISTINCT customer_id FROM mv WHERE ts >= ? UNION SELECT DISTINCT counterparty_id FROM mv "
        "WHERE ts >= ? AND type = 'transfer'",
        [split, split],
    ).fetchall()
    live: set[str] = set()
    if event_scenarios:
        after = con.execute("SELECT event_id FROM mv WHERE ts >= ?", [split]).fetchall()
        live = {event_scenarios[r[0]] for r in after if r[0] in event_scenarios}
    return Split(start, split, t1, 0, frozenset(r[0] for r in active if r[0]), frozenset(live))


def _recall(members: list[str], flagged: dict[str, set[str]]) -> dict[str, Any]:
    hit = sum(1 for c in members if c in flagged)
    return {"customers": len(members), "found": hit, "recall": round(hit / len(members), 4) if members else None}


def score_holdout(
    alerts: list[Alert], labels: dict[str, CustomerLabel], split: Split, customers: int
) -> dict[str, Any]:
    """Per-typology customer recall, precision, alerts per 1,000 customers per 30 days, benign share flagged."""
    cut = f"{split.split:%Y-%m-%dT%H:%M:%SZ}"
    held = [a for a in alerts if a.last_at >= cut]
    flagged: dict[str, set[str]] = {}
    for alert in held:
        for c in alert.customer_ids:
            flagged.setdefault(c, set()).update([alert.typology, *alert.also_matched])
    per: dict[str, dict[str, Any]] = {}
    for typology in LAUNDERING_TYPOLOGIES:
        members = [
            c
            for c, lab in labels.items()
            if lab.typology == typology and lab.label in DIRTY_LABELS and lab.scenario_id in split.live_scenarios
        ]
        per[typology] = _recall(members, flagged)
    # a ring's labelled events may all be from its opening days; its accounts count while they move money
    rings = [
        c
        for c, lab in labels.items()
        if lab.label == SYNTHETIC_LABEL and (lab.scenario_id in split.live_scenarios or c in split.active_eval)
    ]
    per[SYNTHETIC_LABEL] = _recall(rings, flagged)
    benign: dict[str, dict[str, Any]] = {}
    for group in sorted({lab.typology for lab in labels.values() if lab.typology.startswith("benign_")}):
        members = [c for c, lab in labels.items() if lab.typology == group and c in split.active_eval]
        hit = sum(1 for c in members if c in flagged)
        benign[group] = {
            "customers": len(members),
            "flagged": hit,
            "share_flagged": round(hit / len(members), 4) if members else None,
        }
    dirty = {c for c, lab in labels.items() if lab.label in JUDGED_LABELS}
    true_flagged = sum(1 for c in flagged if c in dirty)
    per_30 = 30.0 / split.eval_days
    return {
        "split": {
            "learn_from": f"{split.start:%Y-%m-%dT%H:%M:%SZ}",
            "evaluate_from": cut,
            "evaluate_until": f"{split.end:%Y-%m-%dT%H:%M:%SZ}",
            "eval_days": round(split.eval_days, 2),
        },
        "customers": customers,
        "alerts": len(held),
        "alerts_per_1000_customers_per_30_days": round(1000 * len(held) / customers * per_30, 3) if customers else 0.0,
        "flagged_customers": len(flagged),
        "precision": round(true_flagged / len(flagged), 4) if flagged else None,
        "per_typology": per,
        "benign_share_flagged": benign,
        "definitions": {
            "alert in the evaluation period": "its evidence ends (last_at) at or after evaluate_from",
            "recall": "share of a typology's labelled customers (laundering, mule, hack_proceeds; for "
            "synthetic_identity, customers with that label) whose scenario has money events in the evaluation "
            "period (for synthetic_identity: or who move money in it), named in an alert of that period",
            "precision": "share of customers named in the period's alerts that are labelled laundering, mule, "
            "hack_proceeds or synthetic_identity",
            "share_flagged": "share of a benign look-alike group, active in the period, named in its alerts",
        },
    }
