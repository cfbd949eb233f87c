"""Case features for the triage model: only what a reviewer sees when the case opens or grows.

A case's features come from its alerts (how many, from where, which rules and typologies, their scores,
amounts and decision outcomes, the fraud model's score), from its customer's events before the case's latest
alert (account age, activity, devices, counterparties), from the customer's earlier cases and their
dispositions, and from links to other customers who have cases (shared device, IP, destination address,
internal transfers). Nothing reads labels or the case's own disposition.

Features are computed for many cases at once (one pass over their alerts and customers' events), which is
how training, evaluation and the re-prioritising sweep use them.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from warden.cases.links import customer_identifiers, links_between
from warden.cases.model import SEVERITIES
from warden.cases.records import as_utc
from warden.cases.tables import case_alerts, cases
from warden.events.tables import events
from warden.triage.feedback import TRUE_POSITIVE, alert_rules

_CHUNK = 500
NAN = float("nan")

ALERT_FEATURES: tuple[str, ...] = (
    "alerts",
    "sources",
    "decision_alerts",
    "monitoring_alerts",
    "screening_alerts",
    "typologies",
    "max_score",
    "mean_score",
    "log_amount_usd",
    "log_max_alert_amount_usd",
    "severity",
    "review_outcomes",
    "hold_outcomes",
    "block_or_freeze_outcomes",
    "model_score_max",
    "rule_points",
    "distinct_rules",
    "span_hours",
)
CUSTOMER_FEATURES: tuple[str, ...] = (
    "account_age_days",
    "deposits",
    "withdrawals",
    "transfers_out",
    "log_deposit_usd",
    "log_withdrawal_usd",
    "withdrawn_share_of_deposits",
    "devices",
    "ips",
    "login_countries",
    "transfers_in",
    "log_transfer_in_usd",
    "log_transfer_out_usd",
    "transfer_partners",
    "withdrawn_share_of_inflows",
    "named_in_monitoring",
    "partners_named_in_monitoring",
    "partners_with_cases",
)
HISTORY_FEATURES: tuple[str, ...] = (
    "prior_cases",
    "prior_true_positives",
    "linked_cases_transfer",
    "linked_cases_device",
    "linked_cases_address",
    "linked_cases_ip",
    "linked_monitoring_cases",
    "linked_true_positives",
)
# Fixed features; `rule:<id>` counts are added per model from the rules common in its training cases.
BASE_FEATURES: tuple[str, ...] = ALERT_FEATURES + CUSTOMER_FEATURES + HISTORY_FEATURES


@dataclass
class CaseFacts:
    """What features are computed from, per case."""

    case_id: str
    customer: str | None
    severity: str
    created_at: datetime
    alerts: list[dict[str, Any]] = field(default_factory=list)
    as_of: datetime | None = None  # the latest alert event's time: customer history is read before it


def _log(value: float) -> float:
    return math.log10(1.0 + max(0.0, value))


def _chunks(items: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def load_facts(conn: sa.Connection, case_ids: Iterable[str] | None = None) -> dict[str, CaseFacts]:
    query = sa.select(cases.c.case_id, cases.c.subject_customer, cases.c.severity, cases.c.created_at)
    wanted = None if case_ids is None else sorted(set(case_ids))
    facts: dict[str, CaseFacts] = {}
    for chunk in [None] if wanted is None else list(_chunks(wanted)):
        q = query if chunk is None else query.where(cases.c.case_id.in_(chunk))
        for row in conn.execute(q):
            facts[row.case_id] = CaseFacts(row.case_id, row.subject_customer, row.severity, as_utc(row.created_at))
    ids = sorted(facts)
    event_ids: set[str] = set()
    for chunk in _chunks(ids):
        for row in conn.execute(sa.select(case_alerts).where(case_alerts.c.case_id.in_(chunk))):
            alert = {
                "source": row.source,
                "typology": row.typology,
                "score": float(row.score),
                "amount_usd": float(row.amount_usd),
                "event_ids": json.loads(row.event_ids),
                "evidence": json.loads(row.evidence),
            }
            facts[row.case_id].alerts.append(alert)
            event_ids.update(alert["event_ids"])
    times: dict[str, datetime] = {}
    for chunk in _chunks(sorted(event_ids)):
        query_times = sa.select(events.c.event_id, events.c.occurred_at).where(events.c.event_id.in_(chunk))
        times.update({e: as_utc(t) for e, t in conn.execute(query_times)})
    for fact in facts.values():
        seen = [times[e] for a in fact.alerts for e in a["event_ids"] if e in times]
        as_of = fact.as_of = max(seen) if seen else fact.created_at
        for alert in fact.alerts:
            alert_times = [times[e] for e in alert["event_ids"] if e in times]
            alert["first_at"] = min(alert_times) if alert_times else as_of
        fact.alerts.sort(key=lambda a: a["first_at"])
    return facts


def _alert_features(fact: CaseFacts, vocabulary: tuple[str, ...]) -> dict[str, float]:
    alerts = fact.alerts
    sources = Counter(a["source"] for a in alerts)
    scores = [a["score"] for a in alerts] or [0.0]
    outcomes = Counter(a["evidence"].get("outcome") for a in alerts if a["source"] == "decision")
    model_scores = [
        float(a["evidence"]["model"]["score"])
        for a in alerts
        if isinstance(a["evidence"].get("model"), dict) and a["evidence"]["model"].get("score") is not None
    ]
    rules: Counter[str] = Counter()
    points = 0.0
    for a in alerts:
        rules.update(alert_rules(a["source"], a["typology"], a["evidence"]))
        for hit in a["evidence"].get("rule_hits") or []:
            points += float(hit.get("score") or 0.0) if isinstance(hit, dict) else 0.0
    firsts = [a["first_at"] for a in alerts]
    values = {
        "alerts": float(len(alerts)),
        "sources": float(len(sources)),
        "decision_alerts": float(sources["decision"]),
        "monitoring_alerts": float(sources["monitoring"]),
        "screening_alerts": float(sources["screening"]),
        "typologies": float(len({a["typology"] for a in alerts})),
        "max_score": max(scores),
        "mean_score": sum(scores) / len(scores),
        "log_amount_usd": _log(sum(a["amount_usd"] for a in alerts)),
        "log_max_alert_amount_usd": _log(max((a["amount_usd"] for a in alerts), default=0.0)),
        "severity": float(SEVERITIES.index(fact.severity)),
        "review_outcomes": float(outcomes["review"]),
        "hold_outcomes": float(outcomes["hold"]),
        "block_or_freeze_outcomes": float(outcomes["block"] + outcomes["freeze"]),
        "model_score_max": max(model_scores) if model_scores else NAN,
        "rule_points": points,
        "distinct_rules": float(len(rules)),
        "span_hours": (max(firsts) - min(firsts)).total_seconds() / 3600.0 if firsts else 0.0,
    }
    for rule in vocabulary:
        values[f"rule:{rule}"] = float(rules[rule])
    return values


@dataclass(frozen=True)
class _Transfer:
    sender: str
    receiver: str
    at: datetime
    usd: float


def _transfers(conn: sa.Connection) -> dict[str, list[_Transfer]]:
    """Every internal transfer, under both its ends: money moving between customers is what rings share."""
    found: dict[str, list[_Transfer]] = defaultdict(list)
    query = sa.select(events.c.customer_id, events.c.occurred_at, events.c.amount_usd, events.c.payload).where(
        events.c.type == "transfer"
    )
    for sender, at, amount, payload in conn.execute(query):
        receiver = json.loads(payload).get("counterparty_id")
        if receiver:
            item = _Transfer(sender, receiver, as_utc(at), float(amount or 0.0))
            found[sender].append(item)
            found[receiver].append(item)
    return found


def _named_in_monitoring(conn: sa.Connection) -> Counter[str]:
    """How many monitoring alerts name each customer (a ring alert names every member, not only its subject)."""
    named: Counter[str] = Counter()
    query = sa.select(case_alerts.c.customer_ids).where(case_alerts.c.source == "monitoring")
    for customer_ids in conn.execute(query).scalars():
        named.update(set(json.loads(customer_ids)))
    return named


def _customer_features(
    conn: sa.Connection, facts: dict[str, CaseFacts], network: bool = True
) -> dict[str, dict[str, float]]:
    """Per case: its customer's history before the case's latest alert (without the network: own events only,
    transfers received and monitoring naming read as none)."""
    transfers = _transfers(conn) if network else {}
    named = _named_in_monitoring(conn) if network else Counter()
    subjects = set(conn.execute(sa.select(cases.c.subject_customer).distinct()).scalars()) if network else set()
    by_customer: dict[str, list[CaseFacts]] = defaultdict(list)
    for fact in facts.values():
        if fact.customer:
            by_customer[fact.customer].append(fact)
    stats: dict[str, dict[str, float]] = {}
    rows_by_customer: dict[str, list[tuple[str, datetime, float, dict[str, Any]]]] = defaultdict(list)
    for chunk in _chunks(sorted(by_customer)):
        query = sa.select(events.c.customer_id, events.c.type, events.c.occurred_at, events.c.amount_usd).add_columns(
            events.c.payload
        )
        for customer, kind, at, amount, payload in conn.execute(query.where(events.c.customer_id.in_(chunk))):
            light = kind in ("deposit", "trade")  # their payload adds nothing the features use
            rows_by_customer[customer].append(
                (kind, as_utc(at), float(amount or 0.0), {} if light else json.loads(payload))
            )
    for customer, customer_facts in by_customer.items():
        rows = rows_by_customer.get(customer, [])
        for fact in customer_facts:
            assert fact.as_of is not None
            before = [r for r in rows if r[1] <= fact.as_of]
            kyc = [r[1] for r in rows if r[0] == "kyc_submission"]
            kinds = Counter(r[0] for r in before)
            deposit_usd = sum(r[2] for r in before if r[0] == "deposit")
            withdrawal_usd = sum(r[2] for r in before if r[0] == "withdrawal")
            moved = [t for t in transfers.get(customer, []) if t.at <= fact.as_of]
            received = [t for t in moved if t.receiver == customer]
            sent_usd = sum(t.usd for t in moved if t.sender == customer)
            received_usd = sum(t.usd for t in received)
            partners = {t.sender if t.receiver == customer else t.receiver for t in moved}
            inflow = deposit_usd + received_usd
            stats[fact.case_id] = {
                "account_age_days": (fact.as_of - min(kyc)).total_seconds() / 86400.0 if kyc else NAN,
                "deposits": float(kinds["deposit"]),
                "withdrawals": float(kinds["withdrawal"]),
                "transfers_out": float(kinds["transfer"]),
                "log_deposit_usd": _log(deposit_usd),
                "log_withdrawal_usd": _log(withdrawal_usd),
                "withdrawn_share_of_deposits": withdrawal_usd / deposit_usd if deposit_usd > 0 else NAN,
                "devices": float(len({r[3]["device_id"] for r in before if r[3].get("device_id")})),
                "ips": float(len({r[3]["ip"] for r in before if r[3].get("ip")})),
                "login_countries": float(
                    len({r[3]["country"] for r in before if r[0] == "login" and "country" in r[3]})
                ),
                "transfers_in": float(len(received)),
                "log_transfer_in_usd": _log(received_usd),
                "log_transfer_out_usd": _log(sent_usd),
                "transfer_partners": float(len(partners)),
                "withdrawn_share_of_inflows": (withdrawal_usd + sent_usd) / inflow if inflow > 0 else NAN,
                "named_in_monitoring": float(named[customer]),
                "partners_named_in_monitoring": float(sum(1 for p in partners if named[p])),
                "partners_with_cases": float(len(partners & subjects)),
            }
    return stats


def _history_features(conn: sa.Connection, facts: dict[str, CaseFacts]) -> dict[str, dict[str, float]]:
    """Earlier cases of the same customer and of linked customers, with what reviewers concluded."""
    rows = conn.execute(
        sa.select(
            cases.c.case_id, cases.c.subject_customer, cases.c.created_at, cases.c.disposition, cases.c.state
        ).where(cases.c.subject_customer.is_not(None))
    ).all()
    cases_of: dict[str, list[tuple[str, datetime, str | None]]] = defaultdict(list)
    for row in rows:
        cases_of[row.subject_customer].append((row.case_id, as_utc(row.created_at), row.disposition))
    monitored = set(
        conn.execute(
            sa.select(cases.c.subject_customer)
            .select_from(cases.join(case_alerts, case_alerts.c.case_id == cases.c.case_id))
            .where(case_alerts.c.source == "monitoring")
        ).scalars()
    )
    confirmed = {c for c, items in cases_of.items() if any(d == TRUE_POSITIVE for _, _, d in items)}
    links = links_between(customer_identifiers(conn, cases_of))
    result: dict[str, dict[str, float]] = {}
    for fact in facts.values():
        values = dict.fromkeys(HISTORY_FEATURES, 0.0)
        if fact.customer:
            earlier = [c for c in cases_of.get(fact.customer, []) if c[1] < fact.created_at and c[0] != fact.case_id]
            values["prior_cases"] = float(len(earlier))
            values["prior_true_positives"] = float(sum(1 for c in earlier if c[2] == TRUE_POSITIVE))
            linked = links.get(fact.customer, [])
            for kind in ("transfer", "device", "address", "ip"):
                values[f"linked_cases_{kind}"] = float(len({x.customer_id for x in linked if x.kind == kind}))
            others = {x.customer_id for x in linked}
            values["linked_monitoring_cases"] = float(len(others & monitored))
            values["linked_true_positives"] = float(len(others & confirmed))
        result[fact.case_id] = values
    return result


def case_features(
    conn: sa.Connection,
    case_ids: Iterable[str] | None = None,
    vocabulary: tuple[str, ...] = (),
    network: bool = True,
) -> dict[str, dict[str, float]]:
    """Features per case (all cases when `case_ids` is None); `vocabulary` adds a count per listed rule.

    `network=False` skips what needs every customer's transfers and links (the costly part, a few hundred ms
    per call on a 2,000-customer exchange) and leaves those features out; `similar_cases` uses that."""
    facts = load_facts(conn, case_ids)
    customer = _customer_features(conn, facts, network)
    history = _history_features(conn, facts) if network else {}
    result = {}
    for case_id, fact in facts.items():
        values = _alert_features(fact, vocabulary)
        values.update(customer.get(case_id) or dict.fromkeys(CUSTOMER_FEATURES, NAN))
        values.update(history.get(case_id, {}))
        result[case_id] = values
    return result


def rule_vocabulary(conn: sa.Connection, case_ids: Iterable[str], min_cases: int = 5) -> tuple[str, ...]:
    """Rules and typologies seen in at least `min_cases` of the given cases: the model's `rule:` features."""
    facts = load_facts(conn, case_ids)
    seen: Counter[str] = Counter()
    for fact in facts.values():
        seen.update({r for a in fact.alerts for r in alert_rules(a["source"], a["typology"], a["evidence"])})
    return tuple(sorted(r for r, n in seen.items() if n >= min_cases))
