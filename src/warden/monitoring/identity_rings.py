"""Synthetic-identity rings as monitoring alerts: one identity graph for KYC and for monitoring.

The rings come from `warden.kyc.identity` (entity resolution over every KYC submission: names with typos,
dates of birth, document numbers a digit apart, phones, e-mail variants, devices, IP ranges). A monitoring
run raises a ring when the ring exists among the submissions made before the run's end and one of its
members submitted KYC or moved money inside the run's window. The alert names every member, carries the
shared attributes and the strongest link's evidence in bits, and spans the members' activity in the window,
(sent or received), so a ring that keeps moving money is seen again (`times_seen`) rather than forgotten after onboarding.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import duckdb

from warden.kyc.identity.graph import IdentityGraph, Ring, build_graph
from warden.kyc.identity.records import IdentityRecord, load_submissions
from warden.monitoring.alerts import Alert
from warden.monitoring.customer_model import CustomerModel

TYPOLOGY = "synthetic_identity"
RINGS_KEPT = "identity_rings_kept"  # in a customer model's `trained`: whether its training kept the rings
VERSION = "identity-rings-1"
MAX_EVENT_IDS = 500  # an alert lists at most this many of the ring's money events (the sum covers all)


def _naive_utc(value: datetime) -> datetime:
    """Movement times in `mv` are naive UTC; submission times are aware."""
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def _iso(value: datetime) -> str:
    return f"{value:%Y-%m-%dT%H:%M:%SZ}"


@dataclass(frozen=True)
class KnownRings:
    """The identity graph's rings among the submissions made before a time, and each customer's submissions."""

    graph: IdentityGraph | None  # None: fewer than two submissions, nothing to link
    by_customer: dict[str, list[IdentityRecord]]

    @classmethod
    def from_events(cls, events: Path, until: datetime | None = None) -> KnownRings:
        records = [
            r
            for r in load_submissions(events).records
            if until is None or r.submitted_at is None or _naive_utc(r.submitted_at) < _naive_utc(until)
        ]
        by_customer: dict[str, list[IdentityRecord]] = {}
        for record in records:
            by_customer.setdefault(record.customer_id, []).append(record)
        return cls(build_graph(records) if len(records) >= 2 else None, by_customer)

    def alerts(
        self, con: duckdb.DuckDBPyConnection, since: datetime | None = None, until: datetime | None = None
    ) -> list[Alert]:
        """Alerts for the rings active in [since, until); the members' movements are read from `mv`."""
        if self.graph is None:
            return []
        graph = self.graph
        found = (_ring_alert(con, graph, ring, self.by_customer, since, until) for ring in graph.rings)
        return [alert for alert in found if alert is not None]


def rings_kept(model: CustomerModel | None) -> bool:
    """Whether a run raises the rings: always without a customer model; with one, when its training found
    them precise on the exchange's labels (`learnt.ring_quality`; models trained before that keep them)."""
    return model is None or bool(model.trained.get(RINGS_KEPT, True))


def ring_alerts(
    con: duckdb.DuckDBPyConnection, events: Path, since: datetime | None = None, until: datetime | None = None
) -> list[Alert]:
    """The rings known by `until` that were active in [since, until)."""
    return KnownRings.from_events(events, until).alerts(con, since, until)


def _ring_alert(
    con: duckdb.DuckDBPyConnection,
    graph: IdentityGraph,
    ring: Ring,
    by_customer: dict[str, list[IdentityRecord]],
    since: datetime | None,
    until: datetime | None,
) -> Alert | None:
    start = None if since is None else _naive_utc(since)
    end = None if until is None else _naive_utc(until)
    submissions = [
        r
        for c in ring.customers
        for r in by_customer.get(c, [])
        if r.submitted_at is not None and (start is None or _naive_utc(r.submitted_at) >= start)
    ]
    placeholders = ", ".join("?" for _ in ring.customers)
    moves = con.execute(
        f"SELECT event_id, ts, usd FROM mv WHERE (customer_id IN ({placeholders}) OR counterparty_id IN "
        f"({placeholders})) AND ts >= coalesce(?, ts) AND ts < coalesce(?, ts + INTERVAL 1 SECOND) "
        "ORDER BY ts, event_id",
        [*ring.customers, *ring.customers, start, end],
    ).fetchall()
    times = [_naive_utc(r.submitted_at) for r in submissions if r.submitted_at] + [m[1] for m in moves]
    if not times:
        return None  # the ring did nothing in this window
    amount = sum((Decimal(m[2]) for m in moves), Decimal(0))
    shared = "; ".join(ring.reasons()[:3])
    return Alert(
        typology=TYPOLOGY,
        customer_ids=ring.customers,
        event_ids=[r.event_id for r in submissions] + [m[0] for m in moves[:MAX_EVENT_IDS]],
        addresses=[],
        amount_usd=amount,
        first_at=_iso(min(times)),
        last_at=_iso(max(times)),
        explanation=(
            f"{len(ring.customers)} accounts resolve to one identity ring ({ring.score:.1f} bits of evidence, "
            f"threshold {graph.threshold_bits:.1f}): {shared}; {len(moves)} money movements in the window"
        ),
        parameters={
            "ring_id": ring.ring_id,
            "score_bits": round(ring.score, 2),
            "threshold_bits": round(graph.threshold_bits, 2),
            "shared_attributes": ring.shared,
            "graph_version": graph.version,
        },
        detector_version=f"{VERSION}/{graph.version}",
    )
