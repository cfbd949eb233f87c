"""Scam victims, coached to send their money to collection addresses shared by one scam operation.

pig_butchering: weeks of grooming: fiat/card deposits that grow, buys, small "test" withdrawals to the
scam platform that come back larger as deposits ("profits"), then one to three large final withdrawals.
impersonation: fake exchange support: a sudden new device in the victim's own country, sometimes a 2FA reset,
an address saved and most of the balance withdrawn within the hour.
"""

from __future__ import annotations

from dataclasses import dataclass

from warden.sim import actions
from warden.sim.assets import random_address
from warden.sim.population import ip_in, new_device
from warden.sim.scenarios.common import add_and_withdraw, drainable, home, later, lognormal, window_start
from warden.sim.world import DAY, HOUR, Customer, World


@dataclass
class Operation:
    typology: str
    scenario: str
    victims: list[Customer]


def plan(world: World) -> list[Operation]:
    operations = []
    for typology, per_10k in (("pig_butchering", 4), ("impersonation", 5)):
        for _ in range(world.config.scenario_count(per_10k, minimum=2)):
            size = int(world.rng.integers(1, 4))
            victims = world.take(size, ("retail", "whale", "trader"), typology)
            operations.append(Operation(typology, world.next_scenario(typology[:3]), victims))
    return operations


def inject(world: World, operations: list[Operation]) -> None:
    for op in operations:
        network = "tron" if world.rng.random() < 0.7 else "ethereum"
        collection = [random_address(world.rng, network) for _ in range(int(world.rng.integers(1, 3)))]
        for victim in op.victims:
            world.log.label_customer(victim.customer_id, "scam_victim", op.typology, op.scenario)
            if op.typology == "pig_butchering":
                _pig_butchering(world, victim, op.scenario, network, collection)
            else:
                _impersonation(world, victim, op.scenario, network, collection)
        saved = {a for victim in op.victims for a in victim.address_book.get(network, [])}
        for address in collection:
            if address in saved:  # label only collection addresses some victim actually paid
                world.log.label_address(address, "fraud", op.typology, op.scenario)


def _coached(world: World, victim: Customer, ts: int, usd: float, address: str, network: str, scenario: str,
             typology: str, saved: bool) -> None:  # fmt: skip
    device, ip = home(world, victim)
    if saved:
        index = actions.withdrawal(world, victim, ts, "USDT", network, usd, address, device, ip)
    else:
        _, index = add_and_withdraw(world, victim, ts, "USDT", network, usd, address, device, ip, (120, 2 * HOUR))
    world.log.label_event(index, "scam_victim", typology, scenario)


def _pig_butchering(world: World, victim: Customer, scenario: str, network: str, collection: list[str]) -> None:
    rng = world.rng
    span = max(2, min(world.config.days - 3, int(rng.integers(14, 29)))) * DAY  # room for the final withdrawals
    ts = window_start(world, span, victim)
    steps = int(rng.integers(3, 7))
    gap = span // (steps + 1)
    usd = lognormal(world, 400, 0.5)
    device, ip = home(world, victim)
    address = collection[0]
    for step in range(steps):
        actions.fiat_deposit(world, victim, ts, usd, card=rng.random() < 0.4)
        actions.login(world, victim, later(world, ts, 600, 4 * HOUR), device, ip, victim.country.code)
        actions.trade(world, victim, later(world, ts, 4 * HOUR, 5 * HOUR), "buy", "USDT", "USD", usd * 0.99)
        if step < 2:  # the "test" withdrawal comes back with a fake profit, to build trust
            test = float(rng.uniform(50, 400))
            _coached(world, victim, later(world, ts, 5 * HOUR, 6 * HOUR), test, address, network, scenario,
                     "pig_butchering", saved=step > 0)  # fmt: skip
            actions.crypto_deposit(world, victim, later(world, ts, DAY, 2 * DAY), "USDT", network,
                                   test * float(rng.uniform(1.05, 1.3)), from_address=address)  # fmt: skip
        ts += gap
        usd *= float(rng.uniform(1.5, 2.6))
    total = drainable(world, victim, ts) * float(rng.uniform(0.8, 0.98))
    pieces = int(rng.integers(1, 4))
    for _ in range(pieces):
        destination = collection[int(rng.integers(len(collection)))]
        _coached(world, victim, ts, total / pieces, destination, network, scenario, "pig_butchering",
                 saved=destination in victim.address_book.get(network, []))  # fmt: skip
        ts = later(world, ts, HOUR, 12 * HOUR)


def _impersonation(world: World, victim: Customer, scenario: str, network: str, collection: list[str]) -> None:
    rng = world.rng
    ts = window_start(world, DAY, victim)
    device = new_device(world, mobile=False)  # the "support agent" has the victim install remote access
    ip = ip_in(world, victim.country.code)
    actions.login(world, victim, ts, device, ip, victim.country.code)
    ts = later(world, ts, 60, 900)
    if rng.random() < 0.4:
        actions.profile_change(world, victim, ts, "2fa", device, ip)
        ts = later(world, ts, 60, 600)
    address = collection[int(rng.integers(len(collection)))]
    usd = drainable(world, victim, ts) * float(rng.uniform(0.6, 0.95))
    actions.address_add(world, victim, ts, network, address, device, ip)
    index = actions.withdrawal(world, victim, later(world, ts, 60, 1_800), "USDT", network, usd, address, device, ip)
    world.log.label_event(index, "scam_victim", "impersonation", scenario)
