"""Laundering networks moving outside money through internal transfers, with mule accounts.

Graph typologies (after AMLSim): fan_in, fan_out, cycle, scatter_gather, gather_scatter, bipartite, stack.
Plus structuring (deposits just below the 10,000 USD reporting threshold) and pass_through (mules: a deposit
withdrawn within hours, the balance back near zero). Varied per scenario: sizes, amounts, spacing, asset.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from warden.sim import actions
from warden.sim.scenarios.common import add_and_withdraw, home, later, lognormal, window_start
from warden.sim.world import DAY, HOUR, Customer, World

GRAPH_TYPOLOGIES = ("fan_in", "fan_out", "cycle", "scatter_gather", "gather_scatter", "bipartite", "stack")
MULE_ROLES = frozenset({"intermediate", "target", "mule"})


@dataclass
class Ring:
    typology: str
    scenario: str
    roles: dict[str, list[Customer]] = field(default_factory=dict)
    asset: str = "USDT"


def _longest(world: World, gap: int) -> int:
    """`gap` for a 30-day window, scaled down for shorter ones (never below seven hours)."""
    return max(7 * HOUR, int(gap * min(1.0, world.config.days / 30)))


def _size(world: World, lo: int, hi: int) -> int:
    cap = 4 if world.config.customers < 1_000 else hi  # small runs keep rings small so every typology fits
    return int(world.rng.integers(lo, max(lo, min(hi, cap)) + 1))


def plan(world: World) -> list[Ring]:
    rings = []
    for typology in (*GRAPH_TYPOLOGIES, "structuring", "pass_through"):
        for _ in range(world.config.scenario_count(5, minimum=2)):
            ring = Ring(
                typology,
                world.next_scenario("aml"),
                asset=str(world.rng.choice(["USDT", "BTC", "ETH"], p=[0.7, 0.2, 0.1])),
            )
            shape = _shape(world, typology)
            for role, count in shape.items():
                members = world.take(count, ("retail", "trader"), typology)
                for member in members:
                    member.quiet = role in MULE_ROLES
                ring.roles[role] = members
            rings.append(ring)
    return rings


def _shape(world: World, typology: str) -> dict[str, int]:
    k = _size(world, 3, 10)
    return {
        "fan_in": {"source": k, "target": 1},
        "fan_out": {"source": 1, "target": k},
        "cycle": {"node": _size(world, 3, 6)},
        "scatter_gather": {"source": 1, "intermediate": k, "sink": 1},
        "gather_scatter": {"source": _size(world, 2, 5), "hub": 1, "sink": _size(world, 2, 5)},
        "bipartite": {"source": _size(world, 2, 5), "sink": _size(world, 2, 5)},
        "stack": {"layer1": _size(world, 2, 4), "layer2": _size(world, 2, 4), "layer3": _size(world, 2, 4)},
        "structuring": {"structurer": 1},
        "pass_through": {"mule": 1},
    }[typology]


def inject(world: World, rings: list[Ring]) -> None:
    for ring in rings:
        for role, members in ring.roles.items():
            label = "mule" if role in MULE_ROLES else "laundering"
            for member in members:
                world.log.label_customer(member.customer_id, label, ring.typology, ring.scenario)
        if ring.typology == "structuring":
            _structuring(world, ring)
        elif ring.typology == "pass_through":
            _pass_through(world, ring)
        else:
            _graph(world, ring)


class _Mover:
    """Moves one ring's money and labels each movement."""

    def __init__(self, world: World, ring: Ring) -> None:
        self.world, self.ring = world, ring

    def label(self, index: int, who: Customer) -> None:
        label = "mule" if who.quiet else "laundering"
        self.world.log.label_event(index, label, self.ring.typology, self.ring.scenario)

    def deposit(self, who: Customer, ts: int, usd: float) -> None:
        network = actions.network_for(self.world, self.ring.asset)
        self.label(actions.crypto_deposit(self.world, who, ts, self.ring.asset, network, usd), who)

    def move(self, sender: Customer, receiver: Customer, ts: int, usd: float) -> None:
        self.label(actions.transfer(self.world, sender, receiver, ts, self.ring.asset, usd), sender)

    def cash_out(self, who: Customer, ts: int, usd: float) -> None:
        device, ip = home(self.world, who)
        network = actions.network_for(self.world, self.ring.asset)
        _, index = add_and_withdraw(
            self.world, who, ts, self.ring.asset, network, usd, None, device, ip, (60, 2 * HOUR)
        )
        self.label(index, who)


