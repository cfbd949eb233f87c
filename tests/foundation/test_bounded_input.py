"""Issue 14, finding 4: amounts, times and identifiers the contract forbids are refused at the API (422 with the
field path) and rejected by ingest (`file:line`), cheaply, and amounts are stored exactly in every store."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from warden.access.api_keys import create_api_key
from warden.api.app import create_app
from warden.events.bounds import DEFAULT_MAX_AMOUNT, InputBounds, configure_bounds
from warden.events.examples import EXAMPLES
from warden.events.ingest import Ingestor
from warden.events.tables import events
from warden.monitoring.pipeline import monitor
from warden.settings import Settings
from warden.store.db import Store

# (field, value, what the reason mentions): each was accepted before, as reproduced in issue 14.
HOSTILE = [
    ("amount", "1e309", "decimal string"),
    ("amount", "-100000", "decimal string"),
    ("amount", " 7 ", "decimal string"),
    ("amount", "+5", "decimal string"),
    ("amount", "1e999999999", "decimal string"),
    ("amount_usd", "1" * 41, "largest amount"),
    ("amount", "0." + "1" * 19, "after the point"),
    ("amount", "\u0663", "decimal string"),  # an Arabic-Indic digit, which Decimal() reads as 3
    ("occurred_at", "9999-12-31T23:59:59-01:00", "out of range"),
    ("occurred_at", "0001-01-01T00:00:00Z", "before now"),
    ("occurred_at", "9999-01-01T00:00:00Z", "after now"),
    ("occurred_at", -31555, "not numbers"),
    ("customer_id", "cust\x00-1", "U+0000"),
    ("customer_id", "cust\u202e1-", "U+202E"),
    ("event_id", "evt\u200b1", "U+200B"),
    ("to_address", "0xabc\u2066def", "U+2066"),
]


def _withdrawal(event_id: str, **changes: object) -> dict[str, object]:
    return dict(EXAMPLES["withdrawal"]) | {"event_id": event_id, "occurred_at": _recent()} | changes


def _recent() -> str:
    return (datetime.now(UTC) - timedelta(hours=1)).isoformat().replace("+00:00", "Z")


@pytest.fixture
def client_and_key(settings: Settings, sqlite_store: Store) -> Iterator[tuple[TestClient, str]]:
    with sqlite_store.engine.begin() as conn:
        _, secret = create_api_key(conn, "backend", {"decisions"}, actor="test")
    with TestClient(create_app(settings, sqlite_store)) as client:
        yield client, secret


@pytest.mark.parametrize(("field", "value", "reason"), HOSTILE)
def test_the_api_refuses_hostile_values_with_the_field_path(
    client_and_key: tuple[TestClient, str], field: str, value: object, reason: str
) -> None:
    client, key = client_and_key
    body = _withdrawal("w-hostile") | {field: value}
    response = client.post("/v1/decisions", json=body, headers={"X-API-Key": key})
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail[0]["loc"] == ["body", field]
    assert reason in detail[0]["msg"]


def test_a_crafted_amount_cannot_disarm_a_later_block(client_and_key: tuple[TestClient, str]) -> None:
    """`1e309` overflowed the feature sums, and the next login from a sanctioned country failed open."""
    client, key = client_and_key
    headers = {"X-API-Key": key}
    crafted = _withdrawal("w-inf", customer_id="c-inf", amount="1e309", amount_usd="1e309")
    assert client.post("/v1/decisions", json=crafted, headers=headers).status_code == 422
    login = dict(EXAMPLES["login"]) | {"event_id": "l-kp", "customer_id": "c-inf", "occurred_at": _recent()}
    answer = client.post("/v1/decisions", json=login | {"country": "KP"}, headers=headers)
    assert answer.status_code == 201
    assert answer.json()["outcome"] == "block"


def test_a_huge_amount_is_refused_cheaply(client_and_key: tuple[TestClient, str]) -> None:
    client, key = client_and_key
    started = time.perf_counter()
    body = _withdrawal("w-huge", amount="9" * 1_000_000)
    response = client.post("/v1/decisions", json=body, headers={"X-API-Key": key})
    assert response.status_code == 422
    assert "too long" in response.json()["detail"][0]["msg"]
    assert time.perf_counter() - started < 2


def test_ingest_rejects_hostile_values_with_file_and_line(store: Store, settings: Settings, tmp_path: Path) -> None:
    source = tmp_path / "hostile.jsonl"
    good = [_withdrawal("good-1"), _withdrawal("good-2")]
    hostile = [_withdrawal(f"bad-{i}") | {field: value} for i, (field, value, _) in enumerate(HOSTILE)]
    source.write_text("\n".join(json.dumps(r) for r in [good[0], *hostile, good[1]]) + "\n")
    rejects = io.StringIO()
    summary = Ingestor(store, settings.parquet_dir).ingest([source], rejects)
    assert (summary.total("stored"), summary.total("rejected")) == (2, len(HOSTILE))
    assert summary.files[0].status == "ok"  # the 9999 overflow no longer aborts the file
    lines = [json.loads(line) for line in rejects.getvalue().splitlines()]
    assert [r["position"] for r in lines] == [f"{source}:{n}" for n in range(2, 2 + len(HOSTILE))]
    for rejection, (field, _, reason) in zip(lines, HOSTILE, strict=True):
        assert rejection["reason"].startswith(f"{field}:") and reason in rejection["reason"]
    assert monitor(settings.parquet_dir).alerts is not None  # the history stays readable (it held Inf and 1e9 digits)


def test_csv_numbers_are_not_read_as_times(sqlite_store: Store, settings: Settings, tmp_path: Path) -> None:
    source = tmp_path / "times.csv"
    row = _withdrawal("csv-1", occurred_at="-31555")
    source.write_text(",".join(row) + "\n" + ",".join(str(v) for v in row.values()) + "\n")
    rejects = io.StringIO()
    summary = Ingestor(sqlite_store, settings.parquet_dir).ingest([source], rejects)
    assert summary.total("rejected") == 1
    assert json.loads(rejects.getvalue())["position"] == f"{source}:2"


def test_amounts_are_stored_exactly(store: Store, settings: Settings, tmp_path: Path) -> None:
    """SQLite stored amounts as REAL (rounded, or Inf); now both stores give back the exact decimal."""
    exact = "123456789012345678.123456789012345678"
    source = tmp_path / "exact.jsonl"
    source.write_text(json.dumps(_withdrawal("exact-1", amount=exact, amount_usd=exact)) + "\n")
    Ingestor(store, settings.parquet_dir).ingest([source])
    with store.engine.connect() as conn:
        stored = conn.execute(sa.select(events.c.amount_usd).where(events.c.event_id == "exact-1")).scalar_one()
        assert stored == Decimal(exact)
        if store.dialect == "sqlite":
            assert conn.exec_driver_sql("SELECT typeof(amount_usd) FROM events").scalar_one() == "text"
            indexes = {row[1] for row in conn.exec_driver_sql("PRAGMA index_list('events')")}
            assert "ix_events_customer_time" in indexes  # kept through the migration's table copy


def test_the_bounds_are_configured(settings: Settings, sqlite_store: Store, tmp_path: Path) -> None:
    configure_bounds(InputBounds(max_amount=Decimal(1000), max_future=timedelta(0)))
    try:
        source = tmp_path / "bounds.jsonl"
        soon = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
        records = [
            _withdrawal("b-1", amount="999.99", amount_usd="999.99"),
            _withdrawal("b-2", amount="1000.01"),
            _withdrawal("b-3"),
        ]
        records[2]["occurred_at"] = soon
        source.write_text("\n".join(json.dumps(r) for r in records) + "\n")
        rejects = io.StringIO()
        summary = Ingestor(sqlite_store, settings.parquet_dir).ingest([source], rejects)
        assert (summary.total("stored"), summary.total("rejected")) == (1, 2)
    finally:
        configure_bounds(None)
    assert Settings().max_amount == DEFAULT_MAX_AMOUNT
