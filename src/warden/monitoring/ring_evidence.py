"""The money events behind each ring the customer model raises in a window: what its alert lists.

A ring's evidence is every movement in [t0, t1) that one of its members made or received (`mv` rows whose
customer or counterparty is a member): event ids in time order, first and last time, the USD that came in
(everything but withdrawals) and the external addresses. `ring_evidence` gathers it for all of a window's
rings in one scan of `mv`; `ring_evidence_one` is the plain per-ring query it is tested against. One query
per ring scanned all movements once per alert: the bench's 10 M movements and 9,000 alerts had not finished
in 17 minutes. The window's rows are numbered once (MATERIALIZED): an unordered row number computed twice
need not agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import duckdb


@dataclass(frozen=True)
class RingEvidence:
    event_ids: list[str]
    first_at: datetime | None
    last_at: datetime | None
    amount_in_usd: Decimal
    addresses: list[str]


NONE = RingEvidence([], None, None, Decimal(0), [])


def ring_evidence_one(con: duckdb.DuckDBPyConnection, members: list[str], t0: datetime, t1: datetime) -> RingEvidence:
    found = con.execute(
        "SELECT list(event_id ORDER BY ts, event_id), min(ts), max(ts), "
        "coalesce(sum(usd) FILTER (type <> 'withdrawal'), 0), "
        "list(DISTINCT address ORDER BY address) FILTER (address IS NOT NULL) FROM mv "
        "WHERE ts >= ? AND ts < ? AND (customer_id IN (SELECT unnest(?)) OR counterparty_id IN (SELECT unnest(?)))",
        [t0, t1, members, members],
    ).fetchall()[0]
    return _evidence(found)


def ring_evidence(
    con: duckdb.DuckDBPyConnection, rings: list[list[str]], t0: datetime, t1: datetime
) -> list[RingEvidence]:
    """Per ring (in order), its evidence; one pass over the window's movements for all of them."""
    if not rings:
        return []
    ring_ids = [i for i, ring in enumerate(rings) for _ in ring]
    members = [c for ring in rings for c in ring]
    rows = con.execute(
        """
        WITH m AS (SELECT unnest(?) AS ring, unnest(?) AS c),
        w AS MATERIALIZED (SELECT row_number() OVER () AS rid, * FROM mv WHERE ts >= ? AND ts < ?),
        hit AS (
          SELECT m.ring, w.rid FROM w JOIN m ON w.customer_id = m.c
          UNION SELECT m.ring, w.rid FROM w JOIN m ON w.counterparty_id = m.c
        )
        SELECT h.ring, list(w.event_id ORDER BY w.ts, w.event_id), min(w.ts), max(w.ts),
               coalesce(sum(w.usd) FILTER (w.type <> 'withdrawal'), 0),
               list(DISTINCT w.address ORDER BY w.address) FILTER (w.address IS NOT NULL)
        FROM hit h JOIN w ON w.rid = h.rid GROUP BY h.ring
        """,
        [ring_ids, members, t0, t1],
    ).fetchall()
    by_ring = {int(r[0]): _evidence(r[1:]) for r in rows}
    return [by_ring.get(i, NONE) for i in range(len(rings))]


def _evidence(row: tuple) -> RingEvidence:
    return RingEvidence(list(row[0] or []), row[1], row[2], Decimal(row[3] or 0), list(row[4] or []))
