"""Related cases: the cases of customers linked to this case's customer, and how they are linked."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import sqlalchemy as sa

from warden.cases.links import customer_identifiers, links_between
from warden.cases.records import as_utc
from warden.cases.repository import load_case_row
from warden.cases.tables import cases

MAX_RELATED = 50


@dataclass(frozen=True)
class RelatedCase:
    """A case of a linked customer. `links` lists each link: kind (transfer, device, address, ip) and the
    shared value (the device id, IP or address; for transfers the counterparty)."""

    case_id: str
    customer_id: str
    state: str
    severity: str
    disposition: str | None
    created_at: str
    links: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


_STRENGTH = {"transfer": 0, "address": 1, "device": 2, "ip": 3}  # money links first, a shared IP last


def related_cases(conn: sa.Connection, case_id: str) -> list[RelatedCase]:
    """Cases (open or closed) of other customers linked to this case's customer by a shared device, IP or
    withdrawal address, or an internal transfer; strongest link first, then newest."""
    case = load_case_row(conn, case_id)
    subject = case.subject_customer
    if subject is None:
        return []
    rows = conn.execute(sa.select(cases).where(cases.c.subject_customer.is_not(None))).all()
    customers = {r.subject_customer for r in rows} | {subject}
    links = links_between(customer_identifiers(conn, customers)).get(subject, [])
    by_customer: dict[str, list[dict[str, str]]] = {}
    for link in links:
        by_customer.setdefault(link.customer_id, []).append({"kind": link.kind, "value": link.value})
    found = [
        RelatedCase(
            case_id=r.case_id,
            customer_id=r.subject_customer,
            state=r.state,
            severity=r.severity,
            disposition=r.disposition,
            created_at=as_utc(r.created_at).isoformat(),
            links=by_customer[r.subject_customer],
        )
        for r in rows
        if r.subject_customer in by_customer and r.case_id != case_id
    ]
    found.sort(key=lambda c: c.created_at, reverse=True)
    found.sort(key=lambda c: min(_STRENGTH[x["kind"]] for x in c.links))
    return found[:MAX_RELATED]
