"""`known_addresses` for backtests: the destinations a customer withdrew to or added to the address book
strictly before each event (point in time), for the address-poisoning rules.

The shared feature catalogue has no list features yet, so the offline features do not provide it; this fills
the column when a frame lacks it. One pass in time order; events at the same instant do not see each other.
"""

from __future__ import annotations

from datetime import datetime

import polars as pl

MAX_KNOWN = 50  # the most recent distinct destinations per customer; enough for look-alike checks


def add_known_addresses(frame: pl.DataFrame) -> pl.DataFrame:
    needed = {"customer_id", "occurred_at", "type"}
    if "known_addresses" in frame.columns or not needed <= set(frame.columns):
        return frame
    cols = [
        frame[c].to_list() if c in frame.columns else [None] * frame.height for c in ("to_address", "address", "action")
    ]
    times = [_key(v) for v in frame["occurred_at"].to_list()]
    customers, types = frame["customer_id"].to_list(), frame["type"].to_list()
    order = sorted(range(frame.height), key=lambda i: (customers[i], times[i]))
    known: dict[str, list[str]] = {}
    out: list[list[str]] = [[] for _ in range(frame.height)]
    pending: list[tuple[str, str]] = []  # destinations of the current instant, added once it has passed
    last: tuple[object, object] | None = None
    for i in order:
        instant = (customers[i], times[i])
        if instant != last:
            for customer, address in pending:
                _remember(known.setdefault(customer, []), address)
            pending, last = [], instant
        out[i] = list(known.get(customers[i], ()))
        destination = _destination(types[i], cols[0][i], cols[1][i], cols[2][i])
        if destination:
            pending.append((customers[i], destination))
    return frame.with_columns(pl.Series("known_addresses", out, dtype=pl.List(pl.String)))


def _destination(kind: str, to_address: str | None, address: str | None, action: str | None) -> str | None:
    if kind == "withdrawal":
        return to_address
    if kind == "address_book_change" and action == "add":
        return address
    return None


def _remember(addresses: list[str], address: str) -> None:
    if address in addresses:
        addresses.remove(address)
    addresses.append(address)
    if len(addresses) > MAX_KNOWN:
        del addresses[0]


def _key(value: object) -> str:
    # ISO strings in UTC sort as time; datetimes are made comparable the same way.
    return value.isoformat() if isinstance(value, datetime) else str(value)
