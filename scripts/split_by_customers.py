"""Two exchanges from one labelled history: its customers split in two, each half with every event of its
customers over the whole period and the labels that concern them.

`warden eval exchange --events DIR --split-day N` learns on the first days of an exchange and judges the
rest: the same customers, their history known. Another exchange of the same source has other customers,
judged over their whole period; this split emulates it. A labelled scenario's customers stay on one side
(a ring is not cut in two); other customers go by a hash of their id. Address labels go to both sides.

    python scripts/split_by_customers.py ../shared/data/partner-exchange /tmp/a /tmp/b [--salt S]
    warden eval exchange --train /tmp/a --test /tmp/b --recalibrate-unlabelled --json
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import json
import shutil
from pathlib import Path


def side_of(key: str, salt: str) -> int:
    return hashlib.sha256(f"{salt}{key}".encode()).digest()[0] & 1


def split(source: Path, outputs: tuple[Path, Path], salt: str) -> list[dict[str, int]]:
    with (source / "labels.csv").open(newline="", encoding="utf-8") as handle:
        labels = list(csv.DictReader(handle))
    side: dict[str, int] = {}
    for row in labels:
        if row["entity_type"] == "customer":
            side[row["entity_id"]] = side_of(row["scenario_id"] or row["entity_id"], salt)
    events_on = [0, 0]
    seen: set[str] = set()
    event_side: dict[str, int] = {}
    for out in outputs:
        out.mkdir(parents=True, exist_ok=True)
    with (
        gzip.open(source / "events.jsonl.gz", "rt", encoding="utf-8") as events,
        gzip.open(outputs[0] / "events.jsonl.gz", "wt", encoding="utf-8") as first,
        gzip.open(outputs[1] / "events.jsonl.gz", "wt", encoding="utf-8") as second,
    ):
        for number, line in enumerate(events, 1):
            try:
                event = json.loads(line)
                customer = event["customer_id"]
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise SystemExit(f"{source / 'events.jsonl.gz'} line {number}: {exc}") from exc
            if customer not in side:
                side[customer] = side_of(customer, salt)
            seen.add(customer)
            event_side[event.get("event_id", "")] = side[customer]
            (first, second)[side[customer]].write(line)
            events_on[side[customer]] += 1
    for number, out in enumerate(outputs):
        if (source / "context.json").exists():
            shutil.copy(source / "context.json", out / "context.json")
        with (out / "labels.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(labels[0]) if labels else ["entity_type", "entity_id"])
            writer.writeheader()
            for row in labels:
                kind, entity = row["entity_type"], row["entity_id"]
                mine = (
                    kind == "address"
                    or (kind == "customer" and side.get(entity) == number)
                    or (kind == "event" and event_side.get(entity) == number)
                )
                if mine:
                    writer.writerow(row)
    return [{"events": events_on[n], "customers": sum(side[c] == n for c in seen)} for n in (0, 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="folder with events.jsonl.gz, labels.csv (and context.json)")
    parser.add_argument("first", type=Path)
    parser.add_argument("second", type=Path)
    parser.add_argument("--salt", default="", help="another split of the same customers")
    args = parser.parse_args()
    for out, count in zip(
        (args.first, args.second), split(args.source, (args.first, args.second), args.salt), strict=True
    ):
        print(f"{out}: {count['events']} events, {count['customers']} customers")


if __name__ == "__main__":
    main()
