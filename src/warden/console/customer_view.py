"""What the customer view (`/customers/{id}`) shows, read from the store: profile and KYC, one time line of the
customer's events, decisions, alerts and cases in event time, their identifiers (addresses, devices, IPs,
counterparties), the customers linked to them, the fund flow, and the holds in force.

Every read goes through an index (events by customer and time, decisions and search terms by key, cases by
subject), and each list is bounded, so a very active customer's page still loads in one view.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from warden.cases.evidence import customer_profile, fund_flow
from warden.cases.holds import holds_of
from warden.cases.records import as_utc
from warden.cases.tables import case_alerts, cases
from warden.console.flow_grouping import group_leaves
from warden.decisions.tables import decisions
from warden.events.search_terms import KINDS, LINKING_KINDS, normalise, search_terms
from warden.events.tables import events
from warden.monitoring.flow import MONEY_TYPES

TIMELINE_EVENTS = 200  # the customer's latest events on the time line (the profile counts all of them)
FLOW_EVENTS = 300
MAX_IDENTIFIERS = 200
LINKS_PER_IDENTIFIER = 20
_CHUNK = 500


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime  # event time: when it happened at the exchange (a case: when it was opened)
    kind: str  # event | decision | alert | case
    title: str
    detail: str
    event_id: str | None = None
    case_id: str | None = None
    outcome: str | None = None
    amount_usd: Decimal | None = None


@dataclass(frozen=True)
class LinkedCustomer:
    customer_id: str
    how: list[tuple[str, str]]  # (kind in words, the shared value)


@dataclass(frozen=True)
class CustomerView:
    customer_id: str
    profile: dict[str, Any]
    kyc: dict[str, Any] | None  # the latest KYC submission's payload
    timeline: list[TimelineEntry]
    identifiers: dict[str, list[str]]  # kind in words -> values
    counterparties: dict[str, list[str]]  # "sent to" / "received from" -> customer ids
    linked: list[LinkedCustomer]
    cases: list[dict[str, Any]]
    holds: list[dict[str, Any]]
    fund_flow: dict[str, Any]
    hold_decisions: int


def _chunks(ids: list[str]) -> list[list[str]]:
    return [ids[i : i + _CHUNK] for i in range(0, len(ids), _CHUNK)]


def _event_title(kind: str, payload: dict[str, Any]) -> str:
    money = f"{payload.get('amount', '')} {payload.get('asset', '')}".strip()
    if kind == "deposit":
        return f"deposit {money} via {payload.get('network', '?')}"
    if kind == "withdrawal":
        return f"withdrawal {money} to {payload.get('to_address', '?')}"
    if kind == "transfer":
        return f"transfer {money} to {payload.get('counterparty_id', '?')}"
    if kind == "trade":
        return f"{payload.get('side', 'trade')} {payload.get('amount', '')} {payload.get('base_asset', '')}"
    if kind == "login":
        ok = "login" if payload.get("success", True) else "failed login"
        return f"{ok} from {payload.get('country', '?')}, device {payload.get('device_id', '?')}"
    if kind == "address_book_change":
        return f"address book {payload.get('action', '?')} {payload.get('address', '?')}"
    if kind == "profile_change":
        return f"profile change: {payload.get('field', '?')}"
    if kind == "kyc_submission":
        return f"KYC submitted: {payload.get('document_type', '?')} of {payload.get('document_country', '?')}"
    return kind


def _money(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


def _timeline(
    conn: sa.Connection, customer_id: str, case_rows: list[dict[str, Any]]
) -> tuple[list[TimelineEntry], list[dict[str, Any]]]:
    rows = conn.execute(
        sa.select(events)
        .where(events.c.customer_id == customer_id)
        .order_by(events.c.occurred_at.desc(), events.c.event_id.desc())
        .limit(TIMELINE_EVENTS)
    ).all()
    entries: list[TimelineEntry] = []
    money: list[dict[str, Any]] = []
    for row in rows:
        payload = json.loads(row.payload)
        at = as_utc(row.occurred_at)
        entries.append(
            TimelineEntry(
                at, "event", row.type, _event_title(row.type, payload), row.event_id, None, None, _money(row.amount_usd)
            )
        )
    ids = [r.event_id for r in rows]
    for chunk in _chunks(ids):
        query = sa.select(decisions.c.record).where(decisions.c.event_id.in_(chunk))
        for record_json in conn.execute(query).scalars():
            record = json.loads(record_json)
            reasons = "; ".join(str(r) for r in record.get("reasons", [])[:3]) or "no rule fired"
            entries.append(
                TimelineEntry(
                    as_utc(datetime.fromisoformat(record["occurred_at"].replace("Z", "+00:00"))),
                    "decision",
                    f"decision: {record['outcome']} (score {float(record.get('score', 0)):.0f})",
                    reasons,
                    record["event_id"],
                    outcome=record["outcome"],
                )
            )
    for case in case_rows:
        entries.append(
            TimelineEntry(
                case["created_at"],
                "case",
                f"case opened: {case['severity']} in {case['queue']}",
                f"now {case['state']}" + (f", {case['disposition']}" if case["disposition"] else ""),
                case_id=case["case_id"],
                amount_usd=case["amount_usd"],
            )
        )
    case_ids = [c["case_id"] for c in case_rows]
    for chunk in _chunks(case_ids):
        query = sa.select(case_alerts).where(case_alerts.c.case_id.in_(chunk))
        for alert in conn.execute(query):
            entries.append(
                TimelineEntry(
                    as_utc(alert.created_at),
                    "alert",
                    f"alert: {alert.typology.replace('_', ' ')} ({alert.source}, {alert.severity})",
                    f"score {alert.score:.2f}",
                    case_id=alert.case_id,
                    amount_usd=_money(alert.amount_usd),
                )
            )
    for row in rows:
        if row.type in MONEY_TYPES:
            money.append(
                {
                    "event_id": row.event_id,
                    "type": row.type,
                    "customer_id": row.customer_id,
                    "occurred_at": as_utc(row.occurred_at).isoformat(),
                    "amount_usd": None if row.amount_usd is None else str(Decimal(row.amount_usd)),
                    "payload": json.loads(row.payload),
                }
            )
    entries.sort(key=lambda e: (e.at, e.kind != "event"), reverse=True)
    return entries, money[:FLOW_EVENTS]


def _cases(conn: sa.Connection, customer_id: str) -> list[dict[str, Any]]:
    query = sa.select(cases).where(cases.c.subject_customer == customer_id).order_by(cases.c.created_at.desc())
    found = []
    for row in conn.execute(query):
        case = dict(row._mapping)
        case["created_at"] = as_utc(row.created_at)
        case["amount_usd"] = _money(row.amount_usd)
        found.append(case)
    return found


def _identifiers(conn: sa.Connection, customer_id: str) -> list[sa.Row[Any]]:
    query = (
        sa.select(search_terms.c.term, search_terms.c.kind, search_terms.c.value)
        .where(search_terms.c.customer_id == customer_id, search_terms.c.kind != "customer")
        .order_by(search_terms.c.kind, search_terms.c.term)
        .limit(MAX_IDENTIFIERS)
    )
    return list(conn.execute(query))


def _linked(conn: sa.Connection, customer_id: str, mine: list[sa.Row[Any]]) -> list[LinkedCustomer]:
    how: dict[str, list[tuple[str, str]]] = defaultdict(list)
    shared = [(row.term, row.kind) for row in mine if row.kind in LINKING_KINDS]
    value_of = {(row.term, row.kind): row.value for row in mine}
    if shared:
        # One round trip for every identifier, each branch bounded by the index (a public IP shared by
        # thousands of customers brings LINKS_PER_IDENTIFIER of them, not all).
        branches = [
            sa.select(
                sa.select(search_terms.c.term, search_terms.c.kind, search_terms.c.customer_id)
                .where(
                    search_terms.c.term == term,
                    search_terms.c.kind == kind,
                    search_terms.c.customer_id != customer_id,
                )
                .limit(LINKS_PER_IDENTIFIER)
                .subquery()
            )
            for term, kind in shared
        ]
        for term, kind, other in conn.execute(sa.union_all(*branches)):
            how[other].append((KINDS[kind], value_of[(term, kind)]))
    # Transfers either way: sent (their counterparty terms) and received (others naming this customer).
    for row in mine:
        if row.kind == "counterparty" and row.value != customer_id:
            how[row.value].append(("sent transfers to", row.value))
    received = conn.execute(
        sa.select(search_terms.c.customer_id)
        .where(search_terms.c.term == normalise(customer_id), search_terms.c.kind == "counterparty")
        .limit(LINKS_PER_IDENTIFIER)
    ).scalars()
    for other in received:
        if other != customer_id:
            how[other].append(("received transfers from", other))
    linked = [LinkedCustomer(c, ways) for c, ways in how.items()]
    linked.sort(key=lambda link: (-len(link.how), link.customer_id))
    return linked


def customer_view(conn: sa.Connection, customer_id: str) -> CustomerView | None:
    """The page's data, or None when the store knows nothing of the customer."""
    case_rows = _cases(conn, customer_id)
    profile = customer_profile(conn, customer_id)
    if profile.get("events", 0) == 0 and not case_rows:
        return None
    kyc_row = conn.execute(
        sa.select(events.c.payload)
        .where(events.c.customer_id == customer_id, events.c.type == "kyc_submission")
        .order_by(events.c.occurred_at.desc())
        .limit(1)
    ).scalar()
    timeline, money = _timeline(conn, customer_id, case_rows)
    mine = _identifiers(conn, customer_id)
    identifiers: dict[str, list[str]] = defaultdict(list)
    counterparties: dict[str, list[str]] = defaultdict(list)
    for row in mine:
        if row.kind == "counterparty":
            counterparties["sent to"].append(row.value)
        elif row.kind != "name_part":
            identifiers[KINDS[row.kind]].append(row.value)
    linked = _linked(conn, customer_id, mine)
    counterparties["received from"] = sorted(c.customer_id for c in linked if any("received" in w for w, _ in c.how))
    return CustomerView(
        customer_id=customer_id,
        profile=profile,
        kyc=None if kyc_row is None else json.loads(kyc_row),
        timeline=timeline,
        identifiers=dict(identifiers),
        counterparties={k: v for k, v in counterparties.items() if v},
        linked=linked,
        cases=case_rows,
        holds=holds_of(conn, customer_id),
        fund_flow=group_leaves(fund_flow(conn, money, [customer_id])) if money else {"nodes": [], "edges": []},
        hold_decisions=sum(1 for e in timeline if e.kind == "decision" and e.outcome in ("hold", "block")),
    )
