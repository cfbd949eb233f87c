"""`warden bench ingest`."""

from __future__ import annotations

import typer

from warden.bench.ingest import run_ingest_bench
from warden.cli.common import print_json
from warden.cli.groups import bench_app


def register(app: typer.Typer) -> None:
    @bench_app.command("ingest")
    def bench_ingest(
        events: int = typer.Option(1_000_000, min=1000, help="how many events"),
        seed: int = typer.Option(7),
        as_json: bool = typer.Option(True, "--json/--no-json"),
    ) -> None:
        """Events per second into the embedded store (target >= 50,000/s)."""
        result = run_ingest_bench(events, seed)
        print_json(result) if as_json else typer.echo(result)
