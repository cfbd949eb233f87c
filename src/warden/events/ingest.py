"""Ingest: validate records against the contract, store the new ones, reject the rest with positions.

Each file is one transaction: its valid records are stored together with their Parquet history and an audit
record, or, when the file as a whole is unreadable, nothing from it is. Re-ingesting an `event_id` stores
nothing new (idempotent).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import orjson
import sqlalchemy as sa
from pydantic import ValidationError

from warden.audit.log import append_audit
from warden.events.digest import same_event
from warden.events.models import EVENT_ADAPTER, EVENT_TYPES, AnyEvent
from warden.events.readers import FileFormatError, RawRecord, read_records
from warden.events.repository import insert_events, stored_payloads
from warden.events.tables import ingest_runs
from warden.store.db import Store
from warden.store.history import HistoryRows, HistoryWriter, unpublish

BATCH_SIZE = 20_000
ProgressCallback = Callable[[int], None]


@dataclass
class FileResult:
    path: str
    status: str = "ok"  # ok | failed
    read: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    error: str | None = None


@dataclass
class IngestSummary:
    files: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0
    rejects_path: str | None = None

    def total(self, name: str) -> int:
        return sum(int(getattr(f, name)) for f in self.files)

    @property
    def ok(self) -> bool:
        return all(f.status == "ok" and f.rejected == 0 for f in self.files)

    def as_dict(self) -> dict[str, Any]:
        read = self.total("read")
        return {
            "ok": self.ok,
            "read": read,
            "stored": self.total("stored"),
            "duplicates": self.total("duplicates"),
            "rejected": self.total("rejected"),
            "failed_files": sum(1 for f in self.files if f.status == "failed"),
            "seconds": round(self.seconds, 3),
            "events_per_second": round(read / self.seconds, 1) if self.seconds else None,
            "rejects_path": self.rejects_path,
            "files": [asdict(f) for f in self.files],
        }


@dataclass(frozen=True, slots=True)
class Rejection:
    position: str
    reason: str
    record: str


def error_path(loc: tuple[int | str, ...]) -> list[str]:
    """A validation error's field path, without the event type the union is discriminated by."""
    path = [str(p) for p in loc]
    return path[1:] if path and path[0] in EVENT_TYPES else path


def describe_validation_error(exc: ValidationError) -> str:
    """`field.path: message` for each problem."""
    parts = []
    for err in exc.errors(include_url=False):
        where = ".".join(error_path(err["loc"])) or "(record)"
        parts.append(f"{where}: {err['msg'].removeprefix('Value error, ')}")
    return "; ".join(parts)


def _validate(raw: RawRecord) -> AnyEvent:
    if raw.json_bytes is not None:
        return EVENT_ADAPTER.validate_json(raw.json_bytes)
    assert raw.values is not None
    if "__error__" in raw.values:
        raise ValueError(str(raw.values["__error__"]))
    return EVENT_ADAPTER.validate_python(raw.values)


def _raw_text(raw: RawRecord) -> str:
    if raw.json_bytes is not None:
        return raw.json_bytes.decode("utf-8", "replace")[:2000]
    return orjson.dumps(raw.values, default=str).decode()[:2000]


def _payload(raw: RawRecord, event: AnyEvent) -> str:
    """The event as received for JSON Lines (cheap, keeps unknown fields), canonical JSON otherwise."""
    if raw.json_bytes is not None:
        return raw.json_bytes.decode("utf-8")
    return event.model_dump_json(exclude_none=True)


def _decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _rows(
    events: list[tuple[RawRecord, AnyEvent]], run_id: int, sqlite: bool
) -> tuple[list[tuple[Any, ...]], HistoryRows]:
    """Rows for the events table and the Parquet history, built in one pass."""
    store_rows: list[tuple[Any, ...]] = []
    history = HistoryRows()
    for raw, event in events:
        fields = event.__dict__
        occurred = event.occurred_at
        if occurred.utcoffset():
            occurred = occurred.astimezone(UTC)
        amount_usd = _decimal_text(fields.get("amount_usd"))
        payload = _payload(raw, event)
        # SQLite keeps datetimes as text in SQLAlchemy's format; PostgreSQL takes the datetime itself.
        stamp = occurred.replace(tzinfo=None).isoformat(" ", "microseconds") if sqlite else occurred
        store_rows.append((event.event_id, event.type, event.customer_id, stamp, amount_usd, payload, run_id))
        history.append(
            occurred,
            (
                event.event_id,
                event.type,
                event.customer_id,
                occurred,
                fields.get("asset") or fields.get("base_asset"),
                fields.get("network"),
                _decimal_text(fields.get("amount")),
                amount_usd,
                fields.get("to_address") or fields.get("address"),
                fields.get("from_address"),
                fields.get("counterparty_id"),
                fields.get("device_id"),
                fields.get("ip"),
                fields.get("country"),
                payload,
            ),
        )
    return store_rows, history


def plan_each_lookup(conn: sa.Connection) -> None:
    """On PostgreSQL, plan each statement of this transaction for its own parameters.

    The driver prepares a statement on its fifth run and the server may then keep one generic plan for it,
    costed against the table as it was: the known-id look-up planned while a file's first batches went into an
    empty table stays a sequential scan as the table grows in this transaction (autovacuum's statistics, which
    would re-plan it, cannot see uncommitted rows), so each batch scanned every row stored before it: 100k
    events took 114 s, 1M well over half an hour. A custom plan per run uses the primary key (100k: 19 s).
    """
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL plan_cache_mode = force_custom_plan")


