"""Event history as Parquet, partitioned by day (`events/date=YYYY-MM-DD/*.parquet`), for DuckDB analytics.

Files are written to a staging folder first and moved into place only when the ingest that wrote them
commits, so a failed ingest leaves no history behind.
"""

from __future__ import annotations

import shutil
import uuid
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

# Common fields get their own column for fast scans; everything is also in `payload` (JSON).
HISTORY_SCHEMA = pa.schema(
    [
        ("event_id", pa.string()),
        ("type", pa.string()),
        ("customer_id", pa.string()),
        ("occurred_at", pa.timestamp("us", tz="UTC")),
        ("asset", pa.string()),
        ("network", pa.string()),
        ("amount", pa.string()),  # decimal strings: exact; CAST(... AS DECIMAL(38, 18)) in DuckDB
        ("amount_usd", pa.string()),
        ("to_address", pa.string()),
        ("from_address", pa.string()),
        ("counterparty_id", pa.string()),
        ("device_id", pa.string()),
        ("ip", pa.string()),
        ("country", pa.string()),
        ("payload", pa.string()),
    ]
)
_COLUMNS = HISTORY_SCHEMA.names


class HistoryRows:
    """Rows for the history grouped by UTC day, as tuples in HISTORY_SCHEMA order."""

    def __init__(self) -> None:
        self.by_day: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        self._day_of: dict[tuple[int, int, int], str] = {}

    def append(self, occurred: datetime, row: tuple[Any, ...]) -> None:
        key = (occurred.year, occurred.month, occurred.day)
        day = self._day_of.get(key)
        if day is None:
            day = self._day_of[key] = f"{key[0]:04d}-{key[1]:02d}-{key[2]:02d}"
        self.by_day[day].append(row)


class HistoryWriter:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.run_tag = uuid.uuid4().hex[:12]
        self.staging = root / "_staging" / self.run_tag
        self._parts = 0
        self._written: list[Path] = []

    def add(self, rows: HistoryRows) -> None:
        """Write one batch, a file per day it touches."""
        for day, day_rows in rows.by_day.items():
            columns = list(zip(*day_rows, strict=True))
            table = pa.table(dict(zip(_COLUMNS, columns, strict=True)), schema=HISTORY_SCHEMA)
            folder = self.staging / f"date={day}"
            folder.mkdir(parents=True, exist_ok=True)
            self._parts += 1
            target = folder / f"part-{self.run_tag}-{self._parts:05d}.parquet"
            pq.write_table(table, target, compression="zstd")
            self._written.append(target)

    def publish(self) -> list[Path]:
        """Move the staged files into the history; returns their final paths."""
        final: list[Path] = []
        for staged in self._written:
            target = self.root / staged.parent.name / staged.name
            target.parent.mkdir(parents=True, exist_ok=True)
            staged.replace(target)
            final.append(target)
        self._cleanup()
        return final

    def discard(self) -> None:
        self._cleanup()

    def _cleanup(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)
        self._written = []


def unpublish(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def history_glob(root: Path) -> str:
    """The glob DuckDB reads: `read_parquet(glob, hive_partitioning = true)`."""
    return str(root / "date=*" / "*.parquet")
