"""The header's one search box: what a query finds, read by index only (so it answers in milliseconds on a store
of millions of events).

A query is looked up as a case id and as an event id (primary keys), and as a search term (customer id, name,
e-mail, phone, document number, address, transaction hash, device, IP: `warden.events.search_terms`): exact
matches first, then terms that start with it (three characters or more).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from warden.cases.tables import cases
from warden.events.search_terms import KINDS, normalise, normalise_phone, search_terms
from warden.events.tables import events

MAX_HITS = 50
MIN_PREFIX = 3
_TOP = chr(0x10FFFF)  # sorts after every character, bytewise in UTF-8 too


@dataclass(frozen=True)
class Hit:
    customer_id: str
    kind: str  # a search_terms kind
    value: str  # the identifier as stored
    event_id: str  # where it was first seen
    exact: bool

    @property
    def what(self) -> str:
        return KINDS.get(self.kind, self.kind)


@dataclass(frozen=True)
class SearchResult:
    query: str
    case: dict[str, Any] | None
    event: dict[str, Any] | None
    hits: list[Hit]

    @property
    def empty(self) -> bool:
        return self.case is None and self.event is None and not self.hits

    def only_customer(self) -> str | None:
        """The customer the query names beyond doubt (its exact id), for a direct jump."""
        exact = {h.customer_id for h in self.hits if h.exact and h.kind == "customer"}
        return next(iter(exact)) if len(exact) == 1 and self.case is None and self.event is None else None


def _terms(conn: sa.Connection, wanted: list[str], prefix: str | None) -> list[Hit]:
    columns = (search_terms.c.customer_id, search_terms.c.kind, search_terms.c.value, search_terms.c.event_id)
    hits: list[Hit] = []
    seen: set[tuple[str, str, str]] = set()
    exact = sa.select(*columns, search_terms.c.term).where(search_terms.c.term.in_(wanted)).limit(MAX_HITS)
    for row in conn.execute(exact):
        seen.add((row.customer_id, row.kind, row.term))
        hits.append(Hit(row.customer_id, row.kind, row.value, row.event_id, True))
    if prefix is not None and len(hits) < MAX_HITS:
        starts = (
            sa.select(*columns, search_terms.c.term)
            .where(search_terms.c.term >= prefix, search_terms.c.term < prefix + _TOP)
            .order_by(search_terms.c.term)
            .limit(MAX_HITS + len(hits))
        )
        for row in conn.execute(starts):
            if (row.customer_id, row.kind, row.term) not in seen and row.term.startswith(prefix):
                hits.append(Hit(row.customer_id, row.kind, row.value, row.event_id, False))
    order = list(KINDS)
    hits.sort(key=lambda h: (not h.exact, order.index(h.kind) if h.kind in order else 99, h.customer_id))
    return hits[:MAX_HITS]


def search(conn: sa.Connection, query: str) -> SearchResult:
    text = query.strip()
    if not text:
        return SearchResult(query, None, None, [])
    case_row = conn.execute(
        sa.select(cases.c.case_id, cases.c.subject_customer, cases.c.state, cases.c.severity).where(
            cases.c.case_id == text
        )
    ).first()
    event_row = conn.execute(
        sa.select(events.c.event_id, events.c.type, events.c.customer_id, events.c.occurred_at).where(
            events.c.event_id == text
        )
    ).first()
    term = normalise(text)
    wanted = sorted({term, normalise_phone(text)} - {""})
    hits = _terms(conn, wanted, term if len(term) >= MIN_PREFIX else None)
    return SearchResult(
        query=text,
        case=None if case_row is None else dict(case_row._mapping),
        event=None if event_row is None else dict(event_row._mapping),
        hits=hits,
    )
