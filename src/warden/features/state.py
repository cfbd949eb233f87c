"""Per-customer feature state, kept by both online stores (in-process dicts or Redis JSON)."""

from __future__ import annotations

import json
from typing import Any

from warden.features.catalog import WINDOWS
from warden.features.windows import DistinctWindow, MaxWindow, WindowCount, WindowSum

US = 1_000_000
H1, H24, D7, D30 = (WINDOWS[w] * US for w in ("1h", "24h", "7d", "30d"))
ALL_SPANS = (H1, H24, D7, D30)

_WINDOW_SUMS = ("withdrawals", "deposits", "transfers_out", "transfers_in", "logins", "failed_logins")
_DISTINCTS = ("devices", "ips", "countries", "withdrawal_addresses")
_SCALARS = (
    "first_ts",
    "last_activity",
    "last_deposit",
    "last_credential",
    "last_whitelist",
    "last_new_device_login",
    "last_login",
    "device_first",
    "country_first",
    "address_first",
    "address_book",
)


class CustomerState:
    __slots__ = _WINDOW_SUMS + _DISTINCTS + _SCALARS + ("max_withdrawal",)

    def __init__(self) -> None:
        self.withdrawals = WindowSum(ALL_SPANS)
        self.deposits = WindowSum(ALL_SPANS)
        self.transfers_out = WindowCount((H24,))
        self.transfers_in = WindowCount((H24,))
        self.logins = WindowCount((H24,))
        self.failed_logins = WindowCount((H1, H24))
        self.devices = DistinctWindow(D30)
        self.ips = DistinctWindow(H24)
        self.countries = DistinctWindow(D30)
        self.withdrawal_addresses = DistinctWindow(D7)
        self.max_withdrawal = MaxWindow(D30)
        self.first_ts: int | None = None
        self.last_activity: int | None = None
        self.last_deposit: int | None = None
        self.last_credential: int | None = None
        self.last_whitelist: int | None = None
        self.last_new_device_login: int | None = None
        # (time, country, country first seen at that login) of the latest successful login
        self.last_login: tuple[int, str, bool] | None = None
        self.device_first: dict[str, int] = {}
        self.country_first: dict[str, int] = {}
        self.address_first: dict[str, int] = {}
        self.address_book: dict[str, bool] = {}  # address -> currently added

    def dumps(self) -> str:
        data: dict[str, Any] = {name: getattr(self, name).to_json() for name in _WINDOW_SUMS + _DISTINCTS}
        data["max_withdrawal"] = self.max_withdrawal.to_json()
        for name in _SCALARS:
            data[name] = getattr(self, name)
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def loads(cls, text: str | bytes) -> CustomerState:
        data = json.loads(text)
        state = cls()
        for name in _WINDOW_SUMS + _DISTINCTS + ("max_withdrawal",):
            getattr(state, name).load(data[name])
        for name in _SCALARS:
            setattr(state, name, data[name])
        if state.last_login is not None:
            ts, country, new = state.last_login
            state.last_login = (ts, country, new)
        return state


def entity_window(kind: str) -> DistinctWindow:
    """Customers seen on a device (30d), an IP (24h) or a withdrawal address (30d)."""
    return DistinctWindow(H24 if kind == "ip" else D30)


def dumps_window(window: DistinctWindow) -> str:
    return json.dumps(window.to_json(), separators=(",", ":"))


def loads_window(kind: str, text: str | bytes) -> DistinctWindow:
    return entity_window(kind).load(json.loads(text))
