"""Tiny event builders for feature tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from warden.events.models import EVENT_ADAPTER, AnyEvent

T0 = datetime(2026, 3, 1, tzinfo=UTC)
_counter = iter(range(10**9))


def ev(kind: str, customer: str, at: timedelta, **fields: Any) -> AnyEvent:
    if kind in {"withdrawal", "deposit"}:
        fields.setdefault("asset", "USDT")
        fields.setdefault("network", "ethereum")
        fields.setdefault("amount", fields.get("amount_usd", "1"))
    if kind == "transfer":
        fields.setdefault("asset", "USDT")
        fields.setdefault("amount", fields["amount_usd"])
    if kind == "deposit":
        fields.setdefault("to_address", f"dep-{customer}")
    return EVENT_ADAPTER.validate_python(
        {"event_id": f"t{next(_counter)}", "type": kind, "customer_id": customer, "occurred_at": T0 + at, **fields}
    )


def login(customer: str, at: timedelta, device: str = "d1", country: str = "DE", ok: bool = True) -> AnyEvent:
    return ev("login", customer, at, device_id=device, ip="10.0.0.1", country=country, success=ok)
