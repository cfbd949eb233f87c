"""`simulate(config)`: build the population, reserve scenario actors, generate behaviour, inject scenarios, finalize."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import orjson

from warden.sim import normal, population
from warden.sim.assets import MEMO_NETWORKS, PriceBook
from warden.sim.config import SimConfig
from warden.sim.log import EventLog, LabelRow, assign_ids
from warden.sim.scenarios import SCENARIOS
from warden.sim.world import World, epoch

SIMULATOR_VERSION = "1.0"
Progress = Callable[[str, int, int], None]  # (phase, done, total)


@dataclass
class SimulationResult:
    config: SimConfig
    lines: list[bytes]  # one JSON event per line, sorted by occurred_at then event_id
    labels: list[LabelRow]
    counts: Counter[str] = field(default_factory=Counter)  # events per type
    version: str = SIMULATOR_VERSION
    context: dict[str, Any] = field(default_factory=dict)  # what the exchange knows: `context.json`

    @property
    def events(self) -> int:
        return len(self.lines)


def _silent(phase: str, done: int, total: int) -> None:
    return None


def simulate(config: SimConfig, progress: Progress | None = None) -> SimulationResult:
    report = progress or _silent
    rng = np.random.default_rng(config.seed)
    world = World(config, rng, PriceBook(rng, config.days), EventLog(), epoch(config.start))
    population.build_population(world)
    for customer in world.customers:
        population.prepare_kyc(world, customer)
    plans = [(scenario, scenario.plan(world)) for scenario in SCENARIOS]  # reserve actors before behaviour
    total = len(world.customers)
    for i, customer in enumerate(world.customers):
        population.emit_history(world, customer)
        normal.simulate_customer(world, customer)
        if i % 250 == 0:
            report("customers", i, total)
    report("customers", total, total)
    for i, (scenario, plan) in enumerate(plans):
        scenario.inject(world, plan)
        report("scenarios", i + 1, len(plans))
    for customer in world.customers:
        population.emit_kyc(world, customer)
    return _finalize(world, report)


def _finalize(world: World, report: Progress) -> SimulationResult:
    log = world.log
    count = len(log)
    ids = assign_ids(world.rng, count)
    times = np.asarray(log.times, dtype=np.int64)
    stamps = np.datetime_as_string(times.astype("datetime64[s]"), unit="s").tolist()
    order = _order(times, ids)
    lines: list[bytes] = []
    counts: Counter[str] = Counter()
    dumps = orjson.dumps
    for n, i in enumerate(order):
        payload = log.payloads[i]
        counts[payload["type"]] += 1
        lines.append(dumps({"event_id": ids[i], "occurred_at": stamps[i] + "Z", **payload}))
        if n % 100_000 == 0:
            report("finalize", n, count)
    report("finalize", count, count)
    labels: list[LabelRow] = [("event", ids[i], label, typ, sc) for i, label, typ, sc in log.event_labels]
    labels.extend(dict.fromkeys(log.entity_labels))  # an address shared by victims is labelled once per scenario
    labels.sort()
    return SimulationResult(world.config, lines, labels, counts, context=exchange_context(world))


def exchange_context(world: World) -> dict[str, Any]:
    """The exchange's own facts in the shape of `context.json`: its window, memo networks and shared memo
    deposit addresses, and the hacks it has read about (each hack scenario's source addresses, published
    the day it starts, as incident reports are)."""
    start = datetime.fromtimestamp(world.start, UTC)
    incidents: dict[str, list[str]] = {}
    for entity, value, label, _typology, scenario in world.log.entity_labels:
        if entity == "address" and label == "hack_proceeds":
            incidents.setdefault(scenario, []).append(value)
    return {
        "description": "Facts the simulated exchange knows about itself (warden simulate).",
        "window": {
            "start": f"{start:%Y-%m-%dT%H:%M:%SZ}",
            "end": f"{start + timedelta(days=world.config.days):%Y-%m-%dT%H:%M:%SZ}",
        },
        "memo_networks": sorted(MEMO_NETWORKS),
        "exchange_memo_addresses": dict(sorted(world.exchange_addresses.items())),
        "hack_incidents": [
            {
                "incident_id": scenario,
                "summary": "published heist / exploit addresses",
                "addresses": sorted(set(addresses)),
            }
            for scenario, addresses in sorted(incidents.items())
        ],
    }


def _order(times: np.ndarray, ids: list[str]) -> list[int]:
    id_array = np.array(ids)
    return np.lexsort((id_array, times)).tolist()
