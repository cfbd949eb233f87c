"""Per-customer feature state, kept by both online stores (in-process dicts or Redis JSON)."""

from __future__ import annotations

import json
from collections.abc import Callable
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


# Shared empty windows. A new customer reads these until its first event of a kind gives it a window of its own
# (`CustomerState.own`): most customers use a few of the eleven windows, and building all of them for every
# new customer cost more than deciding its event (and gave the garbage collector ~40 objects each to walk).
# Reading an empty window changes nothing; only `own` may hand out a window to add to.
_EMPTY_SUM = WindowSum(ALL_SPANS)
_EMPTY_COUNT = WindowCount((H1, H24))
_EMPTY_DISTINCT = DistinctWindow(D30)
_EMPTY_MAX = MaxWindow(D30)
SHARED_EMPTY_WINDOWS = (_EMPTY_SUM, _EMPTY_COUNT, _EMPTY_DISTINCT, _EMPTY_MAX)
_SHARED = frozenset(id(w) for w in SHARED_EMPTY_WINDOWS)
_FRESH: dict[str, Callable[[], Any]] = {
    "withdrawals": lambda: WindowSum(ALL_SPANS),
    "deposits": lambda: WindowSum(ALL_SPANS),
    "transfers_out": lambda: WindowCount((H24,)),
    "transfers_in": lambda: WindowCount((H24,)),
    "logins": lambda: WindowCount((H24,)),
    "failed_logins": lambda: WindowCount((H1, H24)),
    "devices": lambda: DistinctWindow(D30),
    "ips": lambda: DistinctWindow(H24),
    "countries": lambda: DistinctWindow(D30),
    "withdrawal_addresses": lambda: DistinctWindow(D7),
    "max_withdrawal": lambda: MaxWindow(D30),
}


class CustomerState:
    __slots__ = _WINDOW_SUMS + _DISTINCTS + _SCALARS + ("max_withdrawal",)

    def __init__(self) -> None:
        self.withdrawals = self.deposits = _EMPTY_SUM
        self.transfers_out = self.transfers_in = self.logins = self.failed_logins = _EMPTY_COUNT
        self.devices = self.ips = self.countries = self.withdrawal_addresses = _EMPTY_DISTINCT
        self.max_withdrawal = _EMPTY_MAX
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

    def own(self, name: str) -> Any:
        """The window `name` to add to: this customer's own, made on first use."""
        window = getattr(self, name)
        if id(window) in _SHARED:
            window = _FRESH[name]()
            setattr(self, name, window)
        return window

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
            state.own(name).load(data[name])
        for name in _SCALARS:
            setattr(state, name, data[name])
        if state.last_login is not None:
            ts, country, new = state.last_login
            state.last_login = (ts, country, new)
        return state


def entity_window(kind: str) -> DistinctWindow:
    """Customers seen on a device (30d), an IP (24h), a withdrawal destination or a deposit's address (30d)."""
    return DistinctWindow(H24 if kind == "ip" else D30)


def dumps_window(window: DistinctWindow) -> str:
    return json.dumps(window.to_json(), separators=(",", ":"))


def loads_window(kind: str, text: str | bytes) -> DistinctWindow:
    return entity_window(kind).load(json.loads(text))
