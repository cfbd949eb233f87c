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


MEMO_SEPARATOR = "\x1f"


def recipient_key(address: str, memo: str | None) -> str:
    """Who an on-chain payment reaches: the address, and the memo on addresses that credit by memo (a service's
    shared deposit address serves each of its customers under their own memo)."""
    return f"{address}{MEMO_SEPARATOR}{memo}" if memo else address


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
        "deposit_keys",
        "dest_key",
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
        # Read only the fields each type has: a missing attribute on a pydantic model is slow to probe.
        kind: str = event.type
        self.type = kind
        self.ts = to_micros(event.occurred_at)
        self.customer: str = event.customer_id
        self.cents: int | None = None
        self.device: str | None = None
        self.ip: str | None = None
        self.is_login = False
        self.success = True
        self.country: str | None = None
        self.to_address: str | None = None
        self.dest_key: str | None = None  # the destination as a recipient: address, and memo where it has one
        self.deposit_keys: tuple[str, ...] = ()  # a deposit's own address (with memo) and its source address
        self.counterparty: str | None = None
        self.credential_change = False
        self.whitelist_change = False
        self.book_action: str | None = None
        self.book_address: str | None = None
        if kind == "login":
            self.is_login = True
            self.device, self.ip, self.country = event.device_id, event.ip, event.country
            self.success = bool(event.success)
        elif kind == "withdrawal":
            self.cents = to_cents(event.amount_usd)
            self.device, self.ip, self.to_address = event.device_id, event.ip, event.to_address
            self.dest_key = recipient_key(event.to_address, event.memo)
        elif kind == "deposit":
            self.cents = to_cents(event.amount_usd)
            own = recipient_key(event.to_address, event.memo)
            source = event.from_address
            self.deposit_keys = (own,) if not source or source == own else (own, source)
        elif kind == "trade":
            self.cents = to_cents(event.amount_usd)
        elif kind == "transfer":
            self.cents = to_cents(event.amount_usd)
            self.counterparty = event.counterparty_id
        elif kind == "address_book_change":
            self.device, self.ip = event.device_id, event.ip
            self.book_action, self.book_address = event.action, event.address
            self.whitelist_change = True
        elif kind == "profile_change":
            self.device, self.ip = event.device_id, event.ip
            self.credential_change = event.field in CREDENTIAL_FIELDS
            self.whitelist_change = event.field == "withdrawal_whitelist"
        elif kind == "kyc_submission":
            self.device, self.ip = event.device_id, event.ip
        self.login_country = self.country if self.success else None
        self.seen_device = self.device if self.success else None
