"""`warden bench api-keys`."""

from __future__ import annotations

import typer

from warden.cli.common import print_json
from warden.cli.groups import bench_app


def register(app: typer.Typer) -> None:
    @bench_app.command("api-keys")
    def bench_api_keys(
        postgres: str | None = typer.Option(
            None,
            "--postgres",
            help="a PostgreSQL server URL: the bench makes and drops its own database there; default: SQLite",
        ),
        calls: int = typer.Option(200_000, min=1000),
    ) -> None:
        """The API-key check on the decisions hot path, with the revocation-generation check, against references."""
        from warden.access.bench import run_api_key_bench

        print_json(run_api_key_bench(postgres, calls))
