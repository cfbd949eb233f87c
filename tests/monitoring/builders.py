"""Tiny event sets with one known ring of each typology among ordinary customers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

T0 = datetime(2026, 1, 1, tzinfo=UTC)


class Events:
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def _add(self, kind: str, who: str, hours: float, usd: float, **extra: Any) -> None:
        at = (T0 + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")
        row = {"event_id": f"ev_{len(self.rows):05d}", "type": kind, "occurred_at": at, "customer_id": who}
        row |= {"asset": "USDT", "amount": f"{usd:.2f}", "amount_usd": f"{usd:.2f}"}
        self.rows.append(row | extra)

    def deposit(self, who: str, hours: float, usd: float) -> None:
        self._add("deposit", who, hours, usd, network="tron", to_address=f"dep_{who}", from_address=f"ext_{who}")

    def withdraw(self, who: str, hours: float, usd: float) -> None:
        self._add("withdrawal", who, hours, usd, network="tron", to_address=f"out_{who}")

    def transfer(self, src: str, dst: str, hours: float, usd: float) -> None:
        self._add("transfer", src, hours, usd, counterparty_id=dst)

    def write(self, path: Path) -> Path:
        path.write_text("".join(json.dumps(r) + "\n" for r in self.rows))
        return path


def with_rings() -> Events:
    ev = Events()
    # ordinary customers: small deposits, a few small payments between each other
    for i in range(40):
        ev.deposit(f"n{i}", 5 + i, 200 + 10 * i)
        ev.transfer(f"n{i}", f"n{(i + 1) % 40}", 30 + i, 50)
        ev.withdraw(f"n{i}", 300 + i, 100)
    # fan_in: four senders -> collector, who cashes out
    for i in range(4):
        ev.deposit(f"fi{i}", 10, 5_000)
        ev.transfer(f"fi{i}", "fi_hub", 20 + i, 4_900)
    ev.withdraw("fi_hub", 40, 19_000)
    # fan_out: funded source -> four receivers who withdraw
    ev.deposit("fo_src", 100, 20_000)
    for i in range(4):
        ev.transfer("fo_src", f"fo{i}", 110 + i, 4_900)
        ev.withdraw(f"fo{i}", 130 + i, 4_800)
    # cycle of three, amounts shrinking
    ev.deposit("c0", 200, 10_000)
    ev.transfer("c0", "c1", 210, 9_800)
    ev.transfer("c1", "c2", 230, 9_600)
    ev.transfer("c2", "c0", 250, 9_400)
    # structuring: four deposits just under 10,000 USD over a week
    for day in range(4):
        ev.deposit("st", 400 + 40 * day, 9_500 - 100 * day)
    # pass_through: deposits withdrawn within hours, three times
    for k in range(3):
        ev.deposit("pt", 500 + 30 * k, 3_000)
        ev.withdraw("pt", 502 + 30 * k, 2_950)
    return ev
