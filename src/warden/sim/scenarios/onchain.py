"""On-chain scenarios on real public addresses, plus mistaken deposits.

hack_proceeds: deposits (ETH or USDT on Ethereum) from heist/exploit addresses; the deposit and the address are
labelled, and the depositor often swaps and withdraws soon after. sanctioned: an address from the OFAC list is
saved and withdrawn to (asset matched to the list). mistaken_deposit: wrong_network (USDT sent on BSC or Ethereum
to the customer's Tron deposit address) and missing_memo (XRP/ATOM to the shared address without the tag).
"""

from __future__ import annotations

from dataclasses import dataclass

from warden.sim import actions
from warden.sim.refdata import hack_addresses, sanctioned_addresses
from warden.sim.scenarios.common import add_and_withdraw, home, later, lognormal, window_start
from warden.sim.world import DAY, HOUR, Customer, World


@dataclass
class OnchainPlan:
    hack: list[Customer]
    sanctioned: list[Customer]
    wrong_network: list[Customer]
    missing_memo: list[Customer]


def plan(world: World) -> OnchainPlan:
    cfg = world.config
    return OnchainPlan(
        hack=world.take(cfg.scenario_count(8, minimum=3), None, "hack_proceeds"),
        sanctioned=world.take(cfg.scenario_count(8, minimum=3), None, "sanctioned"),
        wrong_network=world.take(cfg.scenario_count(12, minimum=3), None, "wrong_network"),
        missing_memo=world.take(cfg.scenario_count(12, minimum=3), None, "missing_memo"),
    )


def inject(world: World, plan: OnchainPlan) -> None:
    rng = world.rng
    hacks, listed = hack_addresses(), sanctioned_addresses()
    for c in plan.hack:
        scenario = world.next_scenario("hack")
        address, _tag, kind = hacks[int(rng.integers(len(hacks)))]
        asset = "ETH" if rng.random() < 0.6 else "USDT"
        ts = window_start(world, DAY, c)
        usd = lognormal(world, 60_000, 1.0)
        index = actions.crypto_deposit(world, c, ts, asset, "ethereum", usd, from_address=address)
        world.log.label_event(index, "hack_proceeds", kind, scenario)
        world.log.label_address(address, "hack_proceeds", kind, scenario)
        if rng.random() < 0.6:  # swap to BTC and leave quickly, as launderers of stolen funds do
            device, ip = home(world, c)
            actions.trade(world, c, later(world, ts, 600, 2 * HOUR), "buy", "BTC", "USDT", usd * 0.98)
            add_and_withdraw(
                world, c, later(world, ts, 2 * HOUR, 6 * HOUR), "BTC", "bitcoin", usd * 0.95, None, device, ip
            )
    for c in plan.sanctioned:
        scenario = world.next_scenario("sdn")
        address, asset, network = listed[int(rng.integers(len(listed)))]
        device, ip = home(world, c)
        usd = lognormal(world, max(c.median_usd * 2, 300), 0.9)
        _, index = add_and_withdraw(world, c, window_start(world, DAY, c), asset, network, usd, address, device, ip)
        world.log.label_event(index, "sanctioned", "ofac_sdn", scenario)
        world.log.label_address(address, "sanctioned", "ofac_sdn", scenario)
    for c in plan.wrong_network:
        scenario = world.next_scenario("mis")
        tron_address, _ = actions.deposit_address(world, c, "tron")
        network = "bsc" if rng.random() < 0.7 else "ethereum"
        ts = window_start(world, DAY, c)
        index = actions.crypto_deposit(
            world, c, ts, "USDT", network, lognormal(world, 800, 1.0), to_address=tron_address
        )
        world.log.label_event(index, "mistaken_deposit", "wrong_network", scenario)
    for c in plan.missing_memo:
        scenario = world.next_scenario("mis")
        asset = "XRP" if rng.random() < 0.75 else "ATOM"
        network = "ripple" if asset == "XRP" else "cosmos"
        ts = window_start(world, DAY, c)
        index = actions.crypto_deposit(world, c, ts, asset, network, lognormal(world, 1_500, 1.0), memo=None)
        world.log.label_event(index, "mistaken_deposit", "missing_memo", scenario)
