"""A known event_id with another body is a conflict, not a duplicate: rejected with file:line, the run not ok
(the CLI exits 1), the stored event unchanged. The same event written differently is still a duplicate."""

from __future__ import annotations

import io
import json
from pathlib import Path

import sqlalchemy as sa

from warden.events.examples import EXAMPLES
from warden.events.ingest import Ingestor
from warden.events.tables import events
from warden.settings import Settings
from warden.store.db import Store


def _jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def _withdrawal(event_id: str, **changes: object) -> dict[str, object]:
    return dict(EXAMPLES["withdrawal"]) | {"event_id": event_id} | changes


def test_another_body_under_a_stored_id_is_rejected_with_its_line(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    ingestor = Ingestor(store, settings.parquet_dir)
    assert ingestor.ingest([_jsonl(tmp_path / "a.jsonl", [_withdrawal("w1"), _withdrawal("w2")])]).ok
    # line 1: the same event re-sent (keys in another order): a duplicate; line 2: w2 with another amount
    same = dict(reversed(list(_withdrawal("w1").items())))
    second = _jsonl(tmp_path / "b.jsonl", [same, _withdrawal("w2", amount="999.00"), _withdrawal("w3")])
    rejects = io.StringIO()
    summary = ingestor.ingest([second], rejects)
    assert not summary.ok
    assert (summary.total("stored"), summary.total("duplicates"), summary.total("rejected")) == (1, 1, 1)
    [rejection] = [json.loads(line) for line in rejects.getvalue().splitlines()]
    assert rejection["position"] == f"{second}:2"
    assert "another body" in rejection["reason"]
    with store.engine.connect() as conn:
        payload = conn.execute(sa.select(events.c.payload).where(events.c.event_id == "w2")).scalar_one()
    assert json.loads(payload)["amount"] == EXAMPLES["withdrawal"]["amount"]


def test_another_body_under_an_id_earlier_in_the_file_is_rejected(
    sqlite_store: Store, settings: Settings, tmp_path: Path
) -> None:
    source = _jsonl(tmp_path / "c.jsonl", [_withdrawal("w1"), _withdrawal("w1", customer_id="cus-other")])
    rejects = io.StringIO()
    summary = Ingestor(sqlite_store, settings.parquet_dir).ingest([source], rejects)
    assert (summary.total("stored"), summary.total("duplicates"), summary.total("rejected")) == (1, 0, 1)
    [rejection] = [json.loads(line) for line in rejects.getvalue().splitlines()]
    assert rejection["position"] == f"{source}:2"
    assert "line 1" in rejection["reason"]
