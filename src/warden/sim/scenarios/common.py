"""Helpers the scenarios share: a customer's usual session context, attacker infrastructure, spacing in time."""

from __future__ import annotations

import numpy as np

from warden.sim import actions
from warden.sim.assets import random_address
from warden.sim.identity import COUNTRIES
from warden.sim.population import SEGMENTS
from warden.sim.world import DAY, HOUR, Customer, Device, World


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


def window_start(world: World, span_s: int, c: Customer | None = None) -> int:
    """A start time that leaves `span_s` seconds before the window ends; with a customer, at an hour of their
    own day drawn from their segment's rhythm (coached victims and most launderers act in their waking hours)."""
    latest = max(world.start + HOUR, world.end - span_s - HOUR)
    ts = world.random_ts(world.start + HOUR, latest)
    if c is None:
        return ts
    hours = np.array(SEGMENTS[c.segment].hours)
    offset = c.country.utc_offset * HOUR
    local_midnight = (ts + offset) // DAY * DAY - offset
    hour = int(world.rng.choice(24, p=hours / hours.sum()))
    snapped = local_midnight + hour * HOUR + int(world.rng.integers(0, HOUR))
    return min(max(snapped, world.start + HOUR), latest)
