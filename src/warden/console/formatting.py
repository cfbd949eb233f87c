"""How values read on console pages: numbers, money, times."""

from __future__ import annotations

import re
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


_PATH = re.compile(r"(?:[A-Za-z]:)?(?:[\w.~-]*[/\\])+([\w.-]+)")


def no_paths(text: Any) -> Any:
    """Server file paths cut to their file name ("/srv/.../queues.yaml:40" -> "queues.yaml:40")."""
    return _PATH.sub(r"\1", text) if isinstance(text, str) else text


_PRIORITY_TERMS = {
    "severity": "severity",
    "amount": "amount at stake",
    "alert_score": "alert score",
    "age": "time waiting",
}


def priority_words(reasons: Any, severity: str = "", amount_usd: Any = None) -> str:
    """How a case's priority was reached, in words: "high severity +45, $1,171.38 at stake +6.2, ..."."""
    if not isinstance(reasons, dict):
        return str(reasons)
    parts: list[str] = []
    order = list(_PRIORITY_TERMS)
    for key, value in sorted(reasons.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order)):
        if key == "version" or value in (None, "", 0, 0.0):  # terms that added nothing are not reasons
            continue
        if key == "floor":
            parts.insert(0, f"urgent, above every routine case ({value})")
        elif key == "severity" and severity:
            parts.append(f"{severity} severity +{readable_number(float(value))}")
        elif key == "amount" and amount_usd is not None:
            parts.append(f"{usd(amount_usd)} at stake +{readable_number(float(value))}")
        elif isinstance(value, int | float):
            parts.append(f"{_PRIORITY_TERMS.get(key, key.replace('_', ' '))} +{readable_number(float(value))}")
        else:
            parts.append(f"{key.replace('_', ' ')}: {no_paths(value)}")
    how = reasons.get("version")
    return ", ".join(parts) + (f" (priority {how})" if how else "")
