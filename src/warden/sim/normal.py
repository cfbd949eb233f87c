"""Normal behaviour: sessions in the customer's own daily and weekly rhythm, each a login followed by actions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from warden.sim import actions
from warden.sim.assets import ASSETS, random_address
from warden.sim.identity import COUNTRIES
from warden.sim.population import SEGMENTS, ip_in, is_mobile, new_device
from warden.sim.world import DAY, HOUR, Customer, Device, World

STABLE = frozenset({"USDT", "USDC"})


@dataclass(frozen=True, slots=True)
class Habits:
    """Per-session probabilities (trades are a Poisson mean) for one segment."""

    trades: float
    withdraw: float
    crypto_deposit: float
    fiat_deposit: float
    transfer: float
    profile: float


HABITS = {
    "retail": Habits(0.6, 0.06, 0.07, 0.12, 0.06, 0.012),
    "trader": Habits(2.2, 0.06, 0.08, 0.03, 0.03, 0.01),
    "whale": Habits(1.2, 0.12, 0.12, 0.04, 0.02, 0.01),
    "merchant": Habits(0.3, 0.25, 0.05, 0.02, 0.02, 0.01),
    "otc": Habits(0.8, 0.35, 0.45, 0.10, 1.6, 0.01),
}


@dataclass(slots=True)
class Trip:
    start: int
    end: int
    country: str
    device: Device | None  # a device bought or borrowed for the trip, if any


def simulate_customer(world: World, c: Customer) -> None:
    rng, cfg = world.rng, world.config
    segment = SEGMENTS[c.segment]
    first_day = max(0, world.day_of(c.onboarded))
    weekday0 = cfg.start.weekday()
    days = np.arange(first_day, cfg.days)
    weekend = ((days + weekday0) % 7) >= 5
    rate = segment.sessions_per_day * c.activity * np.where(weekend, segment.weekend_factor, 1.0)
    if c.quiet:
        rate = rate * 0.15
    counts = rng.poisson(rate)
    total = int(counts.sum())
    if total == 0:
        return
    hours = np.array(segment.hours)
    day_of = np.repeat(days, counts)
    local_hour = rng.choice(24, size=total, p=hours / hours.sum())
    ts_all = (
        world.start + day_of * DAY + local_hour * HOUR + rng.integers(0, HOUR, size=total) - c.country.utc_offset * HOUR
    )
    ts_all = np.sort(ts_all[(ts_all >= max(world.start, c.onboarded + 600)) & (ts_all < world.end - 4 * HOUR)])
    trip = _trip(world, c)
    habits = HABITS[c.segment]
    for ts in ts_all.tolist():
        _session(world, c, int(ts), habits, trip)


def _trip(world: World, c: Customer) -> Trip | None:
    rng = world.rng
    if rng.random() > 0.07 * world.config.days / 30:
        return None
    start = world.random_ts(world.start, world.end - 3 * DAY)
    country = COUNTRIES[int(rng.integers(len(COUNTRIES)))].code
    if country == c.country.code:
        return None
    device = new_device(world) if rng.random() < 0.2 else None
    return Trip(start, start + int(rng.integers(2, 12)) * DAY, country, device)


def session_context(world: World, c: Customer, ts: int, trip: Trip | None) -> tuple[Device, str, str]:
    rng = world.rng
    if trip and trip.start <= ts < trip.end:
        device = trip.device if trip.device and rng.random() < 0.6 else c.devices[0]
        return device, ip_in(world, trip.country), trip.country
    device = c.devices[0] if len(c.devices) == 1 or rng.random() < 0.7 else c.devices[int(rng.integers(len(c.devices)))]
    ip = (
        ip_in(world, c.country.code)
        if is_mobile(device) and rng.random() < 0.5
        else c.home_ips[int(rng.integers(len(c.home_ips)))]
    )
    return device, ip, c.country.code


def _session(world: World, c: Customer, ts: int, habits: Habits, trip: Trip | None) -> None:
    rng = world.rng
    device, ip, country = session_context(world, c, ts, trip)
    draws = rng.random(8)
    if draws[0] < habits.fiat_deposit:
        actions.fiat_deposit(world, c, ts - int(rng.integers(600, 6 * HOUR)), c.median_usd * float(rng.lognormal(0.6, 0.8)),
                             card=draws[1] < 0.3)  # fmt: skip
    if draws[2] < habits.crypto_deposit:
        _crypto_deposit(world, c, ts - int(rng.integers(120, 3 * HOUR)))
    if draws[3] < 0.03:
        actions.login(world, c, ts - int(rng.integers(20, 90)), device, ip, country, success=False)
    actions.login(world, c, ts, device, ip, country)
    t = ts + int(rng.integers(20, 120))
    for _ in range(int(rng.poisson(habits.trades))):
        _trade(world, c, t)
        t += int(rng.integers(10, 900))
    if draws[4] < habits.profile:
        field = str(rng.choice(["password", "2fa", "email", "phone", "api_key", "withdrawal_whitelist"],
                               p=[0.38, 0.14, 0.12, 0.1, 0.16, 0.1]))  # fmt: skip
        actions.profile_change(world, c, t, field, device, ip)
        t += int(rng.integers(30, 600))
    if draws[5] < habits.transfer:
        _transfer(world, c, t)
        t += int(rng.integers(30, 600))
    if draws[6] < habits.withdraw:
        _withdraw(world, c, t, device, ip)
    elif draws[7] < 0.012:
        _save_or_remove(world, c, t, device, ip)


def _crypto_deposit(world: World, c: Customer, ts: int) -> None:
    rng = world.rng
    asset = c.favourite_assets[int(rng.integers(len(c.favourite_assets)))]
    network = actions.network_for(world, asset)
    own = c.address_book.get(network)
    source = own[int(rng.integers(len(own)))] if own and rng.random() < 0.3 else None
    actions.crypto_deposit(
        world, c, ts, asset, network, c.median_usd * float(rng.lognormal(0.5, 1.0)), from_address=source
    )


def _trade(world: World, c: Customer, ts: int) -> None:
    rng = world.rng
    volatile = [a for a in c.favourite_assets if a not in STABLE] or ["BTC"]
    base = volatile[int(rng.integers(len(volatile)))]
    quote = "USDT" if rng.random() < 0.7 else "USD"
    side = "buy" if rng.random() < 0.53 else "sell"
    actions.trade(world, c, ts, side, base, quote, c.median_usd * float(rng.lognormal(0.0, 1.0)))


def _transfer(world: World, c: Customer, ts: int) -> None:
    rng = world.rng
    if c.segment == "otc":
        receiver = world.customers[int(rng.integers(len(world.customers)))]  # OTC desks settle with many clients
        usd = c.median_usd * float(rng.lognormal(-1.0, 0.9))
    elif c.merchants and rng.random() < 0.5:
        receiver = world.customers[c.merchants[int(rng.integers(len(c.merchants)))]]
        usd = float(rng.lognormal(np.log(45), 0.9))
    elif c.circle:
        receiver = world.customers[c.circle[int(rng.integers(len(c.circle)))]]
        usd = float(rng.lognormal(np.log(60), 0.8))
    else:
        return
    if receiver is not c:
        asset = str(rng.choice(["USDT", "USDC", "BTC", "ETH"], p=[0.68, 0.12, 0.12, 0.08]))
        actions.transfer(world, c, receiver, ts, asset, usd)


def _withdraw(world: World, c: Customer, ts: int, device: Device, ip: str) -> None:
    rng = world.rng
    asset = c.favourite_assets[int(rng.integers(len(c.favourite_assets)))]
    network = actions.network_for(world, asset)
    usual = [n for n, _ in ASSETS[asset].networks if c.address_book.get(n)]
    if usual and rng.random() < 0.95:  # people keep to the network their wallet is on
        network = usual[int(rng.integers(len(usual)))]
    book = c.address_book.get(network)
    if not book or rng.random() < 0.05:
        address = random_address(rng, network, checksum_share=0.3)
        # Most people save a new address minutes before using it; some saved it days ago.
        added = ts - int(rng.integers(60, 900)) if rng.random() < 0.7 else ts - int(rng.integers(1, 6)) * DAY
        actions.address_add(world, c, max(added, world.start), network, address, device, ip)
        ts = max(ts, world.start + 60)
    else:
        address = book[int(rng.integers(len(book)))]
    usd = c.median_usd * float(rng.lognormal(0.7, 1.0))
    actions.withdrawal(world, c, ts, asset, network, usd, address, device, ip)


def _save_or_remove(world: World, c: Customer, ts: int, device: Device, ip: str) -> None:
    rng = world.rng
    full = [n for n, book in c.address_book.items() if len(book) > 1]
    if full and rng.random() < 0.3:
        network = full[int(rng.integers(len(full)))]
        actions.address_remove(world, c, ts, network, c.address_book[network][0], device)
        return
    asset = c.favourite_assets[int(rng.integers(len(c.favourite_assets)))]
    network = actions.network_for(world, asset)
    actions.address_add(world, c, ts, network, random_address(rng, network, checksum_share=0.3), device, ip)
