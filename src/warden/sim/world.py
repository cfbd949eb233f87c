"""The simulated exchange's state while generating: configuration, randomness, prices, customers, the log."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import numpy as np

from warden.sim.assets import PriceBook
from warden.sim.config import SimConfig
from warden.sim.identity import Country, Person
from warden.sim.log import EventLog

DAY = 86_400
HOUR = 3_600


@dataclass(frozen=True, slots=True)
class Device:
    device_id: str
    user_agent: str


@dataclass(eq=False)
class Customer:
    index: int
    customer_id: str
    segment: str  # retail, trader, whale, merchant, otc
    country: Country
    person: Person
    onboarded: int  # epoch seconds of the onboarding KYC
    activity: float  # multiplier on the segment's rates
    median_usd: float  # typical size of this customer's money movements
    devices: list[Device]
    home_ips: list[str]
    email: str
    phone: str
    bank_ref: str
    memo_tag: int
    favourite_assets: list[str]
    deposit_addresses: dict[str, str] = field(default_factory=dict)  # network -> address issued by the exchange
    address_book: dict[str, list[str]] = field(default_factory=dict)  # network -> saved withdrawal addresses
    saved_at: dict[str, int] = field(default_factory=dict)  # address -> when it was saved
    circle: list[int] = field(default_factory=list)  # friends (customer indexes) for internal transfers
    merchants: list[int] = field(default_factory=list)  # merchants this customer pays
    flows: list[tuple[int, float]] = field(default_factory=list)  # (ts, usd delta): the sim's notion of balance
    opening_usd: float = 0.0
    role: str = ""  # set when a scenario reserves the customer; "" is free
    quiet: bool = False  # scenario accounts (mules, rings) with little normal activity
    kyc: dict[str, Any] = field(default_factory=dict)  # the onboarding submission, emitted once scenarios had their say

    def balance_usd(self, before: int) -> float:
        return self.opening_usd + sum(delta for ts, delta in self.flows if ts < before)


@dataclass
class World:
    config: SimConfig
    rng: np.random.Generator
    prices: PriceBook
    log: EventLog
    start: int  # epoch seconds of the window's start
    customers: list[Customer] = field(default_factory=list)
    ip_prefixes: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    exchange_addresses: dict[str, str] = field(default_factory=dict)  # shared addresses of memo networks
    other_exchanges: dict[str, str] = field(default_factory=dict)  # another exchange's shared memo address per network
    scenario_counter: int = 0

    @property
    def end(self) -> int:
        return self.start + self.config.days * DAY

    def day_of(self, ts: int) -> int:
        return (ts - self.start) // DAY

    def next_scenario(self, prefix: str) -> str:
        self.scenario_counter += 1
        return f"{prefix}-{self.scenario_counter:04d}"

    def free(self, segments: tuple[str, ...] | None = None) -> list[Customer]:
        return [c for c in self.customers if not c.role and (segments is None or c.segment in segments)]

    def take(self, count: int, segments: tuple[str, ...] | None, role: str) -> list[Customer]:
        """Reserve `count` free customers (fewer if the pool is short) for a scenario role."""
        pool = self.free(segments) or self.free()
        chosen = self.rng.choice(len(pool), size=min(count, len(pool)), replace=False)
        picked = [pool[int(i)] for i in sorted(chosen.tolist())]
        for customer in picked:
            customer.role = role
        return picked

    def random_ts(self, lo: int, hi: int) -> int:
        return int(self.rng.integers(lo, max(hi, lo + 1)))


def epoch(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
