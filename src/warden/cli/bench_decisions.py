"""`warden bench decisions` and `warden bench engine`."""

from __future__ import annotations

import typer

from warden.bench.decisions import run_decisions_bench, run_engine_bench
from warden.cli.common import print_json, settings_or_exit
from warden.cli.groups import bench_app


def register(app: typer.Typer) -> None:
    @bench_app.command("decisions")
    def bench_decisions(
        seconds: float = typer.Option(30, min=1, help="how long to drive /v1/decisions"),
        echo_seconds: float = typer.Option(10, min=1),
        workers: int = typer.Option(2, min=1),
        connections: int = typer.Option(16, min=1),
        rounds: int = typer.Option(5, min=1, help="the echo and the decisions alternate this many times"),
        as_json: bool = typer.Option(True, "--json/--no-json"),
    ) -> None:
        """The API under load (2 workers) on the configured store and Redis: throughput, p50/p99, errors, and an
        echo endpoint's throughput. Exits 1, with no ratio, when any request failed."""
        report = run_decisions_bench(
            seconds, echo_seconds, workers, connections, rounds=rounds, settings=settings_or_exit()
        )
        print_json(report)
        if not report["ok"]:
            raise typer.Exit(1)

    @bench_app.command("engine")
    def bench_engine(
        customers: int = typer.Option(2000, min=150),
        days: int = typer.Option(30, min=7),
        seed: int = typer.Option(13),
        passes: int = typer.Option(3, min=1, help="replays through a fresh engine; the median one is reported"),
        as_json: bool = typer.Option(True, "--json/--no-json"),
    ) -> None:
        """In-process replay of a simulated exchange through the engine on one core (target >= 30,000 events/s)."""
        print_json(run_engine_bench(customers, days, seed, passes))
