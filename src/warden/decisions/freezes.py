"""Customer freezes in force (table `customer_holds`), as the decision engine reads them: a customer frozen on a
case (four eyes, see `warden.cases.holds`) has every withdrawal held until the freeze is released (again four
eyes). Not to be confused with `holds.py`, the short memory that a held withdrawal's customer stays held.

The table lives here, in the decisions stage, because the engine acts on it; the review stage writes it.
`FreezeGate` keeps the set of frozen customers in memory and re-reads it every few seconds, so the hot path
pays a set lookup; a freeze or release takes effect within `REFRESH_SECONDS` in every worker.
"""

from __future__ import annotations

import threading
import time

import sqlalchemy as sa

from warden.store.metadata import metadata

customer_holds = sa.Table(
    "customer_holds",
    metadata,
    sa.Column("hold_id", sa.String(40), primary_key=True),
    sa.Column("customer_id", sa.String(128), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False, doc="freeze"),
    sa.Column("status", sa.String(16), nullable=False, doc="active | release_pending | released"),
    sa.Column("case_id", sa.String(40), nullable=True),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("placed_by", sa.String(64), nullable=False),
    sa.Column("approved_by", sa.String(64), nullable=False),
    sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("release_requested_by", sa.String(64), nullable=True),
    sa.Column("release_reason", sa.Text, nullable=True),
    sa.Column("released_by", sa.String(64), nullable=True),
    sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
    sa.Index("ix_customer_holds_customer", "customer_id", "status"),
)

IN_FORCE = ("active", "release_pending")  # a release waiting for its second pair of eyes is not yet a release
REFRESH_SECONDS = 5.0


def frozen_customers(conn: sa.Connection) -> dict[str, str]:
    """Customers with a freeze in force, and the hold that froze them (the newest when there are several)."""
    query = (
        sa.select(customer_holds.c.customer_id, customer_holds.c.hold_id)
        .where(customer_holds.c.kind == "freeze", customer_holds.c.status.in_(IN_FORCE))
        .order_by(customer_holds.c.placed_at)
    )
    return {customer: hold for customer, hold in conn.execute(query)}


class FreezeGate:
    """Which customers are frozen, for the engine: read from the store, refreshed when older than `refresh_s`."""

    def __init__(self, engine: sa.Engine, refresh_s: float = REFRESH_SECONDS) -> None:
        self._engine = engine
        self._refresh_s = refresh_s
        self._frozen: dict[str, str] = {}
        self._read_at = float("-inf")
        self._lock = threading.Lock()

    def refresh(self) -> None:
        with self._engine.connect() as conn:
            frozen = frozen_customers(conn)
        with self._lock:
            self._frozen, self._read_at = frozen, time.monotonic()

    def frozen_by(self, customer_id: str) -> str | None:
        """The hold id freezing the customer, or None."""
        if time.monotonic() - self._read_at > self._refresh_s:
            self.refresh()
        return self._frozen.get(customer_id)
