"""What a reviewer needs to judge a case, gathered from the store: the customer's profile and KYC, the events
and decisions behind the case's alerts, the fund flow around the customer and the model's contributions.

Everything here is read-only and bounded (a case of a very active customer still loads in one page view):
the fund flow covers the alerts' own money events plus the subject's latest `FLOW_EVENTS` money events.

The fund flow follows the console's flow-graph contract (also drawn for monitoring alerts):

    {"nodes": [{"id", "label", "kind": "customer"|"subject"|"address"|"external", "risk": float|None}],
     "edges": [{"source", "target", "amount_usd": float, "count": int, "first": iso, "last": iso}]}

Node ids are `customer:<id>`, `address:<address>` and `external:<channel>` (fiat or card deposits with no
sending address). A customer's risk is their highest decision score scaled to [0, 1] (score / 100, capped).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import orjson
import sqlalchemy as sa

from warden.cases.records import as_utc
from warden.cases.repository import get_case
from warden.decisions.tables import decisions
from warden.events.tables import events
from warden.monitoring.flow import MONEY_TYPES, events_flow, flow_event

ACCOUNT_TYPES = ("profile_change", "address_book_change")
FLOW_EVENTS = 300  # the subject's latest money events drawn besides the alerts' own
MAX_CASE_EVENTS = 200  # events of the alerts listed on the page
MAX_ACCOUNT_EVENTS = 50
_CHUNK = 500  # ids per IN (...) list, well under SQLite's bound-parameter limit


@dataclass(frozen=True)
class CaseEvidence:
    case_id: str
    customer_id: str | None
    profile: dict[str, Any]
    kyc: list[dict[str, Any]]  # KYC submissions, newest first
    account_events: list[dict[str, Any]]  # profile and address-book changes, newest first
    events: list[dict[str, Any]]  # the alerts' events, oldest first
    decisions: list[dict[str, Any]]  # decision records of those events, strongest score first
    fund_flow: dict[str, Any]
    contributions: list[dict[str, Any]] = field(default_factory=list)  # of the highest-scoring model decision
    contributions_from: dict[str, Any] | None = None  # which decision and model they come from


def _iso(value: datetime) -> str:
    return as_utc(value).isoformat().replace("+00:00", "Z")


def _chunks(ids: list[str]) -> list[list[str]]:
    return [ids[i : i + _CHUNK] for i in range(0, len(ids), _CHUNK)]


def _event(row: sa.Row[Any]) -> dict[str, Any]:
    return {
        "event_id": row.event_id,
        "type": row.type,
        "customer_id": row.customer_id,
        "occurred_at": _iso(row.occurred_at),
        "amount_usd": None if row.amount_usd is None else str(Decimal(row.amount_usd)),
        "payload": json.loads(row.payload),
    }


def _events_by_id(conn: sa.Connection, event_ids: list[str]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for chunk in _chunks(sorted(set(event_ids))):
        found.extend(_event(r) for r in conn.execute(sa.select(events).where(events.c.event_id.in_(chunk))))
    return sorted(found, key=lambda e: (e["occurred_at"], e["event_id"]))


def _customer_events(conn: sa.Connection, customer_id: str, types: tuple[str, ...], limit: int) -> list[dict[str, Any]]:
    query = (
        sa.select(events)
        .where(events.c.customer_id == customer_id, events.c.type.in_(types))
        .order_by(events.c.occurred_at.desc(), events.c.event_id.desc())
        .limit(limit)
    )
    return [_event(r) for r in conn.execute(query)]


def customer_profile(conn: sa.Connection, customer_id: str) -> dict[str, Any]:
    """Counts and totals over all the customer's stored events: when first and last seen, what they did."""
    by_type = conn.execute(
        sa.select(
            events.c.type,
            sa.func.count(),
            sa.func.min(events.c.occurred_at),
            sa.func.max(events.c.occurred_at),
            sa.func.sum(events.c.amount_usd),
        )
        .where(events.c.customer_id == customer_id)
        .group_by(events.c.type)
    ).all()
    if not by_type:
        return {"customer_id": customer_id, "events": 0}
    logins = (
        conn.execute(sa.select(events.c.payload).where(events.c.customer_id == customer_id, events.c.type == "login"))
        .scalars()
        .all()
    )  # fetched at once: row by row costs more than the parsing
    countries: Counter[str] = Counter()
    devices: set[str] = set()
    failed = 0
    for payload_json in logins:  # orjson: a customer's thousands of logins parse in a third of json's time
        payload = orjson.loads(payload_json)
        countries[str(payload.get("country", "?"))] += 1
        devices.add(str(payload.get("device_id", "")))
        failed += not payload.get("success", True)
    return {
        "customer_id": customer_id,
        "events": sum(int(n) for _, n, *_ in by_type),
        "first_seen": _iso(min(r[2] for r in by_type)),
        "last_seen": _iso(max(r[3] for r in by_type)),
        "by_type": {str(t): int(n) for t, n, *_ in sorted(by_type)},
        "usd_by_type": {str(t): str(Decimal(s)) for t, _, _, _, s in sorted(by_type) if s is not None},
        "login_countries": dict(countries.most_common()),
        "devices": len(devices - {""}),
        "failed_logins": failed,
    }


