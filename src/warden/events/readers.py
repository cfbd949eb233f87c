"""Readers for event files: JSON Lines, CSV and Parquet (JSON Lines and CSV may be gzipped).

A reader yields `RawRecord`s with their line (or row) number and streams in bounded memory. A file that is not
what its name claims raises `FileFormatError`, which makes the ingest store nothing from that file.
"""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

ENVELOPE = ("event_id", "type", "occurred_at", "customer_id")


class FileFormatError(ValueError):
    """The file as a whole is unreadable (corrupt, truncated, binary, wrong columns)."""


@dataclass(frozen=True, slots=True)
class RawRecord:
    line: int
    json_bytes: bytes | None = None  # JSON Lines: validated straight from the bytes
    values: dict[str, Any] | None = None  # CSV and Parquet: a mapping


def detect_format(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    last = suffixes[-1] if suffixes else ""
    if last in {".jsonl", ".ndjson", ".json"}:
        return "jsonl"
    if last == ".csv":
        return "csv"
    if last in {".parquet", ".pq"}:
        return "parquet"
    raise FileFormatError(
        f"{path}: unknown file type {''.join(path.suffixes) or '(none)'}; use .jsonl, .csv or .parquet"
    )


def _open_binary(path: Path) -> io.BufferedReader | gzip.GzipFile:
    if path.suffix.lower() == ".gz":
        return gzip.GzipFile(path, "rb")
    return open(path, "rb")


def read_records(path: Path) -> Iterator[RawRecord]:
    fmt = detect_format(path)
    try:
        if fmt == "jsonl":
            yield from _read_jsonl(path)
        elif fmt == "csv":
            yield from _read_csv(path)
        else:
            yield from _read_parquet(path)
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise FileFormatError(f"{path}: compressed data is corrupt or truncated ({exc})") from None
    except OSError as exc:
        raise FileFormatError(f"{path}: cannot read ({exc})") from None


def _check_text(path: Path, line_no: int, raw: bytes) -> None:
    if b"\x00" in raw:
        raise FileFormatError(f"{path}:{line_no}: binary data (NUL bytes); this is not a text file")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        raise FileFormatError(f"{path}:{line_no}: not UTF-8 text; this is not a JSON Lines file") from None


def _read_jsonl(path: Path) -> Iterator[RawRecord]:
    with _open_binary(path) as handle:
        for line_no, raw in enumerate(handle, start=1):
            stripped = raw.strip()
            if not stripped:
                continue
            if not stripped.isascii() or b"\x00" in stripped:
                _check_text(path, line_no, stripped)
            yield RawRecord(line=line_no, json_bytes=stripped)


def _read_csv(path: Path) -> Iterator[RawRecord]:
    with _open_binary(path) as binary:
        head = binary.peek(4096)[:4096]
        _check_text(path, 1, head.rsplit(b"\n", 1)[0] if b"\n" in head else head)
        text = io.TextIOWrapper(binary, encoding="utf-8", newline="")
        reader = csv.reader(text)
        try:
            header = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError:
            raise FileFormatError(f"{path}:1: not UTF-8 text; this is not a CSV file") from None
        missing = [column for column in ENVELOPE if column not in header]
        if missing:
            raise FileFormatError(f"{path}:1: header lacks the envelope columns {', '.join(missing)}")
        width = len(header)
        try:
            for row in reader:
                line_no = reader.line_num
                if not row:
                    continue
                if len(row) != width:
                    yield RawRecord(line=line_no, values={"__error__": f"{len(row)} fields, header has {width}"})
                    continue
                if "\x00" in "".join(row):
                    raise FileFormatError(f"{path}:{line_no}: binary data (NUL bytes); this is not a CSV file")
                # An empty cell is an absent optional field.
                yield RawRecord(line=line_no, values={k: v for k, v in zip(header, row, strict=True) if v != ""})
        except UnicodeDecodeError:
            raise FileFormatError(f"{path}:{reader.line_num + 1}: not UTF-8 text; this is not a CSV file") from None
        except csv.Error as exc:
            raise FileFormatError(f"{path}:{reader.line_num}: malformed CSV ({exc})") from None


def _read_parquet(path: Path) -> Iterator[RawRecord]:
    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowInvalid, pa.ArrowException, OSError) as exc:
        raise FileFormatError(f"{path}: not a readable Parquet file ({exc})") from None
    names = parquet.schema_arrow.names
    missing = [column for column in ENVELOPE if column not in names]
    if missing:
        raise FileFormatError(f"{path}: Parquet schema lacks the envelope columns {', '.join(missing)}")
    row = 0
    try:
        for batch in parquet.iter_batches(batch_size=20_000):
            for values in batch.to_pylist():
                row += 1
                yield RawRecord(line=row, values={k: v for k, v in values.items() if v is not None})
    except (pa.ArrowInvalid, pa.ArrowException, OSError) as exc:
        raise FileFormatError(f"{path}: Parquet data is corrupt after row {row} ({exc})") from None
