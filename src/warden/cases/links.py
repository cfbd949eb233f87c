"""Links between customers, read from their events: a shared device or IP, a shared withdrawal destination, an
internal transfer between them. Related cases and the triage model's network features both use these.

Only customers who are the subject of a case are compared (the question is always "which other cases are
linked to this one"), so the scan is bounded by the case load, not by the whole customer base.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from warden.cases.records import as_utc
from warden.events.tables import events

LINK_KINDS = ("transfer", "device", "address", "ip")
_CHUNK = 500


@dataclass
class Identifiers:
    """What a customer's events say about who they are and whom they pay."""

    devices: set[str] = field(default_factory=set)
    ips: set[str] = field(default_factory=set)
    addresses: set[str] = field(default_factory=set)  # withdrawal destinations
    counterparties: set[str] = field(default_factory=set)  # internal transfers, either direction

    def by_kind(self) -> dict[str, set[str]]:
        return {"device": self.devices, "ip": self.ips, "address": self.addresses}


@dataclass(frozen=True)
class Link:
    customer_id: str
    kind: str  # one of LINK_KINDS
    value: str  # the shared device id, IP, address, or the transfer counterparty


def customer_identifiers(
    conn: sa.Connection, customer_ids: Iterable[str], until: datetime | None = None
) -> dict[str, Identifiers]:
    """Devices, IPs, withdrawal destinations and transfer counterparties per customer (events before `until`)."""
    wanted = sorted(set(customer_ids))
    found: dict[str, Identifiers] = {c: Identifiers() for c in wanted}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        query = sa.select(events.c.customer_id, events.c.type, events.c.payload).where(
            events.c.customer_id.in_(chunk), events.c.type.in_(["login", "withdrawal", "transfer", "kyc_submission"])
        )
        if until is not None:
            query = query.where(events.c.occurred_at < as_utc(until))
        for customer, kind, payload_json in conn.execute(query):
            payload = json.loads(payload_json)
            ids = found[customer]
            if payload.get("device_id"):
                ids.devices.add(payload["device_id"])
            if payload.get("ip"):
                ids.ips.add(payload["ip"])
            if kind == "withdrawal" and payload.get("to_address"):
                ids.addresses.add(payload["to_address"])
            if kind == "transfer" and payload.get("counterparty_id"):
                ids.counterparties.add(payload["counterparty_id"])
    # A transfer links both ends, whichever of the two sent it.
    for customer, ids in found.items():
        for other in ids.counterparties:
            if other in found:
                found[other].counterparties.add(customer)
    return found


def links_between(identifiers: dict[str, Identifiers]) -> dict[str, list[Link]]:
    """For every customer, the other customers (of those given) it is linked to, and how."""
    owners: dict[tuple[str, str], set[str]] = defaultdict(set)
    for customer, ids in identifiers.items():
        for kind, values in ids.by_kind().items():
            for value in values:
                owners[(kind, value)].add(customer)
    links: dict[str, list[Link]] = {c: [] for c in identifiers}
    for customer, ids in identifiers.items():
        seen: set[tuple[str, str]] = set()
        for other in sorted(ids.counterparties):
            if other != customer and other in identifiers:
                links[customer].append(Link(other, "transfer", other))
                seen.add((other, "transfer"))
        for kind, values in ids.by_kind().items():
            for value in sorted(values):
                for other in sorted(owners[(kind, value)] - {customer}):
                    if (other, kind) not in seen:
                        seen.add((other, kind))
                        links[customer].append(Link(other, kind, value))
    return links
