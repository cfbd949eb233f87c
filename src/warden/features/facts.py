"""What the feature code needs from one event, reduced to plain values (the online half of the semantics).

`offline.py` derives the same columns with Polars; a change here needs the same change there.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from warden.features.catalog import CREDENTIAL_FIELDS

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
US_PER_HOUR = 3_600_000_000
US_PER_DAY = 86_400_000_000
_ONE_US = timedelta(microseconds=1)


def to_micros(moment: datetime) -> int:
    """Exact integer microseconds since the epoch (floats would make window edges fuzzy)."""
    return (moment - EPOCH) // _ONE_US


def to_cents(amount_usd: Decimal | None) -> int | None:
    """USD in whole cents, half-even, so window sums are exact integers online and offline."""
    if amount_usd is None:
        return None
    return int((amount_usd * 100).to_integral_value(ROUND_HALF_EVEN))


class EventFacts:
    """One event's inputs to the features. `device`/`ip` are the event's own; `seen_device` excludes
    failed logins (a failed attempt does not make a device known); `login_country` is set only for
    successful logins."""

    __slots__ = (
        "book_action",
        "book_address",
        "cents",
        "counterparty",
        "country",
        "credential_change",
        "customer",
        "device",
        "ip",
        "is_login",
        "login_country",
        "seen_device",
        "success",
        "to_address",
        "ts",
        "type",
        "whitelist_change",
    )

    def __init__(self, event: Any) -> None:
        kind: str = event.type
        self.type = kind
        self.ts = to_micros(event.occurred_at)
        self.customer: str = event.customer_id
        self.cents = to_cents(getattr(event, "amount_usd", None))
        self.device: str | None = getattr(event, "device_id", None)
        self.ip: str | None = getattr(event, "ip", None)
        self.is_login = kind == "login"
        self.success: bool = bool(event.success) if self.is_login else True
        self.country: str | None = event.country if self.is_login else None
        self.login_country = self.country if self.is_login and self.success else None
        self.seen_device = self.device if self.success else None
        self.to_address: str | None = event.to_address if kind == "withdrawal" else None
        self.counterparty: str | None = event.counterparty_id if kind == "transfer" else None
        field = event.field if kind == "profile_change" else None
        self.credential_change = field in CREDENTIAL_FIELDS
        self.whitelist_change = field == "withdrawal_whitelist" or kind == "address_book_change"
        self.book_action: str | None = event.action if kind == "address_book_change" else None
        self.book_address: str | None = event.address if kind == "address_book_change" else None
