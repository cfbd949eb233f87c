"""Read events for backtests into one Polars frame: JSON Lines (optionally gzipped) or the Parquet history
(a file or a folder of `date=.../*.parquet`, whose `payload` column holds every field)."""

from __future__ import annotations

from pathlib import Path

import polars as pl


class EventsInputError(ValueError):
    """The events cannot be read; the message names the file (and line where known)."""


def read_events(path: Path) -> pl.DataFrame:
    if not path.exists():
        raise EventsInputError(f"{path}: no such file or folder")
    if path.is_dir():
        # Files still in the ingest's staging folder belong to no committed ingest.
        files = sorted(p for p in path.rglob("*.parquet") if "_staging" not in p.parts)
        if not files:
            raise EventsInputError(f"{path}: no .parquet files in this folder")
        return _from_history(pl.read_parquet(files))
    suffixes = [s.lower() for s in path.suffixes]
    if ".parquet" in suffixes:
        return _from_history(pl.read_parquet(path))
    if {".jsonl", ".ndjson", ".json"} & set(suffixes):
        return _read_jsonl(path)
    raise EventsInputError(f"{path}: unknown file type; use .jsonl or .parquet (or a folder of Parquet)")


def _read_jsonl(path: Path) -> pl.DataFrame:
    try:
        frame = pl.read_ndjson(path, infer_schema_length=None)
    except (pl.exceptions.ComputeError, pl.exceptions.PolarsError, OSError) as exc:
        raise EventsInputError(f"{path}:{_first_bad_line(path)}: {str(exc).splitlines()[0]}") from None
    return _amounts_as_text(frame)


def _first_bad_line(path: Path) -> int | str:
    """The line the JSON parser fails on, for the error message."""
    import gzip
    import json

    opener = gzip.open if path.suffix == ".gz" else open
    number = 0
    try:
        with opener(path, "rt") as handle:
            for number, line in enumerate(handle, start=1):  # noqa: B007 - the failing line is reported
                if line.strip():
                    json.loads(line)
    except (ValueError, OSError):
        return max(number, 1)
    return "?"


def _from_history(frame: pl.DataFrame) -> pl.DataFrame:
    if "payload" not in frame.columns:
        return _amounts_as_text(frame)
    payload = frame["payload"].str.json_decode(infer_schema_length=None)
    fields = payload.struct.unnest()
    extra = [c for c in fields.columns if c not in frame.columns]
    return _amounts_as_text(frame.drop("payload").hstack(fields.select(extra)))


def _amounts_as_text(frame: pl.DataFrame) -> pl.DataFrame:
    # Amounts are decimal strings in the contract; a JSON number would arrive as a float. Text keeps them exact.
    casts = [pl.col(c).cast(pl.String) for c in ("amount", "amount_usd") if c in frame.columns]
    return frame.with_columns(casts) if casts else frame


def read_event_labels(events_path: Path) -> dict[str, str] | None:
    """Event-level labels from labels.csv beside the events (event_id -> label); None when there is none."""
    folder = events_path if events_path.is_dir() else events_path.parent
    labels = folder / "labels.csv"
    if not labels.exists():
        return None
    frame = pl.read_csv(labels, infer_schema_length=0)
    missing = {"entity_type", "entity_id", "label"} - set(frame.columns)
    if missing:
        raise EventsInputError(f"{labels}:1: missing column(s) {', '.join(sorted(missing))}")
    events = frame.filter(pl.col("entity_type") == "event")
    return dict(zip(events["entity_id"].to_list(), events["label"].to_list(), strict=True))
