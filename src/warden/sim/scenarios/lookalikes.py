"""Benign look-alikes: normal customers doing what scenarios do, unlabelled, so no signal separates alone.

- traveller: abroad, on a new device, saves an address and withdraws a large sum (looks like account takeover)
- credential_then_withdraw: changes the password or 2FA, then withdraws to a saved address (account takeover)
- new_phone: new device at home, saves an address, withdraws most of the balance (impersonation)
- household: family members share surname, postal address, a tablet and the home IP at KYC (identity rings)
- growing_saver: fiat deposits growing over weeks, buys, then a large move to self-custody (pig butchering)
- below_threshold: one legitimate deposit between 8,000 and 9,990 USD (structuring)
- arbitrage: deposit, trades, withdrawal to a saved address within hours (pass_through)
- friend_cycle: friends pass small sums around a circle (cycle)
- bsc_usdt: USDT on BSC to the customer's own EVM deposit address, which the exchange supports (wrong_network)
- payroll: an employer pays ten to twenty staff (other customers) on one day (fan_out)
- p2p_trader: buys from and sells to a dozen customers a week, each a small sum (fan_in, fan_out, pass-through)
- other_exchange: withdrawals to another exchange's shared deposit address, each with the customer's own
  memo there; many customers pay the same address ("an address many customers send to")
Merchants (many small incoming transfers) and OTC desks (many outgoing) already mimic fan_in and fan_out.

Each look-alike is labelled `normal` with a `benign_<kind>` typology in labels.csv (as the partner sample
labels its decoys), so a false-positive rate can be measured per group; nothing in Warden reads them except
the evaluations.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from warden.sim import actions
from warden.sim.assets import memo_for, random_address
from warden.sim.identity import make_person, mrz_for
from warden.sim.population import ip_in, new_device
from warden.sim.scenarios.common import (
    add_and_withdraw,
    drainable,
    foreign_country,
    home,
    later,
    lognormal,
    window_start,
)
from warden.sim.world import DAY, HOUR, Customer, Device, World

KINDS = {  # kind -> (per 10,000 customers, minimum)
    "traveller": (25, 3), "credential_then_withdraw": (30, 3), "new_phone": (25, 3), "household": (30, 2),
    "growing_saver": (15, 2), "below_threshold": (25, 3), "arbitrage": (15, 3), "friend_cycle": (10, 2),
    "bsc_usdt": (20, 3), "payroll": (5, 1), "p2p_trader": (10, 2), "other_exchange": (40, 4),
}  # fmt: skip
BENIGN_TYPOLOGY = {  # the partner sample's names where one fits
    "traveller": "benign_travel", "new_phone": "benign_device_change", "household": "benign_household",
    "arbitrage": "benign_fast_in_out", "payroll": "benign_payroll_fan_out", "p2p_trader": "benign_p2p_trader",
    "below_threshold": "benign_below_threshold", "other_exchange": "benign_other_exchange",
}  # fmt: skip


@dataclass
class LookalikePlan:
    actors: dict[str, list[Customer]] = field(default_factory=dict)


def plan(world: World) -> LookalikePlan:
    result = LookalikePlan()
    for kind, (per_10k, minimum) in KINDS.items():
        count = world.config.scenario_count(per_10k, minimum)
        segments = ("retail", "trader", "whale")
        result.actors[kind] = world.take(count * (2 if kind == "household" else 1), segments, f"lookalike:{kind}")
    members = result.actors["household"]
    for a, b in zip(members[::2], members[1::2], strict=False):
        # Before behaviour is generated: b lives with a, on the same connection, sometimes on a's tablet.
        b.country, b.home_ips = a.country, list(a.home_ips)
        b.devices.append(a.devices[0])
    return result


def inject(world: World, plan: LookalikePlan) -> None:
    rng = world.rng
    for kind, actors in plan.actors.items():
        for n, c in enumerate(actors):
            scenario = f"decoy-{kind}-{n:04d}"
            world.log.label_customer(c.customer_id, "normal", BENIGN_TYPOLOGY.get(kind, f"benign_{kind}"), scenario)
        if kind == "household":
            for a, b in zip(actors[::2], actors[1::2], strict=False):
                _household(world, a, b)
            continue
        for c in actors:
            ts = window_start(world, 3 * DAY, c)
            device, ip = home(world, c)
            if kind == "traveller":
                country = foreign_country(world, c)
                device, ip = new_device(world), ip_in(world, country)
                actions.login(world, c, ts, device, ip, country)
                usd = drainable(world, c, ts) * float(rng.uniform(0.3, 0.9))
                add_and_withdraw(
                    world, c, later(world, ts, 60, 600), "USDT", "tron", usd, None, device, ip, (60, 6 * HOUR)
                )
            elif kind == "credential_then_withdraw":
                actions.login(world, c, ts, device, ip, c.country.code)
                actions.profile_change(
                    world, c, later(world, ts, 30, 300), str(rng.choice(["password", "2fa"])), device, ip
                )
                network, address = _saved_address(world, c, ts, device, ip)
                asset = {"bitcoin": "BTC", "ethereum": "ETH", "solana": "SOL", "litecoin": "LTC"}.get(network, "USDT")
                if network in ("ripple", "cosmos"):
                    asset = "XRP" if network == "ripple" else "ATOM"
                actions.withdrawal(world, c, later(world, ts, 600, 2 * HOUR), asset, network,
                                   c.median_usd * float(rng.lognormal(1.0, 0.8)), address, device, ip)  # fmt: skip
            elif kind == "new_phone":
                device = new_device(world, mobile=True)
                c.devices.append(device)
                actions.login(world, c, ts, device, ip, c.country.code)
                usd = drainable(world, c, ts) * float(rng.uniform(0.5, 0.95))
                add_and_withdraw(
                    world, c, later(world, ts, 60, 1_800), "USDT", "tron", usd, None, device, ip, (60, 3_600)
                )
            elif kind == "growing_saver":
                _growing_saver(world, c)
            elif kind == "below_threshold":
                actions.fiat_deposit(world, c, ts, actions.below_threshold_usd(world, c), exact=True)
            elif kind == "arbitrage":
                usd = lognormal(world, 5_000, 0.7)
                actions.crypto_deposit(world, c, ts, "USDT", "tron", usd)
                actions.login(world, c, later(world, ts, 60, 600), device, ip, c.country.code)
                for _ in range(int(rng.integers(2, 6))):
                    actions.trade(
                        world,
                        c,
                        later(world, ts, 600, 2 * HOUR),
                        str(rng.choice(["buy", "sell"])),
                        "BTC",
                        "USDT",
                        usd * 0.5,
                    )
                network, address = _saved_address(world, c, ts, device, ip, network="tron")
                actions.withdrawal(
                    world,
                    c,
                    later(world, ts, 2 * HOUR, 5 * HOUR),
                    "USDT",
                    network,
                    usd * float(rng.uniform(0.98, 1.04)),
                    address,
                    device,
                    ip,
                )
            elif kind == "friend_cycle":
                _friend_cycle(world, c, ts)
            elif kind == "bsc_usdt":
                actions.crypto_deposit(world, c, ts, "USDT", "bsc", lognormal(world, 700, 1.0))
            elif kind == "payroll":
                _payroll(world, c, ts)
            elif kind == "p2p_trader":
                _p2p_trader(world, c)
            elif kind == "other_exchange":
                _other_exchange(world, c, ts)


def _payroll(world: World, employer: Customer, ts: int) -> None:
    staff = world.free(("retail",))[: int(world.rng.integers(10, 21))]
    wage = lognormal(world, 1_500, 0.3)
    actions.fiat_deposit(world, employer, ts, wage * len(staff) * 1.1)
    payday = later(world, ts, 2 * HOUR, DAY)
    for person in staff:
        actions.transfer(
            world,
            employer,
            person,
            later(world, payday, 0, 2 * HOUR),
            "USDT",
            wage * float(world.rng.uniform(0.8, 1.3)),
        )


def _p2p_trader(world: World, trader: Customer) -> None:
    """Buys crypto from some customers and sells to others, a small margin each, through the week."""
    peers = world.free(("retail", "trader"))
    picks = world.rng.choice(len(peers), size=min(len(peers), 24), replace=False)
    ts = window_start(world, 7 * DAY, trader)
    for i, index in enumerate(picks.tolist()):
        peer, usd = peers[int(index)], lognormal(world, 250, 0.6)
        at = ts + int(i * 7 * DAY / max(len(picks), 1))
        if i % 2:
            actions.transfer(world, peer, trader, at, "USDT", usd)
        else:
            actions.transfer(world, trader, peer, at, "USDT", usd * 1.02)


def _other_exchange(world: World, c: Customer, ts: int) -> None:
    """A withdrawal to another exchange's shared deposit address with the customer's own memo there."""
    network = "ripple" if world.rng.random() < 0.6 else "cosmos"
    address = other_exchange_address(world, network)
    device, ip = home(world, c)
    asset = "XRP" if network == "ripple" else "ATOM"
    memo = memo_for(network, int(world.rng.integers(10_000, 99_999_999)))
    usd = min(lognormal(world, 400, 0.8), drainable(world, c, ts))
    if address not in c.address_book.get(network, []):  # saved with its memo once, used since
        saved = ts - int(world.rng.integers(1, 60)) * DAY  # often before the window, as address books are
        actions.address_add(world, c, saved, network, address, device, ip)
    actions.withdrawal(world, c, later(world, ts, HOUR, DAY), asset, network, usd, address, device, ip, memo=memo)


def other_exchange_address(world: World, network: str) -> str:
    """The one shared deposit address another exchange uses on `network` (made on first use)."""
    if network not in world.other_exchanges:
        world.other_exchanges[network] = random_address(world.rng, network)
    return world.other_exchanges[network]


def _saved_address(
    world: World, c: Customer, ts: int, device: Device, ip: str, network: str | None = None
) -> tuple[str, str]:
    """An address saved before `ts` (saving one three days earlier if there is none on that network)."""
    if network is None and c.address_book:
        network = sorted(c.address_book)[int(world.rng.integers(len(c.address_book)))]
    network = network or "tron"
    earlier = [a for a in c.address_book.get(network, []) if c.saved_at.get(a, ts) < ts - 60]
    if not earlier:
        address = random_address(world.rng, network)
        actions.address_add(world, c, max(world.start, ts - 3 * DAY), network, address, device, ip)
        earlier = [address]
    return network, earlier[int(world.rng.integers(len(earlier)))]


def _household(world: World, a: Customer, b: Customer) -> None:
    """b joins a's household: same surname, address, home IP and a shared tablet at onboarding."""
    person = make_person(world.rng, a.country, surname=a.person.surname)
    b.kyc.update(full_name=person.full_name, date_of_birth=person.date_of_birth.isoformat(),
                 nationality=a.country.code, document_country=a.country.code,
                 address=a.kyc["address"], device_id=a.kyc["device_id"], ip=a.kyc["ip"])  # fmt: skip
    b.kyc.pop("mrz", None)
    mrz = mrz_for(person, b.kyc["document_type"], b.kyc["document_number"], b.kyc["_expiry"])
    if mrz:
        b.kyc["mrz"] = mrz