def _graph(world: World, ring: Ring) -> None:
    rng, m, r = world.rng, _Mover(world, ring), ring.roles
    # Spacing between hops: hours for some rings, days for others; shorter in short windows so rings fit.
    step = int(rng.integers(2 * HOUR, _longest(world, 2 * DAY)))
    ts = window_start(world, 6 * step + DAY, next(iter(r.values()))[0])
    total = lognormal(world, 40_000, 0.8)

    def skim(usd: float) -> float:
        return usd * float(rng.uniform(0.93, 0.995))  # each hop keeps a cut

    def hop(t: int) -> int:
        return later(world, t, step // 2, step + 1)

    if ring.typology in ("fan_in", "gather_scatter", "bipartite"):
        sources = r["source"]
        for s in sources:
            m.deposit(s, later(world, ts, 0, step), total / len(sources) * float(rng.uniform(0.8, 1.2)))
        ts = hop(ts + step)
        if ring.typology == "fan_in":
            for s in sources:
                m.move(s, r["target"][0], later(world, ts, 0, step), skim(total / len(sources)))
            m.cash_out(r["target"][0], hop(ts + step), skim(total))
        elif ring.typology == "gather_scatter":
            for s in sources:
                m.move(s, r["hub"][0], later(world, ts, 0, step), skim(total / len(sources)))
            ts = hop(ts + step)
            for s in r["sink"]:
                m.move(r["hub"][0], s, later(world, ts, 0, step), skim(total / len(r["sink"])))
            for s in r["sink"]:
                m.cash_out(s, hop(ts + step), skim(total / len(r["sink"])))
        else:
            share = total / (len(sources) * len(r["sink"]))
            for s in sources:
                for t in r["sink"]:
                    m.move(s, t, later(world, ts, 0, 2 * step), skim(share))
            for t in r["sink"]:
                m.cash_out(t, hop(ts + 2 * step), skim(total / len(r["sink"])))
        return
    if ring.typology in ("fan_out", "scatter_gather"):
        source, middles = r["source"][0], r["target" if ring.typology == "fan_out" else "intermediate"]
        m.deposit(source, ts, total)
        ts = hop(ts)
        for x in middles:
            m.move(source, x, later(world, ts, 0, step), skim(total / len(middles)))
        ts = hop(ts + step)
        for x in middles:
            if ring.typology == "fan_out":
                m.cash_out(x, later(world, ts, 0, step), skim(total / len(middles)))
            else:
                m.move(x, r["sink"][0], later(world, ts, 0, step), skim(total / len(middles)))
        if ring.typology == "scatter_gather":
            m.cash_out(r["sink"][0], hop(ts + step), skim(total))
        return
    if ring.typology == "cycle":
        nodes = r["node"]
        m.deposit(nodes[0], ts, total)
        for i in range(len(nodes)):
            ts = hop(ts)
            total = skim(total)
            m.move(nodes[i], nodes[(i + 1) % len(nodes)], ts, total)
        m.cash_out(nodes[0], hop(ts), skim(total))
        return
    layers = [r["layer1"], r["layer2"], r["layer3"]]  # stack: full layering between consecutive layers
    for s in layers[0]:
        m.deposit(s, later(world, ts, 0, step), total / len(layers[0]))
    for upper, lower in itertools.pairwise(layers):
        ts = hop(ts + step)
        share = total / (len(upper) * len(lower))
        for s in upper:
            for t in lower:
                m.move(s, t, later(world, ts, 0, step), skim(share))
        total = skim(total)
    for t in layers[2]:
        m.cash_out(t, hop(ts + step), skim(total / len(layers[2])))


def _structuring(world: World, ring: Ring) -> None:
    rng, m = world.rng, _Mover(world, ring)
    who = ring.roles["structurer"][0]
    ts = window_start(world, 10 * DAY, who)
    fiat = rng.random() < 0.6
    for _ in range(int(rng.integers(3, 9))):
        usd = actions.below_threshold_usd(world, who)  # just below the 10,000 USD reporting threshold
        if fiat:
            m.label(actions.fiat_deposit(world, who, ts, usd, exact=True), who)
        else:
            m.deposit(who, ts, usd)
        ts = later(world, ts, 6 * HOUR, _longest(world, 2 * DAY))
    for _ in range(int(rng.integers(1, 4))):
        m.cash_out(who, ts, float(rng.uniform(8_500, 9_900)))
        ts = later(world, ts, 6 * HOUR, _longest(world, DAY))


def _pass_through(world: World, ring: Ring) -> None:
    rng, m = world.rng, _Mover(world, ring)
    mule = ring.roles["mule"][0]
    ts = window_start(world, 6 * DAY, mule)
    for _ in range(int(rng.integers(2, 6))):
        usd = lognormal(world, 6_000, 0.7)
        m.deposit(mule, ts, usd)
        m.cash_out(mule, later(world, ts, 20 * 60, 5 * HOUR), usd * float(rng.uniform(0.97, 0.995)))
        ts = later(world, ts, DAY // 2, 3 * DAY)
        if ts > world.end - DAY:
            break
