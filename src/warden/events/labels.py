"""Ground-truth labels (`labels.csv` beside a data set's events): reading, checking and storing them."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from warden.events.models import LABEL_ENTITY_TYPES, LABELS
from warden.events.readers import FileFormatError
from warden.events.tables import labels

LABEL_COLUMNS = ("entity_type", "entity_id", "label", "typology", "scenario_id")


@dataclass(frozen=True, slots=True)
class Label:
    entity_type: str
    entity_id: str
    label: str
    typology: str = ""
    scenario_id: str = ""


@dataclass
class LabelFile:
    labels: list[Label] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # "file:line: reason"


def read_labels(path: Path) -> LabelFile:
    """Read a labels.csv; bad rows are reported with their line and left out."""
    result = LabelFile()
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in ("entity_type", "entity_id", "label") if c not in (reader.fieldnames or [])]
            if missing:
                raise FileFormatError(f"{path}:1: header lacks the columns {', '.join(missing)}")
            for row in reader:
                where = f"{path}:{reader.line_num}"
                entity_type, entity_id, label = row["entity_type"], row["entity_id"], row["label"]
                if entity_type not in LABEL_ENTITY_TYPES:
                    result.errors.append(f"{where}: entity_type {entity_type!r} is not one of {LABEL_ENTITY_TYPES}")
                elif label not in LABELS:
                    result.errors.append(f"{where}: label {label!r} is not one of {LABELS}")
                elif not entity_id:
                    result.errors.append(f"{where}: entity_id is empty")
                else:
                    typology, scenario = row.get("typology") or "", row.get("scenario_id") or ""
                    result.labels.append(Label(entity_type, entity_id, label, typology, scenario))
    except UnicodeDecodeError:
        raise FileFormatError(f"{path}: not UTF-8 text; this is not a labels CSV") from None
    return result


def store_labels(conn: sa.Connection, items: list[Label], source: str) -> int:
    """Insert labels not stored yet; returns how many were new."""
    existing = {
        (r.entity_type, r.entity_id, r.typology, r.scenario_id)
        for r in conn.execute(
            sa.select(labels.c.entity_type, labels.c.entity_id, labels.c.typology, labels.c.scenario_id)
        )
    }
    fresh = {}
    for item in items:
        key = (item.entity_type, item.entity_id, item.typology, item.scenario_id)
        if key not in existing and key not in fresh:
            fresh[key] = {
                "entity_type": item.entity_type,
                "entity_id": item.entity_id,
                "label": item.label,
                "typology": item.typology,
                "scenario_id": item.scenario_id,
                "source": source,
            }
    if fresh:
        conn.execute(sa.insert(labels), list(fresh.values()))
    return len(fresh)


def has_simulator_labels(conn: sa.Connection) -> bool:
    """Whether the simulator's ground truth was loaded (the demo's store)."""
    query = sa.select(labels.c.source).where(labels.c.source == "simulator").limit(1)
    return conn.execute(query).first() is not None


def scenario_summary(conn: sa.Connection) -> list[dict[str, object]]:
    """Per typology: label, scenarios, customers, events, addresses."""
    rows = conn.execute(sa.select(labels.c.typology, labels.c.label, labels.c.entity_type, labels.c.scenario_id))
    by_key: dict[tuple[str, str], dict[str, object]] = {}
    scenarios: dict[tuple[str, str], set[str]] = {}
    for typology, label, entity_type, scenario in rows:
        key = (typology or "-", label)
        entry = by_key.setdefault(key, {"typology": key[0], "label": label, "customer": 0, "event": 0, "address": 0})
        entry[entity_type] = int(entry[entity_type]) + 1  # type: ignore[call-overload]
        scenarios.setdefault(key, set()).add(scenario)
    for key, entry in by_key.items():
        entry["scenarios"] = len(scenarios[key] - {""})
    return sorted(by_key.values(), key=lambda e: (str(e["label"]), str(e["typology"])))
