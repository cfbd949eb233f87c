"""Continuous re-screening: when a list changes, screen the customer base against the new version and alert
only on hits that are new (a (customer, list entry) pair the old version did not produce), minus the pairs
an analyst already cleared on the allowlist.

Customers come from `kyc_submission` events (full name, date of birth). Only customers sharing an index key
(a name part, joined parts or a phonetic code) with an added or changed entry are screened: nobody else can
gain a hit from the change.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from warden.screening.loaders.internal import AllowEntry
from warden.screening.matcher import DEFAULT_THRESHOLD, MATCHER_VERSION, NameQuery, screen_name
from warden.screening.models import ListEntry
from warden.screening.name_index import NameIndex, query_keys
from warden.screening.normalize import normalise


@dataclass(frozen=True)
class Customer:
    customer_id: str
    full_name: str
    birth_year: int | None = None


@dataclass
class RescreenAlert:
    customer_id: str
    full_name: str
    entry_id: str
    list_name: str
    score: float
    matched_alias: str
    reasons: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "customer_id": self.customer_id,
            "full_name": self.full_name,
            "entry_id": self.entry_id,
            "list": self.list_name,
            "score": self.score,
            "matched_alias": self.matched_alias,
            "reasons": self.reasons,
            "matcher_version": MATCHER_VERSION,
        }


def customers_from_events(events: Iterable[Any]) -> list[Customer]:
    """The newest KYC name of each customer, from event models or plain dicts."""
    latest: dict[str, Customer] = {}
    for event in events:
        get = event.get if isinstance(event, dict) else lambda k, e=event: getattr(e, k, None)
        if get("type") != "kyc_submission":
            continue
        dob = get("date_of_birth")
        year = int(str(dob)[:4]) if dob and str(dob)[:4].isdigit() else None
        latest[str(get("customer_id"))] = Customer(str(get("customer_id")), str(get("full_name")), year)
    return list(latest.values())


def customers_from_store(conn: sa.Connection) -> list[Customer]:
    """The customers' newest KYC names from the stored `kyc_submission` events."""
    rows = conn.execute(
        sa.text("SELECT payload FROM events WHERE type = 'kyc_submission' ORDER BY occurred_at, event_id")
    )
    return customers_from_events(json.loads(row.payload) for row in rows)


def _changed_entries(old: NameIndex, new: NameIndex) -> list[ListEntry]:
    before = {(e.list_name, e.id): e for e in old.entries}
    return [e for e in new.entries if before.get((e.list_name, e.id)) != e]


def rescreen(
    customers: Iterable[Customer],
    old: NameIndex,
    new: NameIndex,
    allowlist: Iterable[AllowEntry] = (),
    threshold: float = DEFAULT_THRESHOLD,
) -> list[RescreenAlert]:
    changed = _changed_entries(old, new)
    changed_ids = {(e.list_name, e.id) for e in changed}
    keys = {k for e in changed for a in e.aliases for k in query_keys(normalise(a.name).tokens)}
    cleared = {(a.customer_id, a.entry_id) for a in allowlist}
    alerts: list[RescreenAlert] = []
    for customer in customers:
        tokens = normalise(customer.full_name).tokens
        if not keys.intersection(query_keys(tokens)):
            continue
        query = NameQuery(customer.full_name, "person", customer.birth_year)
        before = {(h.entry.list_name, h.entry.id) for h in screen_name(old, query, threshold)}
        for hit in screen_name(new, query, threshold):
            pair = (hit.entry.list_name, hit.entry.id)
            if pair in before or pair not in changed_ids or (customer.customer_id, hit.entry.id) in cleared:
                continue
            alerts.append(
                RescreenAlert(
                    customer.customer_id,
                    customer.full_name,
                    hit.entry.id,
                    hit.entry.list_name,
                    hit.score,
                    hit.alias,
                    hit.features,
                )
            )
    return alerts
