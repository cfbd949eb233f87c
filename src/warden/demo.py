"""The demo: simulate a small exchange, run every capability over it, then serve API and console.

Each capability adds a step to DEMO_STEPS; a step takes the DemoContext and returns a one-line summary.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from warden.audit.log import append_audit
from warden.events.ingest import Ingestor
from warden.events.labels import read_labels, store_labels
from warden.settings import Settings
from warden.store.db import Store


@dataclass
class DemoContext:
    settings: Settings
    store: Store
    customers: int
    days: int
    seed: int
    out_dir: Path
    events_path: Path = field(default_factory=Path)
    labels_path: Path = field(default_factory=Path)


DemoStep = Callable[[DemoContext], str]


def simulate_step(ctx: DemoContext) -> str:
    sim = importlib.import_module("warden.sim")
    ctx.events_path, ctx.labels_path = sim.simulate_to_dir(
        customers=ctx.customers, days=ctx.days, seed=ctx.seed, out_dir=ctx.out_dir
    )
    return f"simulated {ctx.customers:,} customers x {ctx.days} days into {ctx.out_dir}"


def ingest_step(ctx: DemoContext) -> str:
    summary = Ingestor(ctx.store, ctx.settings.parquet_dir, actor="demo").ingest([ctx.events_path])
    parsed = read_labels(ctx.labels_path)
    with ctx.store.engine.begin() as conn:
        added = store_labels(conn, parsed.labels, source="simulator")
        append_audit(conn, actor="demo", action="labels.import", subject=str(ctx.labels_path), after={"added": added})
    return (
        f"ingested {summary.total('stored'):,} events ({summary.total('duplicates'):,} already stored), "
        f"{added:,} labels"
    )


# Capabilities append their step (module path, function name) here, in flow order.
DEMO_STEPS: list[tuple[str, str]] = [
    ("warden.demo", "simulate_step"),
    ("warden.demo", "ingest_step"),
]


def run_demo_steps(ctx: DemoContext, report: Callable[[str, str], None]) -> None:
    for module, name in DEMO_STEPS:
        step: DemoStep = getattr(importlib.import_module(module), name)
        report(name, step(ctx))
