"""Helpers the scenarios share: a customer's usual session context, attacker infrastructure, spacing in time."""

from __future__ import annotations

import numpy as np

from warden.sim import actions
from warden.sim.assets import random_address
from warden.sim.identity import COUNTRIES
from warden.sim.population import ip_in
from warden.sim.world import HOUR, Customer, Device, World


def home(world: World, c: Customer) -> tuple[Device, str]:
    return c.devices[0], c.home_ips[int(world.rng.integers(len(c.home_ips)))]


def foreign_country(world: World, c: Customer) -> str:
    while True:
        code = COUNTRIES[int(world.rng.integers(len(COUNTRIES)))].code
        if code != c.country.code:
            return code


def lognormal(world: World, median: float, sigma: float) -> float:
    return float(world.rng.lognormal(np.log(median), sigma))


def later(world: World, ts: int, lo_s: int, hi_s: int) -> int:
    return ts + int(world.rng.integers(lo_s, hi_s))


def drainable(world: World, c: Customer, ts: int) -> float:
    """What the account holds at `ts` in the simulator's books (never below a small floor)."""
    return max(c.balance_usd(ts), c.median_usd * 3, 250.0)


def add_and_withdraw(
    world: World, c: Customer, ts: int, asset: str, network: str, usd: float, address: str | None,
    device: Device | None, ip: str | None, gap: tuple[int, int] = (60, HOUR),
) -> tuple[str, int]:  # fmt: skip
    """Save a new address, then withdraw to it; returns the address and the withdrawal's event index."""
    destination = address or random_address(world.rng, network)
    actions.address_add(world, c, ts, network, destination, device, ip)
    index = actions.withdrawal(world, c, later(world, ts, *gap), asset, network, usd, destination, device, ip)
    return destination, index


def window_start(world: World, span_s: int) -> int:
    """A start time that leaves `span_s` seconds before the window ends."""
    latest = max(world.start + HOUR, world.end - span_s - HOUR)
    return world.random_ts(world.start + HOUR, latest)


def ip_abroad(world: World, country: str) -> str:
    return ip_in(world, country)
