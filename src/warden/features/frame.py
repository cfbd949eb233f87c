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
    "memo": pl.String,
    "from_address": pl.String,
}


def events_frame(events: Iterable[Any]) -> pl.DataFrame:
    """Build the frame from validated event models; amounts stay exact decimal strings."""
    names = tuple(FRAME_COLUMNS)
    columns: list[list[Any]] = [[] for _ in names]
    address_at = names.index("address")
    amount_at = names.index("amount_usd")
    for event in events:
        # a model's declared fields live in __dict__; probing absent ones with getattr is slow on pydantic
        fields = event.__dict__
        get = fields.get
        for i, name in enumerate(names):
            columns[i].append(get(name))
        if fields["type"] != "address_book_change":
            columns[address_at][-1] = None  # kyc_submission's postal `address` is not an address-book entry
        amount = columns[amount_at][-1]
        if amount is not None:
            columns[amount_at][-1] = format(amount, "f")
    return pl.DataFrame(dict(zip(names, columns, strict=True)), schema=FRAME_COLUMNS)
