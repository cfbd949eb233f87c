"""Alert records: deterministic ids, JSON Lines output."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

DETECTORS_VERSION = "typology-detectors-1"


def alert_id(typology: str, customer_ids: list[str]) -> str:
    """Same typology + same subjects -> same id, so a re-run updates the alert instead of adding one."""
    key = typology + "|" + ",".join(sorted(set(customer_ids)))
    return "al_" + hashlib.sha256(key.encode()).hexdigest()[:20]


def rank_score(members: int, usd: Decimal) -> float:
    """Ranking score in [0, 1]: more parties and more money rank higher (a sort key, not a probability)."""
    size = min(members, 10) / 10.0
    money = min(max(math.log10(max(float(usd), 1.0)) - 3.0, 0.0) / 3.0, 1.0)  # 1k USD -> 0, 1M USD -> 1
    return round(0.5 * size + 0.5 * money, 4)


@dataclass
class Alert:
    typology: str
    customer_ids: list[str]
    event_ids: list[str]
    addresses: list[str]
    amount_usd: Decimal
    first_at: str
    last_at: str
    explanation: str
    parameters: dict[str, Any]
    score: float = 0.0
    anomaly_score: float | None = None
    also_matched: list[str] = field(default_factory=list)  # typologies of smaller alerts folded into this one
    detector_version: str = DETECTORS_VERSION
    alert_id: str = field(default="")

    def __post_init__(self) -> None:
        self.customer_ids = sorted(set(self.customer_ids))
        self.event_ids = sorted(set(self.event_ids))
        self.addresses = sorted({a for a in self.addresses if a})
        self.alert_id = alert_id(self.typology, self.customer_ids)
        if not self.score:
            self.score = rank_score(len(self.customer_ids), self.amount_usd)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["amount_usd"] = format(self.amount_usd.normalize(), "f")
        return {"alert_id": self.alert_id, **{k: v for k, v in out.items() if k != "alert_id"}}


def write_jsonl(alerts: list[Alert], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        for alert in sorted(alerts, key=lambda a: (-a.score, a.alert_id)):
            handle.write(json.dumps(alert.to_dict(), sort_keys=False) + "\n")


def read_jsonl(path: Path) -> list[Alert]:
    """Alerts written by `write_jsonl` (`warden monitor --out`); a bad line stops with its position."""
    out = []
    with open(path, encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                row.pop("alert_id", None)
                row["amount_usd"] = Decimal(row["amount_usd"])
                out.append(Alert(**row))
            except (ValueError, TypeError, KeyError, ArithmeticError) as exc:
                raise ValueError(f"{path}:{line_no}: not an alert ({exc!r})") from None
    return out
