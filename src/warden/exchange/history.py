"""The exchange's history as one Polars frame: events read once, duplicates dropped, in time order."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from warden.rules.events_io import read_events


def read_history(path: Path) -> pl.DataFrame:
    """Events of a file or folder; the same event_id twice is one event (producers re-send)."""
    frame = read_events(path).unique("event_id", keep="first", maintain_order=True)
    if frame["occurred_at"].dtype == pl.String:
        frame = frame.with_columns(pl.col("occurred_at").str.to_datetime(time_zone="UTC", time_unit="us"))
    return frame.sort("occurred_at", maintain_order=True)


def withdrawals_of(history: pl.DataFrame) -> pl.DataFrame:
    return history.filter(pl.col("type") == "withdrawal")
