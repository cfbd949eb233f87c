"""`warden bench console`."""

from __future__ import annotations

import typer

from warden.cli.common import print_json
from warden.cli.groups import bench_app


def register(app: typer.Typer) -> None:
    @bench_app.command("console")
    def bench_console(
        events: int = typer.Option(1_000_000, min=1000, help="how many events in the store"),
        seed: int = typer.Option(7),
        database_url: str = typer.Option("", help="a PostgreSQL URL (default: an embedded SQLite store)"),
        as_json: bool = typer.Option(True, "--json/--no-json"),
    ) -> None:
        """Search p95 (target <= 200 ms) and customer-view time (<= 300 ms), against /healthz in the same run."""
        from warden.bench.console import run_console_bench

        result = run_console_bench(events, seed, database_url or None)
        print_json(result) if as_json else typer.echo(result)
