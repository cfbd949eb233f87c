"""Events as a Polars frame with the columns the offline features read (one row per event)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import polars as pl

# Columns the offline feature code reads; missing ones are treated as all-null.
FRAME_COLUMNS: dict[str, Any] = {
    "event_id": pl.String,
    "type": pl.String,
    "occurred_at": pl.Datetime("us", "UTC"),
    "customer_id": pl.String,
    "amount_usd": pl.String,
    "device_id": pl.String,
    "ip": pl.String,
    "country": pl.String,
    "success": pl.Boolean,
    "to_address": pl.String,
    "counterparty_id": pl.String,
    "field": pl.String,
    "action": pl.String,
    "address": pl.String,
}


def events_frame(events: Iterable[Any]) -> pl.DataFrame:
    """Build the frame from validated event models; amounts stay exact decimal strings."""
    rows: dict[str, list[Any]] = {name: [] for name in FRAME_COLUMNS}
    for event in events:
        for name in FRAME_COLUMNS:
            value = getattr(event, name, None)
            if name == "amount_usd" and value is not None:
                value = format(value, "f")
            elif name == "address" and event.type != "address_book_change":
                value = None  # kyc_submission has a postal `address`; only the address book's counts
            rows[name].append(value)
    return pl.DataFrame(rows, schema=FRAME_COLUMNS)
