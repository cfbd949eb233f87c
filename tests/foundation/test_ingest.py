"""Ingest: positions for bad records, idempotent re-runs, corrupt files store nothing, Parquet history."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from warden.audit.log import verify_chain
from warden.events.examples import EXAMPLES
from warden.events.ingest import Ingestor
from warden.events.repository import count_by_type
from warden.events.tables import events
from warden.settings import Settings
from warden.store.db import Store
from warden.store.history import history_glob


def _event(kind: str, event_id: str, **changes: object) -> dict[str, object]:
    return dict(EXAMPLES[kind]) | {"event_id": event_id} | changes


def _write_jsonl(path: Path, records: list[object]) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    path.write_text("\n".join(lines) + "\n")
    return path


def _stored_ids(store: Store) -> set[str]:
    with store.engine.connect() as conn:
        return set(conn.execute(sa.select(events.c.event_id)).scalars())


def _ingestor(store: Store, settings: Settings) -> Ingestor:
    return Ingestor(store, settings.parquet_dir)


def test_bad_records_are_rejected_with_positions_and_good_ones_kept(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    source = _write_jsonl(
        tmp_path / "batch.jsonl",
        [
            _event("withdrawal", "w1"),
            _event("withdrawal", "w2", amount=12.5),  # line 2: float amount
            "{not json",  # line 3
            _event("login", "l1"),
            _event("deposit", "d1", occurred_at="2026-03-02T08:20:00"),  # line 5: no offset
        ],
    )
    rejects = io.StringIO()
    summary = _ingestor(store, settings).ingest([source], rejects)
    assert (summary.total("stored"), summary.total("rejected")) == (2, 3)
    assert not summary.ok
    assert _stored_ids(store) == {"w1", "l1"}
    lines = [json.loads(line) for line in rejects.getvalue().splitlines()]
    assert [r["position"] for r in lines] == [f"{source}:2", f"{source}:3", f"{source}:5"]
    assert lines[0]["reason"].startswith("amount:")
    assert "occurred_at" in lines[2]["reason"]


def test_reingesting_the_same_events_stores_nothing_new(store: Store, settings: Settings, tmp_path: Path) -> None:
    source = _write_jsonl(tmp_path / "a.jsonl", [_event("trade", f"t{i}") for i in range(50)])
    first = _ingestor(store, settings).ingest([source])
    second = _ingestor(store, settings).ingest([source])
    assert first.total("stored") == 50
    assert (second.total("stored"), second.total("duplicates")) == (0, 50)
    assert second.ok
    with store.engine.connect() as conn:
        assert count_by_type(conn) == {"trade": 50}
    # The history has each event once as well.
    got = duckdb.connect().execute(f"SELECT count(*) FROM read_parquet('{history_glob(settings.parquet_dir)}')")
    assert got.fetchall() == [(50,)]


def test_duplicate_inside_one_file_is_one_event(sqlite_store: Store, settings: Settings, tmp_path: Path) -> None:
    source = _write_jsonl(tmp_path / "dup.jsonl", [_event("login", "same"), _event("login", "same")])
    summary = _ingestor(sqlite_store, settings).ingest([source])
    assert (summary.total("stored"), summary.total("duplicates")) == (1, 1)


def test_csv_and_parquet_inputs(sqlite_store: Store, settings: Settings, tmp_path: Path) -> None:
    rows = [_event("withdrawal", f"w{i}") for i in range(3)]
    csv_path = tmp_path / "w.csv"
    with open(csv_path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    parquet_path = tmp_path / "d.parquet"
    deposits = [_event("deposit", f"d{i}") for i in range(4)]
    pq.write_table(pa.Table.from_pylist(deposits), parquet_path)
    summary = _ingestor(sqlite_store, settings).ingest([csv_path, parquet_path])
    assert summary.ok and summary.total("stored") == 7
    with sqlite_store.engine.connect() as conn:
        assert count_by_type(conn) == {"withdrawal": 3, "deposit": 4}


def test_csv_row_with_wrong_field_count_is_rejected_with_its_line(
    sqlite_store: Store, settings: Settings, tmp_path: Path
) -> None:
    source = tmp_path / "x.csv"
    source.write_text(
        "event_id,type,occurred_at,customer_id,field\n"
        "p1,profile_change,2026-01-01T00:00:00Z,c1,email\n"
        "p2,profile_change,2026-01-01T00:00:00Z\n"
        "p3,profile_change,2026-01-01T00:00:00Z,c1,shoe_size\n"
    )
    rejects = io.StringIO()
    summary = _ingestor(sqlite_store, settings).ingest([source], rejects)
    assert summary.total("stored") == 1
    positions = [json.loads(line)["position"] for line in rejects.getvalue().splitlines()]
    assert positions == [f"{source}:3", f"{source}:4"]


def _make_corrupt(kind: str, tmp_path: Path) -> Path:
    good = [_event("login", f"ok{i}") for i in range(100)]
    if kind == "truncated_parquet":
        path = tmp_path / "t.parquet"
        pq.write_table(pa.Table.from_pylist(good), path)
        path.write_bytes(path.read_bytes()[:-200])
    elif kind == "binary_garbage":
        path = tmp_path / "g.jsonl"
        path.write_bytes(json.dumps(good[0]).encode() + b"\n" + bytes(range(256)) * 20)
    elif kind == "wrong_columns":
        path = tmp_path / "w.csv"
        path.write_text("id,kind,when\n1,login,2026-01-01\n")
    elif kind == "truncated_gzip":
        path = tmp_path / "t.jsonl.gz"
        payload = gzip.compress("\n".join(json.dumps(e) for e in good).encode())
        path.write_bytes(payload[: len(payload) // 2])
    else:
        path = tmp_path / "p.parquet"
        pq.write_table(pa.table({"event_id": ["a"], "when": ["x"]}), path)
    return path


@pytest.mark.parametrize(
    "kind", ["truncated_parquet", "binary_garbage", "wrong_columns", "truncated_gzip", "parquet_wrong_columns"]
)
def test_a_corrupt_file_stores_nothing_and_says_why(
    kind: str, store: Store, settings: Settings, tmp_path: Path
) -> None:
    good = _write_jsonl(tmp_path / "good.jsonl", [_event("trade", "keep-me")])
    corrupt = _make_corrupt(kind, tmp_path)
    summary = _ingestor(store, settings).ingest([good, corrupt])
    failed = summary.files[1]
    assert failed.status == "failed" and failed.stored == 0
    assert str(corrupt) in (failed.error or "")
    assert _stored_ids(store) == {"keep-me"}  # the good file's event, nothing from the corrupt one
    day_files = list(settings.parquet_dir.glob("date=*/*.parquet"))
    assert len(day_files) == 1
    with store.engine.connect() as conn:
        assert verify_chain(conn).ok


def test_history_is_partitioned_by_day_and_readable_by_duckdb(
    sqlite_store: Store, settings: Settings, tmp_path: Path
) -> None:
    records = [
        _event("withdrawal", "a", occurred_at="2026-03-01T23:30:00-02:00"),  # 2026-03-02 in UTC
        _event("withdrawal", "b", occurred_at="2026-03-02T10:00:00Z"),
        _event("withdrawal", "c", occurred_at="2026-03-03T00:00:00Z"),
    ]
    _ingestor(sqlite_store, settings).ingest([_write_jsonl(tmp_path / "h.jsonl", records)])
    days = sorted(p.name for p in settings.parquet_dir.glob("date=*"))
    assert days == ["date=2026-03-02", "date=2026-03-03"]
    rows = (
        duckdb.connect()
        .execute(
            f"SELECT date, count(*), sum(CAST(amount_usd AS DECIMAL(38, 8))) FROM "
            f"read_parquet('{history_glob(settings.parquet_dir)}', hive_partitioning = true) GROUP BY date ORDER BY date"
        )
        .fetchall()
    )
    assert [(str(r[0]), r[1], str(r[2])) for r in rows] == [
        ("2026-03-02", 2, "4999.50000000"),
        ("2026-03-03", 1, "2499.75000000"),
    ]


def test_each_ingested_file_is_audited(sqlite_store: Store, settings: Settings, tmp_path: Path) -> None:
    source = _write_jsonl(tmp_path / "a.jsonl", [_event("login", "x")])
    _ingestor(sqlite_store, settings).ingest([source])
    with sqlite_store.engine.connect() as conn:
        result = verify_chain(conn)
        action = conn.execute(sa.text("SELECT action, subject FROM audit_log")).one()
    assert result.ok and result.records == 1
    assert tuple(action) == ("events.ingest", str(source))
