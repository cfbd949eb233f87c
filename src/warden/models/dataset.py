"""Labelled withdrawals for the fraud model: events -> point-in-time features -> one row per withdrawal.

Labels come from `labels.csv` beside the events (shared/contracts/events.md). A withdrawal is positive when
it has an event-level row labelled `fraud` or `scam_victim`; the customer's row supplies the typology when
the event row has none. Everything else is negative (a customer with no row is normal).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from pydantic import ValidationError

from warden.events.ingest import describe_validation_error
from warden.events.models import EVENT_ADAPTER, AnyEvent
from warden.events.readers import FileFormatError, read_records
from warden.features.frame import events_frame
from warden.features.offline import compute_features

POSITIVE_LABELS = frozenset({"fraud", "scam_victim"})
LABEL_COLUMNS = ("entity_type", "entity_id", "label", "typology", "scenario_id")


class DatasetError(ValueError):
    """Unusable training input; the message gives file:line."""


@dataclass(frozen=True)
class Withdrawals:
    """Withdrawal rows in time order: features, amount, label, typology."""

    frame: pl.DataFrame  # event_id, customer_id, occurred_at, amount_usd (float), y, typology, features...


def load_events(path: Path) -> list[AnyEvent]:
    """Every event in the file, validated; the first bad record stops with its position."""
    events: list[AnyEvent] = []
    try:
        for raw in read_records(path):
            try:
                if raw.json_bytes is not None:
                    events.append(EVENT_ADAPTER.validate_json(raw.json_bytes))
                else:
                    assert raw.values is not None
                    if "__error__" in raw.values:
                        raise DatasetError(f"{path}:{raw.line}: {raw.values['__error__']}")
                    events.append(EVENT_ADAPTER.validate_python(raw.values))
            except ValidationError as exc:
                raise DatasetError(f"{path}:{raw.line}: {describe_validation_error(exc)}") from None
    except FileFormatError as exc:
        raise DatasetError(str(exc)) from None
    events.sort(key=lambda e: e.occurred_at)  # stable: ties keep file order, as a stream would
    return events


def labels_path_for(events_path: Path) -> Path:
    return events_path.parent / "labels.csv"


def load_labels(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        raise DatasetError(f"{path}: no labels.csv beside the events (needed to train or evaluate)")
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in ("entity_type", "entity_id", "label") if c not in (reader.fieldnames or [])]
        if missing:
            raise DatasetError(f"{path}:1: missing column(s) {', '.join(missing)}")
        rows = []
        for line, row in enumerate(reader, start=2):
            if not row.get("entity_id") or not row.get("label"):
                raise DatasetError(f"{path}:{line}: entity_id and label are required")
            rows.append({c: row.get(c) or "" for c in LABEL_COLUMNS})
    return rows


def label_frame(labels: list[dict[str, str]]) -> pl.DataFrame:
    """event_id -> (y, typology), using customer rows for the typology where the event row has none."""
    customer_typology = {r["entity_id"]: r["typology"] for r in labels if r["entity_type"] == "customer"}
    events = [r for r in labels if r["entity_type"] == "event"]
    return pl.DataFrame(
        {
            "event_id": [r["entity_id"] for r in events],
            "y": [int(r["label"] in POSITIVE_LABELS) for r in events],
            "typology": [r["typology"] or customer_typology.get(r["entity_id"], "") or r["label"] for r in events],
        },
        schema={"event_id": pl.String, "y": pl.Int8, "typology": pl.String},
    )


def build_withdrawals(events: list[AnyEvent], labels: list[dict[str, str]]) -> Withdrawals:
    frame = events_frame(events)
    features = compute_features(frame)
    base = frame.select("event_id", "customer_id", "occurred_at", pl.col("amount_usd").cast(pl.Float64), "type")
    rows = (
        base.join(features, on="event_id", how="left")
        .filter(pl.col("type") == "withdrawal")
        .drop("type")
        .join(label_frame(labels), on="event_id", how="left")
        .with_columns(pl.col("y").fill_null(0), pl.col("typology").fill_null("normal"))
        .with_columns(pl.when(pl.col("y") == 0).then(pl.lit("normal")).otherwise(pl.col("typology")).alias("typology"))
        .sort("occurred_at", maintain_order=True)
    )
    return Withdrawals(rows)


def load_withdrawals(events_path: Path, labels_path: Path | None = None) -> Withdrawals:
    events = load_events(events_path)
    labels = load_labels(labels_path or labels_path_for(events_path))
    return build_withdrawals(events, labels)


def load_many(events_paths: list[Path], labels_path: Path | None = None) -> Withdrawals:
    """Several labelled data sets (e.g. simulator seeds) as one: features are computed within each set,
    so no set's history leaks into another's, then rows are merged in time order."""
    if labels_path is not None and len(events_paths) != 1:
        raise DatasetError("--labels names one labels file; with several event files keep labels.csv beside each")
    frames = [load_withdrawals(path, labels_path).frame for path in events_paths]
    return Withdrawals(pl.concat(frames).sort("occurred_at", maintain_order=True))
