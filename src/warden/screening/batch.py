"""Batch screening: a CSV or JSONL file of queries in, one result line per input line out, in order.

JSONL input lines are `{"qid": ..., "query": ..., "kind": "person" | "entity" | "vessel" | "address"}`;
CSV input has the header `qid,query,kind`. Bad lines are reported with file:line and give an `error` line.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from warden.screening.matcher import DEFAULT_THRESHOLD, NameQuery
from warden.screening.screener import Screener

KINDS = {"person", "entity", "vessel", "aircraft", "address"}


def read_queries(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """(line number, query dict) or (line number, error message) for each input line."""
    if path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            for row in reader:
                yield reader.line_num, dict(row)
        return
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, f"bad JSON at column {exc.colno}: {exc.msg}"
                continue
            yield number, obj if isinstance(obj, dict) else "expected a JSON object"


def screen_one(screener: Screener, item: dict[str, Any], threshold: float) -> dict[str, Any]:
    query = item.get("query")
    kind = item.get("kind") or "person"
    if not isinstance(query, str) or not query.strip():
        raise ValueError("$.query: a non-empty string is required")
    if kind not in KINDS:
        raise ValueError(f"$.kind: must be one of {', '.join(sorted(KINDS))}")
    if kind == "address":
        return {"hits": screener.screen_address(query)["hits"]}
    result = screener.screen_name(NameQuery(query, kind), threshold)
    return {"hits": result["hits"], "matcher_version": result["matcher_version"]}


def screen_file(
    screener: Screener,
    source: Path,
    out: Path,
    threshold: float = DEFAULT_THRESHOLD,
    progress: Callable[[], None] | None = None,
) -> dict[str, int]:
    counts = {"lines": 0, "with_hits": 0, "errors": 0}
    errors: list[str] = []
    with out.open("w", encoding="utf-8") as sink:
        for number, item in read_queries(source):
            counts["lines"] += 1
            record: dict[str, Any]
            if isinstance(item, str):
                record = {"qid": None, "query": None, "hits": [], "error": f"{source}:{number}: {item}"}
            else:
                record = {"qid": item.get("qid"), "query": item.get("query")}
                try:
                    record.update(screen_one(screener, item, threshold))
                except ValueError as exc:
                    record.update({"hits": [], "error": f"{source}:{number}: {exc}"})
            if "error" in record:
                counts["errors"] += 1
                errors.append(record["error"])
            elif record["hits"]:
                counts["with_hits"] += 1
            sink.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
            if progress is not None:
                progress()
    return counts
