"""The customer view's time line, a page at a time: the newest `TIMELINE_PAGE` events (or those before a cursor)
with their decisions, and the cases and alerts that fall between them, in event time, newest first.

Pages are keyset pages on (occurred_at, event_id), read backwards along the `ix_events_customer_time` index, so
the cost of a page does not grow with the customer's history; the cursor of the next page is the oldest event
shown (`more`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from warden.cases.records import as_utc
from warden.cases.tables import case_alerts
from warden.decisions.tables import decisions
from warden.errors import DomainError
from warden.events.tables import events

TIMELINE_PAGE = 50
_SEP = "~"


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
class TimelinePage:
    entries: list[TimelineEntry]
    events: int  # events on this page
    more: str | None  # the cursor of the next, older page; None on the last


def cursor_of(at: datetime, event_id: str) -> str:
    return f"{as_utc(at).isoformat()}{_SEP}{event_id}"


def parse_cursor(cursor: str) -> tuple[datetime, str]:
    """(occurred_at, event_id) from a cursor; DomainError (422) when it is not one."""
    at, sep, event_id = cursor.partition(_SEP)
    try:
        when = as_utc(datetime.fromisoformat(at))
    except ValueError:
        when = None
    if not sep or not event_id or when is None:
        raise DomainError(f"before: {cursor!r} is not a time line cursor (<ISO time>{_SEP}<event id>)")
    return when, event_id


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


def _event_rows(conn: sa.Connection, customer_id: str, before: tuple[datetime, str] | None, limit: int) -> list[Any]:
    query = sa.select(events.c.event_id, events.c.type, events.c.occurred_at, events.c.amount_usd, events.c.payload)
    query = query.where(events.c.customer_id == customer_id)
    if before is not None:
        query = query.where(sa.tuple_(events.c.occurred_at, events.c.event_id) < sa.tuple_(*before))
    order = (events.c.occurred_at.desc(), events.c.event_id.desc())
    return list(conn.execute(query.order_by(*order).limit(limit + 1)))


def _decision_entries(conn: sa.Connection, event_ids: list[str]) -> list[TimelineEntry]:
    if not event_ids:
        return []
    found = []
    for record_json in conn.execute(sa.select(decisions.c.record).where(decisions.c.event_id.in_(event_ids))).scalars():
        record = json.loads(record_json)
        reasons = "; ".join(str(r) for r in record.get("reasons", [])[:3]) or "no rule fired"
        found.append(
            TimelineEntry(
                as_utc(datetime.fromisoformat(record["occurred_at"].replace("Z", "+00:00"))),
                "decision",
                f"decision: {record['outcome']} (score {float(record.get('score', 0)):.0f})",
                reasons,
                record["event_id"],
                outcome=record["outcome"],
            )
        )
    return found


def _case_entries(conn: sa.Connection, case_rows: list[dict[str, Any]]) -> list[TimelineEntry]:
    found = [
        TimelineEntry(
            case["created_at"],
            "case",
            f"case opened: {case['severity']} in {case['queue']}",
            f"now {case['state']}" + (f", {case['disposition']}" if case["disposition"] else ""),
            case_id=case["case_id"],
            amount_usd=case["amount_usd"],
        )
        for case in case_rows
    ]
    case_ids = [c["case_id"] for c in case_rows]
    if case_ids:
        for alert in conn.execute(sa.select(case_alerts).where(case_alerts.c.case_id.in_(case_ids))):
            found.append(
                TimelineEntry(
                    as_utc(alert.created_at),
                    "alert",
                    f"alert: {alert.typology.replace('_', ' ')} ({alert.source}, {alert.severity})",
                    f"score {alert.score:.2f}",
                    case_id=alert.case_id,
                    amount_usd=_money(alert.amount_usd),
                )
            )
    return found


def timeline_page(
    conn: sa.Connection,
    customer_id: str,
    case_rows: list[dict[str, Any]],
    before: tuple[datetime, str] | None = None,
    limit: int | None = None,
) -> TimelinePage:
    """One page of the time line (`limit` events, by default TIMELINE_PAGE); `case_rows` are the customer's
    cases (the view reads them anyway)."""
    limit = limit or TIMELINE_PAGE
    rows = _event_rows(conn, customer_id, before, limit)
    more = None
    if len(rows) > limit:
        rows = rows[:limit]
        more = cursor_of(rows[-1].occurred_at, rows[-1].event_id)
    entries = [
        TimelineEntry(
            as_utc(row.occurred_at),
            "event",
            row.type,
            _event_title(row.type, json.loads(row.payload)),
            row.event_id,
            amount_usd=_money(row.amount_usd),
        )
        for row in rows
    ]
    entries += _decision_entries(conn, [r.event_id for r in rows])
    # Cases and alerts between this page's oldest event (none older when it is the last page) and the cursor.
    newest = None if before is None else before[0]
    oldest = None if more is None else as_utc(rows[-1].occurred_at)
    for entry in _case_entries(conn, case_rows):
        if (newest is None or entry.at < newest) and (oldest is None or entry.at >= oldest):
            entries.append(entry)
    entries.sort(key=lambda e: (e.at, e.kind != "event"), reverse=True)
    return TimelinePage(entries, len(rows), more)