def _decisions_for(conn: sa.Connection, event_ids: list[str]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for chunk in _chunks(sorted(set(event_ids))):
        found.extend(
            json.loads(r)
            for r in conn.execute(sa.select(decisions.c.record).where(decisions.c.event_id.in_(chunk))).scalars()
        )
    return sorted(found, key=lambda d: (-float(d.get("score", 0.0)), d["event_id"]))


def fund_flow(conn: sa.Connection, money_events: list[dict[str, Any]], subjects: list[str]) -> dict[str, Any]:
    """Money events (each counted once) as the flow-graph contract, drawn the same way as a monitoring alert's."""
    unique = {
        e["event_id"]: flow_event(
            e["event_id"],
            e["type"],
            e["customer_id"],
            datetime.fromisoformat(e["occurred_at"]),
            None if e["amount_usd"] is None else Decimal(e["amount_usd"]),
            e["payload"],
        )
        for e in money_events
    }
    return events_flow(conn, subjects, sorted(unique.values(), key=lambda e: (e.occurred_at, e.event_id)))


def case_evidence(conn: sa.Connection, case_id: str) -> CaseEvidence:
    """The evidence of one case (raises NotFound for an unknown case)."""
    case = get_case(conn, case_id)
    customer = case["subject_customer"]
    subjects = sorted({customer} if customer else set()) or sorted(
        {c for a in case["alerts"] for c in a["customer_ids"]}
    )
    event_ids = [e for alert in case["alerts"] for e in alert["event_ids"]]
    case_events = _events_by_id(conn, event_ids)
    money = [e for e in case_events if e["type"] in MONEY_TYPES]
    if customer:
        money += _customer_events(conn, customer, MONEY_TYPES, FLOW_EVENTS)
    records = _decisions_for(conn, event_ids)
    scored = [d for d in records if d.get("model") and d["model"].get("top_contributions")]
    top = max(scored, key=lambda d: float(d["model"]["score"]), default=None)
    return CaseEvidence(
        case_id=case_id,
        customer_id=customer,
        profile=customer_profile(conn, customer) if customer else {},
        kyc=_customer_events(conn, customer, ("kyc_submission",), 10) if customer else [],
        account_events=_customer_events(conn, customer, ACCOUNT_TYPES, MAX_ACCOUNT_EVENTS) if customer else [],
        events=case_events[:MAX_CASE_EVENTS],
        decisions=records,
        fund_flow=fund_flow(conn, money, subjects),
        contributions=list(top["model"]["top_contributions"]) if top else [],
        contributions_from=None
        if top is None
        else {
            "event_id": top["event_id"],
            "model": top["model"]["name"],
            "version": top["model"]["version"],
            "score": top["model"]["score"],
        },
    )