def _growing_saver(world: World, c: Customer) -> None:
    rng = world.rng
    span = min(world.config.days - 2, 21) * DAY  # leaves a day for the final move to cold storage
    ts = window_start(world, span, c)
    usd = lognormal(world, 300, 0.5)
    device, ip = home(world, c)
    for _ in range(int(rng.integers(3, 6))):
        actions.fiat_deposit(world, c, ts, usd)
        actions.login(world, c, later(world, ts, 600, 3 * HOUR), device, ip, c.country.code)
        actions.trade(world, c, later(world, ts, 3 * HOUR, 4 * HOUR), "buy", "BTC", "USD", usd * 0.99)
        ts += span // 5
        usd *= float(rng.uniform(1.4, 2.2))
    add_and_withdraw(world, c, ts, "BTC", "bitcoin", drainable(world, c, ts) * 0.8, None, device, ip, (600, 12 * HOUR))


def _friend_cycle(world: World, c: Customer, ts: int) -> None:
    members = [c] + [world.customers[i] for i in c.circle[:3]]
    if len(members) < 3:
        members = [c, *world.free(("retail",))[:2]]
    usd = lognormal(world, 80, 0.6)
    for i in range(len(members)):
        ts = later(world, ts, HOUR, DAY)
        actions.transfer(
            world, members[i], members[(i + 1) % len(members)], ts, "USDT", usd * float(world.rng.uniform(0.8, 1.2))
        )
