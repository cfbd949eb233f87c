"""scripts/split_by_customers.py: two exchanges from one history; a scenario's customers stay together, every
event goes to its customer's side once, and labels follow their customers and events."""

from __future__ import annotations

import csv
import gzip
import importlib.util
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "split_by_customers.py"


def _load_split() -> Callable[..., Any]:
    spec = importlib.util.spec_from_file_location("split_by_customers", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    split: Callable[..., Any] = module.split
    return split


def _history(folder: Path) -> None:
    folder.mkdir()
    customers = [f"cu_{n:03d}" for n in range(40)]
    with gzip.open(folder / "events.jsonl.gz", "wt", encoding="utf-8") as out:
        for n, customer in enumerate(customers * 3):
            out.write(json.dumps({"event_id": f"ev_{n}", "type": "login", "customer_id": customer}) + "\n")
    rows = [("customer", c, "mule", "fan_in", "sc-1") for c in customers[:6]]
    rows += [("event", "ev_0", "fraud", "account_takeover", ""), ("address", "0xabc", "fraud", "scam", "")]
    with (folder / "labels.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["entity_type", "entity_id", "label", "typology", "scenario_id"])
        writer.writerows(rows)
    (folder / "context.json").write_text("{}")


def _read(folder: Path) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    with gzip.open(folder / "events.jsonl.gz", "rt", encoding="utf-8") as handle:
        events = [json.loads(line) for line in handle]
    with (folder / "labels.csv").open(newline="") as handle:
        return events, list(csv.DictReader(handle))


def test_a_scenario_stays_on_one_side_and_labels_follow(tmp_path: Path) -> None:
    _history(tmp_path / "whole")
    counts = _load_split()(tmp_path / "whole", (tmp_path / "a", tmp_path / "b"), "")
    (events_a, labels_a), (events_b, labels_b) = _read(tmp_path / "a"), _read(tmp_path / "b")
    assert len(events_a) + len(events_b) == 120 and events_a and events_b
    assert [c["events"] for c in counts] == [len(events_a), len(events_b)]
    owners_a, owners_b = {e["customer_id"] for e in events_a}, {e["customer_id"] for e in events_b}
    assert not owners_a & owners_b and len(owners_a | owners_b) == 40
    ring = {f"cu_{n:03d}" for n in range(6)}
    assert ring <= owners_a or ring <= owners_b  # the scenario is not cut in two
    for events, labels in ((events_a, labels_a), (events_b, labels_b)):
        owners = {e["customer_id"] for e in events}
        ids = {e["event_id"] for e in events}
        assert all(r["entity_id"] in owners for r in labels if r["entity_type"] == "customer")
        assert all(r["entity_id"] in ids for r in labels if r["entity_type"] == "event")
        assert [r["entity_id"] for r in labels if r["entity_type"] == "address"] == ["0xabc"]
    assert (tmp_path / "a" / "context.json").exists()
