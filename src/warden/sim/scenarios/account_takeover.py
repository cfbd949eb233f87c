"""Account takeover: a stranger logs in (new device, IP, usually another country), often changes a credential,
saves an address and drains the balance within minutes to hours.

Parameters varied per scenario: failed attempts before success (0-5), whether the attacker uses a proxy in the
victim's own country (25%), which credential is changed (none in 30%), 1-3 withdrawals, share drained (70-100%).
"""

from __future__ import annotations

from warden.sim import actions
from warden.sim.population import ip_in, new_device
from warden.sim.scenarios.common import add_and_withdraw, drainable, foreign_country, later, window_start
from warden.sim.world import DAY, HOUR, Customer, World

TYPOLOGY = "account_takeover"


def plan(world: World) -> list[Customer]:
    count = world.config.scenario_count(18, minimum=3)
    return world.take(count, ("retail", "trader", "whale"), TYPOLOGY)


def inject(world: World, victims: list[Customer]) -> None:
    rng = world.rng
    for victim in victims:
        scenario = world.next_scenario("ato")
        ts = window_start(world, 2 * DAY)
        country = victim.country.code if rng.random() < 0.25 else foreign_country(world, victim)
        device, ip = new_device(world), ip_in(world, country)
        for _ in range(int(rng.choice([0, 1, 2, 5], p=[0.4, 0.3, 0.2, 0.1]))):
            actions.login(world, victim, ts, device, ip, country, success=False)
            ts = later(world, ts, 5, 120)
        actions.login(world, victim, ts, device, ip, country)
        ts = later(world, ts, 30, 600)
        if rng.random() < 0.7:
            field = str(rng.choice(["password", "2fa", "email", "withdrawal_whitelist"], p=[0.35, 0.3, 0.2, 0.15]))
            actions.profile_change(world, victim, ts, field, device, ip)
            ts = later(world, ts, 30, 900)
        asset = str(rng.choice(["USDT", "BTC", "ETH"], p=[0.5, 0.3, 0.2]))
        network = actions.network_for(world, asset)
        total = drainable(world, victim, ts) * float(rng.uniform(0.7, 1.0))
        pieces = int(rng.choice([1, 2, 3], p=[0.6, 0.3, 0.1]))
        address = None
        for piece in range(pieces):
            usd = total / pieces * float(rng.uniform(0.85, 1.15))
            if piece == 0:
                address, index = add_and_withdraw(world, victim, ts, asset, network, usd, None, device, ip, (20, 900))
            else:
                assert address is not None
                index = actions.withdrawal(world, victim, ts, asset, network, usd, address, device, ip)
            world.log.label_event(index, "fraud", TYPOLOGY, scenario)
            ts = later(world, ts, 300, 3 * HOUR)
        assert address is not None
        world.log.label_customer(victim.customer_id, "fraud", TYPOLOGY, scenario)
        world.log.label_address(address, "fraud", TYPOLOGY, scenario)