def _batches(records: Iterable[RawRecord], size: int) -> Iterator[list[RawRecord]]:
    batch: list[RawRecord] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class Ingestor:
    """Loads files into a store; one instance per `warden ingest` run."""

    def __init__(self, store: Store, history_root: Path, actor: str = "system:ingest") -> None:
        self.store = store
        self.history_root = history_root
        self.actor = actor

    def ingest(
        self,
        paths: list[Path],
        rejects: IO[str] | None = None,
        progress: ProgressCallback | None = None,
    ) -> IngestSummary:
        summary = IngestSummary()
        started = time.perf_counter()
        # Ingest makes no reference cycles; the cyclic collector only re-scans live batches (2x slower).
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            for path in paths:
                summary.files.append(self._ingest_file(path, rejects, progress))
        finally:
            if gc_was_enabled:
                gc.enable()
        summary.seconds = time.perf_counter() - started
        return summary

    def _ingest_file(self, path: Path, rejects: IO[str] | None, progress: ProgressCallback | None) -> FileResult:
        result = FileResult(path=str(path))
        run_id = self._open_run(path)
        history = HistoryWriter(self.history_root)
        pending_rejects: list[Rejection] = []
        published: list[Path] = []
        sqlite = self.store.dialect == "sqlite"
        try:
            with self.store.engine.begin() as conn, ThreadPoolExecutor(max_workers=1) as writer:
                plan_each_lookup(conn)
                # Validation (CPU, holds the GIL) overlaps with the previous batch's inserts and Parquet
                # writes (mostly in C, releasing it); one batch in flight keeps memory bounded.
                in_flight: Future[None] | None = None
                for batch in _batches(read_records(path), BATCH_SIZE):
                    valid = self._validate_batch(path, batch, result, pending_rejects)
                    if in_flight is not None:
                        in_flight.result()
                    in_flight = writer.submit(
                        self._write_batch, conn, run_id, valid, result, history, sqlite, path, pending_rejects
                    )
                    if progress:
                        progress(len(batch))
                if in_flight is not None:
                    in_flight.result()
                append_audit(
                    conn,
                    actor=self.actor,
                    action="events.ingest",
                    subject=str(path),
                    after={k: v for k, v in asdict(result).items() if k != "path"},
                )
                published = history.publish()
        except FileFormatError as exc:
            history.discard()
            unpublish(published)
            return self._fail(run_id, result, str(exc))
        except Exception:
            history.discard()
            unpublish(published)
            self._close_run(run_id, result, "failed", "unexpected error")
            raise
        for rejection in pending_rejects:
            if rejects is not None:
                rejects.write(orjson.dumps(asdict(rejection)).decode() + "\n")
        self._close_run(run_id, result, "ok", None)
        return result

    @staticmethod
    def _validate_batch(
        path: Path, batch: list[RawRecord], result: FileResult, pending_rejects: list[Rejection]
    ) -> dict[str, tuple[RawRecord, AnyEvent]]:
        valid: dict[str, tuple[RawRecord, AnyEvent]] = {}
        for raw in batch:
            result.read += 1
            try:
                event = _validate(raw)
            except ValidationError as exc:
                reason = describe_validation_error(exc)
            except ValueError as exc:
                reason = str(exc)
            else:
                earlier = valid.get(event.event_id)
                if earlier is None:
                    valid[event.event_id] = (raw, event)
                    continue
                if same_event(_payload(raw, event), _payload(*earlier)):
                    result.duplicates += 1
                    continue
                reason = f"event_id {event.event_id!r} was seen at line {earlier[0].line} with another body"
            result.rejected += 1
            pending_rejects.append(Rejection(f"{path}:{raw.line}", reason, _raw_text(raw)))
        return valid

    @staticmethod
    def _write_batch(
        conn: sa.Connection,
        run_id: int,
        valid: dict[str, tuple[RawRecord, AnyEvent]],
        result: FileResult,
        history: HistoryWriter,
        sqlite: bool,
        path: Path,
        conflicts: list[Rejection],
    ) -> None:
        known = stored_payloads(conn, valid.keys())
        new_events = [pair for event_id, pair in valid.items() if event_id not in known]
        rows, history_rows = _rows(new_events, run_id, sqlite)
        insert_events(conn, rows)
        history.add(history_rows)
        result.stored += len(rows)
        for event_id, stored in known.items():
            raw, event = valid[event_id]
            if same_event(_payload(raw, event), stored):
                result.duplicates += 1
            else:  # a different event under a known id: refused, never counted as a re-sent one
                result.rejected += 1
                reason = f"event_id {event_id!r} is stored already with another body"
                conflicts.append(Rejection(f"{path}:{raw.line}", reason, _raw_text(raw)))

    def _open_run(self, path: Path) -> int:
        with self.store.engine.begin() as conn:
            inserted = conn.execute(
                sa.insert(ingest_runs).values(
                    started_at=datetime.now(UTC),
                    source=str(path),
                    status="running",
                    read=0,
                    stored=0,
                    duplicates=0,
                    rejected=0,
                )
            )
            key = inserted.inserted_primary_key
            assert key is not None
            return int(key[0])

    def _close_run(self, run_id: int, result: FileResult, status: str, error: str | None) -> None:
        with self.store.engine.begin() as conn:
            conn.execute(
                sa.update(ingest_runs)
                .where(ingest_runs.c.id == run_id)
                .values(
                    finished_at=datetime.now(UTC),
                    status=status,
                    read=result.read,
                    stored=result.stored,
                    duplicates=result.duplicates,
                    rejected=result.rejected,
                    error=error,
                )
            )

    def _fail(self, run_id: int, result: FileResult, message: str) -> FileResult:
        failed = FileResult(path=result.path, status="failed", read=result.read, error=message)
        self._close_run(run_id, failed, "failed", message)
        with self.store.engine.begin() as conn:
            append_audit(
                conn,
                actor=self.actor,
                action="events.ingest_failed",
                subject=result.path,
                after={"error": message},
            )
        return failed
