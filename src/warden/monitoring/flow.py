"""The fund flow behind a monitoring alert, as a graph the console draws.

Nodes are the customers and crypto addresses of the alert's money events (the alert's own customers are
`subject`s; a deposit with no sending address, e.g. fiat or card, comes from an `external` node); edges are
the money movements between them, summed per direction. The shape is the console's flow-graph contract:

    {"nodes": [{"id", "label", "kind": "customer"|"subject"|"address"|"external", "risk": float|None}],
     "edges": [{"source", "target", "amount_usd": float, "count": int, "first": iso, "last": iso}]}

A node's risk is the customer's highest decision score in the store, scaled to [0, 1] (None for addresses and
for customers the decision engine never scored). The case page's fund flow (`warden.cases.evidence`) is built
here too, from the case's events.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from warden.customer_scores.rollup import max_scores
from warden.events.tables import events
from warden.monitoring.tables import alerts_table

MONEY_TYPES = ("deposit", "withdrawal", "transfer")
KIND_ORDER = {"subject": 0, "customer": 1, "address": 2, "external": 3}
_CHUNK = 500  # ids per IN (...) list: well under SQLite's bound-parameter limit


class AlertNotFound(LookupError):
    pass


@dataclass(frozen=True)
class AlertEvent:
    """One stored event of an alert, with where its money came from and went to (None for non-money events)."""

    event_id: str
    type: str
    customer_id: str
    occurred_at: datetime
    amount_usd: Decimal | None
    payload: dict[str, Any]
    source: str | None
    target: str | None


def iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _chunks(ids: list[str]) -> list[list[str]]:
    return [ids[i : i + _CHUNK] for i in range(0, len(ids), _CHUNK)]


def load_alert_row(conn: sa.Connection, alert_id: str) -> sa.Row[Any]:
    row = conn.execute(sa.select(alerts_table).where(alerts_table.c.alert_id == alert_id)).first()
    if row is None:
        raise AlertNotFound(f"no monitoring alert {alert_id!r}")
    return row


def customer_node(customer_id: str) -> str:
    return f"customer:{customer_id}"


def address_node(address: str) -> str:
    return f"address:{address}"


def _ends(kind: str, customer: str, payload: dict[str, Any]) -> tuple[str | None, str | None]:
    """(source node, target node) of a money event; (None, None) for anything else."""
    if kind == "transfer" and payload.get("counterparty_id"):
        return customer_node(customer), customer_node(str(payload["counterparty_id"]))
    if kind == "deposit":
        sender = payload.get("from_address")
        if sender:
            return address_node(str(sender)), customer_node(customer)
        channel = payload.get("channel") or "crypto"
        return f"external:{channel}", customer_node(customer)
    if kind == "withdrawal" and payload.get("to_address"):
        return customer_node(customer), address_node(str(payload["to_address"]))
    return None, None


def alert_events(conn: sa.Connection, event_ids: list[str]) -> list[AlertEvent]:
    """The stored events among `event_ids`, oldest first (ids the store does not hold are left out)."""
    found: list[AlertEvent] = []
    for chunk in _chunks(sorted(set(event_ids))):
        query = sa.select(
            events.c.event_id,
            events.c.type,
            events.c.customer_id,
            events.c.occurred_at,
            events.c.amount_usd,
            events.c.payload,
        ).where(events.c.event_id.in_(chunk))
        for row in conn.execute(query):
            amount = None if row.amount_usd is None else Decimal(row.amount_usd)
            found.append(
                flow_event(row.event_id, row.type, row.customer_id, row.occurred_at, amount, json.loads(row.payload))
            )
    return sorted(found, key=lambda e: (e.occurred_at, e.event_id))


def flow_event(
    event_id: str,
    kind: str,
    customer_id: str,
    occurred_at: datetime,
    amount_usd: Decimal | None,
    payload: dict[str, Any],
) -> AlertEvent:
    """A stored event with the two ends of its money movement worked out."""
    source, target = _ends(kind, customer_id, payload)
    return AlertEvent(event_id, kind, customer_id, _utc(occurred_at), amount_usd, payload, source, target)


def customer_risk(conn: sa.Connection, customer_ids: list[str]) -> dict[str, float]:
    """Each scored customer's highest decision score, scaled to the graph's [0, 1] (a score of 100 or more is 1)."""
    risk: dict[str, float] = {}
    for chunk in _chunks(sorted(set(customer_ids))):
        highest = max_scores(conn, chunk)
        risk.update({c: round(min(1.0, max(0.0, score / 100.0)), 4) for c, score in highest.items()})
    return risk


def _short(address: str) -> str:
    return address if len(address) <= 16 else f"{address[:8]}…{address[-6:]}"


def flow_graph(items: list[AlertEvent], subjects: list[str], risk: dict[str, float]) -> dict[str, Any]:
    """Money events as the flow-graph contract: one edge per (source, target) with the sum, count and span."""
    subject_nodes = {customer_node(c) for c in subjects}
    edges: dict[tuple[str, str], dict[str, Any]] = {}
    for item in items:
        if item.source is None or item.target is None or item.amount_usd is None:
            continue
        at = iso(item.occurred_at)
        edge = edges.setdefault(
            (item.source, item.target),
            {"source": item.source, "target": item.target, "amount": Decimal(0), "count": 0, "first": at, "last": at},
        )
        edge["amount"] += item.amount_usd
        edge["count"] += 1
        edge["first"], edge["last"] = min(edge["first"], at), max(edge["last"], at)
    node_ids = subject_nodes | {e["source"] for e in edges.values()} | {e["target"] for e in edges.values()}
    nodes = [_node(node_id, subject_nodes, risk) for node_id in node_ids]
    nodes.sort(key=lambda n: (KIND_ORDER[n["kind"]], n["id"]))
    ordered = sorted(edges.values(), key=lambda e: (e["first"], e["source"], e["target"]))
    return {
        "nodes": nodes,
        "edges": [
            {
                "source": e["source"],
                "target": e["target"],
                "amount_usd": float(e["amount"]),
                "count": e["count"],
                "first": e["first"],
                "last": e["last"],
            }
            for e in ordered
        ],
    }


def _node(node_id: str, subjects: set[str], risk: dict[str, float]) -> dict[str, Any]:
    prefix, _, name = node_id.partition(":")
    if prefix == "customer":
        kind = "subject" if node_id in subjects else "customer"
        return {"id": node_id, "label": name, "kind": kind, "risk": risk.get(name)}
    if prefix == "address":
        return {"id": node_id, "label": _short(name), "kind": "address", "risk": None}
    return {"id": node_id, "label": f"outside ({name})", "kind": "external", "risk": None}


def events_flow(conn: sa.Connection, subjects: list[str], items: list[AlertEvent]) -> dict[str, Any]:
    """The flow graph of already loaded events, with the customers' risk looked up in the store."""
    customers = set(subjects) | {e.customer_id for e in items}
    customers |= {str(e.payload["counterparty_id"]) for e in items if e.payload.get("counterparty_id")}
    return flow_graph(items, subjects, customer_risk(conn, sorted(customers)))


def alert_flow(conn: sa.Connection, alert_id: str) -> dict[str, Any]:
    """The fund-flow graph of a stored monitoring alert (raises AlertNotFound for an unknown id)."""
    row = load_alert_row(conn, alert_id)
    return events_flow(conn, json.loads(row.customer_ids), alert_events(conn, json.loads(row.event_ids)))
