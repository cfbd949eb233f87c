"""How values read on console pages: numbers, money, times."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any


def readable_number(value: Any) -> Any:
    """Floats to four significant digits (425.04136574074073 -> 425); anything else as it is."""
    return f"{value:.4g}" if isinstance(value, float) else value


def usd(value: Any) -> str:
    """$1,171.38; an absent amount reads as a dash, never "None"."""
    if value is None or value == "":
        return "–"
    return f"${Decimal(str(value)):,.2f}"


def when(value: Any) -> str:
    """A time in UTC to the second, "2026-03-02 09:00:00 UTC"; ISO strings are read first; absent is a dash."""
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if isinstance(value, datetime):
        moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return moment.strftime("%Y-%m-%d %H:%M:%S UTC")
    return str(value)


def dash(value: Any) -> Any:
    """None (and the empty string) read as a dash."""
    return "–" if value is None or value == "" else value
