"""What the customer view (`/customers/{id}`) shows, read from the store: profile and KYC, the time line of the
customer's events, decisions, alerts and cases in event time a page at a time (`customer_timeline.py`), their identifiers (addresses, devices, IPs,
counterparties), the customers linked to them, the fund flow, and the holds in force.

Every read goes through an index (events by customer and time, decisions and search terms by key, cases by
subject), and each list is bounded, so a very active customer's page still loads in one view.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from warden.cases.evidence import customer_profile, fund_flow
from warden.cases.holds import holds_of
from warden.cases.records import as_utc
from warden.cases.tables import cases
from warden.console.customer_timeline import TimelineEntry, TimelinePage, parse_cursor, timeline_page
from warden.console.flow_grouping import group_leaves
from warden.events.search_terms import KINDS, LINKING_KINDS, normalise, search_terms
from warden.events.tables import events
from warden.monitoring.flow import MONEY_TYPES

FLOW_EVENTS = 300
MAX_IDENTIFIERS = 200
LINKS_PER_IDENTIFIER = 20


@dataclass(frozen=True)
class LinkedCustomer:
    customer_id: str
    how: list[tuple[str, str]]  # (kind in words, the shared value)


@dataclass(frozen=True)
class CustomerView:
    customer_id: str
    profile: dict[str, Any]
    kyc: dict[str, Any] | None  # the latest KYC submission's payload
    timeline: list[TimelineEntry]  # one page: the newest events, or those before the cursor asked for
    timeline_more: str | None  # the cursor of the next, older page
    timeline_before: str | None  # the cursor this page starts at (None: the newest)
    identifiers: dict[str, list[str]]  # kind in words -> values
    counterparties: dict[str, list[str]]  # "sent to" / "received from" -> customer ids
    linked: list[LinkedCustomer]
    cases: list[dict[str, Any]]
    holds: list[dict[str, Any]]
    fund_flow: dict[str, Any]
    hold_decisions: int


def _money_events(conn: sa.Connection, customer_id: str) -> list[dict[str, Any]]:
    """The customer's latest money events, for the fund-flow graph."""
    query = (
        sa.select(events.c.event_id, events.c.type, events.c.occurred_at, events.c.amount_usd, events.c.payload)
        .where(events.c.customer_id == customer_id, events.c.type.in_(MONEY_TYPES))
        .order_by(events.c.occurred_at.desc(), events.c.event_id.desc())
        .limit(FLOW_EVENTS)
    )
    return [
        {
            "event_id": row.event_id,
            "type": row.type,
            "customer_id": customer_id,
            "occurred_at": as_utc(row.occurred_at).isoformat(),
            "amount_usd": None if row.amount_usd is None else str(Decimal(row.amount_usd)),
            "payload": json.loads(row.payload),
        }
        for row in conn.execute(query)
    ]


def _cases(conn: sa.Connection, customer_id: str) -> list[dict[str, Any]]:
    query = sa.select(cases).where(cases.c.subject_customer == customer_id).order_by(cases.c.created_at.desc())
    found = []
    for row in conn.execute(query):
        case = dict(row._mapping)
        case["created_at"] = as_utc(row.created_at)
        case["amount_usd"] = None if row.amount_usd is None else Decimal(row.amount_usd)
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


def _links_sql(branches: int) -> sa.TextClause:
    """One round trip for every identifier, each branch bounded by the primary key (a public IP shared by
    thousands of customers brings LINKS_PER_IDENTIFIER of them, not all). Text, not Core: building a union of
    a dozen Core selects cost more than running it."""
    one = (
        "SELECT * FROM (SELECT term, kind, customer_id FROM search_terms WHERE term = :t{i} AND kind = :k{i} "
        f"AND customer_id <> :me LIMIT {LINKS_PER_IDENTIFIER}) AS b{{i}}"
    )
    return sa.text(" UNION ALL ".join(one.format(i=i) for i in range(branches)))


def _linked(conn: sa.Connection, customer_id: str, mine: list[sa.Row[Any]]) -> list[LinkedCustomer]:
    how: dict[str, list[tuple[str, str]]] = defaultdict(list)
    value_of = {(row.term, row.kind): row.value for row in mine}
    # Shared identifiers, and transfers received: others whose counterparty is this customer.
    wanted = [(row.term, row.kind) for row in mine if row.kind in LINKING_KINDS]
    wanted.append((normalise(customer_id), "counterparty"))
    params = {"me": customer_id} | {f"t{i}": t for i, (t, _) in enumerate(wanted)}
    params |= {f"k{i}": k for i, (_, k) in enumerate(wanted)}
    received = []
    for term, kind, other in conn.execute(_links_sql(len(wanted)), params):
        if kind == "counterparty":
            received.append(other)
        else:
            how[other].append((KINDS[kind], value_of[(term, kind)]))
    for row in mine:  # transfers sent: their counterparty terms
        if row.kind == "counterparty" and row.value != customer_id:
            how[row.value].append(("sent transfers to", row.value))
    for other in received:
        how[other].append(("received transfers from", other))
    linked = [LinkedCustomer(c, ways) for c, ways in how.items()]
    linked.sort(key=lambda link: (-len(link.how), link.customer_id))
    return linked


def customer_view(conn: sa.Connection, customer_id: str, before: str | None = None) -> CustomerView | None:
    """The page's data, or None when the store knows nothing of the customer; the time line starts at
    `before` (a cursor from a previous page) when given."""
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
    page = timeline_page(conn, customer_id, case_rows, None if before is None else parse_cursor(before))
    money = _money_events(conn, customer_id)
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
        timeline=page.entries,
        timeline_more=page.more,
        timeline_before=before,
        identifiers=dict(identifiers),
        counterparties={k: v for k, v in counterparties.items() if v},
        linked=linked,
        cases=case_rows,
        holds=holds_of(conn, customer_id),
        fund_flow=group_leaves(fund_flow(conn, money, [customer_id])) if money else {"nodes": [], "edges": []},
        hold_decisions=sum(1 for e in page.entries if e.kind == "decision" and e.outcome in ("hold", "block")),
    )


def more_timeline(conn: sa.Connection, customer_id: str, before: str) -> TimelinePage:
    """The time line's page before the cursor `before` (the view's "older events")."""
    return timeline_page(conn, customer_id, _cases(conn, customer_id), parse_cursor(before))
