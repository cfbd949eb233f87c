"""Feedback: closed dispositions as labels for training, and how often each rule's alerts were right.

Reviewers' dispositions are the ground truth the models learn from: `disposition_labels` turns closed cases into
rows of the contract's labels.csv (so `warden train fraud` reads them like any labels file), and `rule_precision`
tells rule authors, per rule id / typology / detector, how many of its alerts ended as true positives.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from warden.cases.tables import case_alerts, cases
from warden.events.labels import LABEL_COLUMNS, Label

TRUE_POSITIVE = "true_positive_action_taken"
FALSE_POSITIVE = "false_positive"
INCONCLUSIVE = "inconclusive"

# The contract's label a confirmed case gives its customer and events, by the source that raised it.
SOURCE_LABEL = {"decision": "fraud", "monitoring": "laundering", "screening": "sanctioned"}
REVIEW_LABEL_SOURCE = "review"


@dataclass(frozen=True)
class RulePrecision:
    """What reviewers concluded about the alerts of one rule, typology or detector.

    source: where its alerts come from (`decision`, `monitoring`, `screening`).
    rule: the rule id (decision alerts: every rule that hit, not only the first), the monitoring detector's
        typology, or the screening typology.
    alerts: alerts that carried this rule.
    cases: distinct cases those alerts belong to (open or closed).
    closed_cases: those cases that are closed with a disposition.
    true_positives / false_positives / inconclusive: closed cases by disposition.
    precision: true_positives / (true_positives + false_positives); None until one of them exists
        (inconclusive cases say nothing either way).
    """

    source: str
    rule: str
    alerts: int
    cases: int
    closed_cases: int
    true_positives: int
    false_positives: int
    inconclusive: int
    precision: float | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def alert_rules(source: str, typology: str, evidence: dict[str, Any]) -> list[str]:
    """Every rule an alert stands for: a decision alert names its first rule as typology but may carry more."""
    if source == "decision":
        hits = [h.get("rule_id") for h in evidence.get("rule_hits") or [] if isinstance(h, dict)]
        named = [h for h in hits if isinstance(h, str) and h]
        if named:
            return list(dict.fromkeys(named))
    return [typology]


def rule_precision(conn: sa.Connection) -> list[RulePrecision]:
    """Per rule/typology/detector: alerts, cases, closed cases by disposition and precision; most alerts first."""
    query = sa.select(
        case_alerts.c.source, case_alerts.c.typology, case_alerts.c.evidence, case_alerts.c.case_id, cases.c.disposition
    ).select_from(case_alerts.join(cases, cases.c.case_id == case_alerts.c.case_id))
    alerts: dict[tuple[str, str], int] = defaultdict(int)
    case_disposition: dict[tuple[str, str], dict[str, str | None]] = defaultdict(dict)
    for source, typology, evidence, case_id, disposition in conn.execute(query):
        for rule in alert_rules(source, typology, json.loads(evidence)):
            alerts[(source, rule)] += 1
            case_disposition[(source, rule)][case_id] = disposition
    result = []
    for key, count in alerts.items():
        outcomes = list(case_disposition[key].values())
        tp = outcomes.count(TRUE_POSITIVE)
        fp = outcomes.count(FALSE_POSITIVE)
        result.append(
            RulePrecision(
                source=key[0],
                rule=key[1],
                alerts=count,
                cases=len(outcomes),
                closed_cases=sum(1 for o in outcomes if o is not None),
                true_positives=tp,
                false_positives=fp,
                inconclusive=outcomes.count(INCONCLUSIVE),
                precision=round(tp / (tp + fp), 4) if tp + fp else None,
            )
        )
    return sorted(result, key=lambda r: (-r.alerts, r.source, r.rule))


def disposition_labels(conn: sa.Connection) -> list[Label]:
    """Closed cases as labels: a true positive marks its customer and events with the source's label, a false
    positive marks them `normal`; inconclusive cases teach nothing and are left out."""
    query = (
        sa.select(cases.c.case_id, cases.c.subject_customer, cases.c.disposition, case_alerts.c.source)
        .add_columns(case_alerts.c.typology, case_alerts.c.event_ids)
        .select_from(cases.join(case_alerts, case_alerts.c.case_id == cases.c.case_id))
        .where(cases.c.state == "closed", cases.c.disposition.in_([TRUE_POSITIVE, FALSE_POSITIVE]))
        .order_by(cases.c.closed_at, cases.c.case_id, case_alerts.c.created_at)
    )
    found: dict[tuple[str, str], Label] = {}
    for case_id, customer, disposition, source, typology, event_ids in conn.execute(query):
        label = SOURCE_LABEL.get(source, "fraud") if disposition == TRUE_POSITIVE else "normal"
        why = typology if disposition == TRUE_POSITIVE else ""
        entities = [("event", e) for e in json.loads(event_ids)]
        if customer:
            entities.append(("customer", customer))
        for entity in entities:
            # A later true positive outranks an earlier false positive on the same entity, never the reverse.
            if entity in found and found[entity].label != "normal" and label == "normal":
                continue
            found[entity] = Label(entity[0], entity[1], label, why, case_id)
    return list(found.values())


def write_labels_csv(items: list[Label], path: Path) -> int:
    """The contract's labels.csv (entity_type, entity_id, label, typology, scenario_id = the case id)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(LABEL_COLUMNS)
        for item in items:
            writer.writerow([item.entity_type, item.entity_id, item.label, item.typology, item.scenario_id])
    return len(items)
