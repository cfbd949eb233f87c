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
    # Draw every session's randomness in bulk: numpy calls per scalar would dominate the run time.
    n = len(ts_all)
    uniforms = rng.random((n, 10)).tolist()
    trade_counts = rng.poisson(habits.trades, n).tolist()
    trades = _TradeDraws(world, c, int(sum(trade_counts)))
    for i, ts in enumerate(ts_all.tolist()):
        _session(world, c, int(ts), habits, trip, uniforms[i], trade_counts[i], trades)


class _TradeDraws:
    """Pre-drawn trade parameters for one customer, consumed in order."""

    def __init__(self, world: World, c: Customer, count: int) -> None:
        rng = world.rng
        self.gaps = rng.integers(10, 900, count).tolist()
        self.picks = rng.random((count, 3)).tolist()  # base asset, quote asset, side
        self.usd = (c.median_usd * rng.lognormal(0.0, 1.0, count)).tolist()
        self.volatile = [a for a in c.favourite_assets if a not in STABLE] or ["BTC"]
        self.next = 0

    def emit(self, world: World, c: Customer, ts: int) -> int:
        i = self.next
        self.next += 1
        base_pick, quote_pick, side_pick = self.picks[i]
        base = self.volatile[int(base_pick * len(self.volatile))]
        side = "buy" if side_pick < 0.53 else "sell"
        actions.trade(world, c, ts, side, base, "USDT" if quote_pick < 0.7 else "USD", self.usd[i])
        return ts + self.gaps[i]


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


def session_context(
    world: World, c: Customer, ts: int, trip: Trip | None, u: list[float] | None = None
) -> tuple[Device, str, str]:
    """Device, IP and country of a session; `u` are three uniforms drawn by the caller (or drawn here)."""
    d_pick, ip_pick, which = u if u is not None else world.rng.random(3).tolist()
    if trip and trip.start <= ts < trip.end:
        device = trip.device if trip.device and d_pick < 0.6 else c.devices[0]
        return device, ip_in(world, trip.country), trip.country
    device = c.devices[0] if len(c.devices) == 1 or d_pick < 0.7 else c.devices[int(which * len(c.devices))]
    if is_mobile(device) and ip_pick < 0.5:
        return device, ip_in(world, c.country.code), c.country.code  # on the mobile network
    return device, c.home_ips[int(which * len(c.home_ips))], c.country.code


def _session(
    world: World, c: Customer, ts: int, habits: Habits, trip: Trip | None, u: list[float], trade_count: int,
    trades: _TradeDraws,
) -> None:  # fmt: skip
    rng = world.rng
    device, ip, country = session_context(world, c, ts, trip, u[7:10])
    earliest = max(world.start, c.onboarded + 60)  # money arrives before the session, but not before onboarding
    if u[0] < habits.fiat_deposit:
        usd = c.median_usd * float(rng.lognormal(0.6, 0.8))
        actions.fiat_deposit(world, c, max(ts - int(rng.integers(600, 6 * HOUR)), earliest), usd, card=u[1] < 0.3)
    if u[2] < habits.crypto_deposit:
        _crypto_deposit(world, c, max(ts - int(rng.integers(120, 3 * HOUR)), earliest))
    if u[3] < 0.03:
        actions.login(world, c, ts - 20 - int(u[3] * 2_000), device, ip, country, success=False)
    actions.login(world, c, ts, device, ip, country)
    t = ts + 20 + int(u[1] * 100)
    for _ in range(trade_count):
        t = trades.emit(world, c, t)
    if u[4] < habits.profile:
        field = str(rng.choice(["password", "2fa", "email", "phone", "api_key", "withdrawal_whitelist"],
                               p=[0.38, 0.14, 0.12, 0.1, 0.16, 0.1]))  # fmt: skip
        actions.profile_change(world, c, t, field, device, ip)
        t += int(rng.integers(30, 600))
    if u[5] < habits.transfer:
        _transfer(world, c, t)
        t += int(rng.integers(30, 600))
    if u[6] < habits.withdraw:
        _withdraw(world, c, t, device, ip)
    elif u[6] > 1 - 0.012:
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


def _transfer(world: World, c: Customer, ts: int) -> None:
    rng = world.rng
    if c.segment == "otc":
        receiver = world.customers[int(rng.integers(len(world.customers)))]  # OTC desks settle with many clients
        usd = min(c.median_usd * float(rng.lognormal(-1.0, 0.9)), 0.5 * max(c.balance_usd(ts), 100.0))
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
    balance = c.balance_usd(ts)
    if balance < 25:  # nothing worth withdrawing; keeps normal balances from going negative
        return
    asset = c.favourite_assets[int(rng.integers(len(c.favourite_assets)))]
    network = actions.network_for(world, asset)
    usual = [n for n, _ in ASSETS[asset].networks if c.address_book.get(n)]
    if usual and rng.random() < 0.95:  # people keep to the network their wallet is on
        network = usual[int(rng.integers(len(usual)))]
    book = [a for a in c.address_book.get(network, ()) if c.saved_at[a] < ts]  # sessions can overlap in time
    if not book or rng.random() < 0.05:
        address = random_address(rng, network, checksum_share=0.3)
        # Most people save a new address minutes before using it; some saved it days ago.
        added = ts - int(rng.integers(60, 900)) if rng.random() < 0.7 else ts - int(rng.integers(1, 6)) * DAY
        actions.address_add(world, c, max(added, world.start), network, address, device, ip)
        ts = max(ts, world.start + 60)
    else:
        address = book[int(rng.integers(len(book)))]
    usd = min(c.median_usd * float(rng.lognormal(0.7, 1.0)), 0.95 * balance)
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
