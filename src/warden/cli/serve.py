"""`warden serve` and `warden demo`."""

from __future__ import annotations

from pathlib import Path

import typer
import uvicorn
from rich.console import Console

from warden.api.workers import GRACEFUL_SHUTDOWN_SECONDS, reuse_port_supported, run_workers
from warden.cli.common import settings_or_exit
from warden.demo.steps import DemoContext, run_demo_steps
from warden.store.db import open_store


def _serve(host: str, port: int, workers: int, log_level: str, access_log: bool = False) -> None:
    if workers > 1 and reuse_port_supported():
        # a socket per worker, so that the kernel spreads connections evenly (see warden.api.workers)
        status = run_workers(workers, host, port, access_log=access_log, log_level=log_level.lower())
        if status:
            raise typer.Exit(status)
        return
    uvicorn.run(
        "warden.api.app:create_app",
        access_log=access_log,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level.lower(),
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        host: str | None = typer.Option(None, help="default WARDEN_HOST (127.0.0.1)"),
        port: int | None = typer.Option(None, help="default WARDEN_PORT (8000)"),
        workers: int = typer.Option(1, min=1),
        access_log: bool = typer.Option(False, help="log every request (costs throughput)"),
    ) -> None:
        """The API (OpenAPI at /docs) and the console."""
        settings = settings_or_exit()
        open_store(settings).dispose()  # migrate once, before workers start
        if workers > 1 and not settings.redis_url:
            typer.echo(
                "warning: without WARDEN_REDIS_URL each worker keeps its own feature state, so features see only "
                "the events that worker decided; set it to share state",
                err=True,
            )
        _serve(host or settings.host, port or settings.port, workers, settings.log_level, access_log)

    @app.command("demo")
    def demo(
        customers: int = typer.Option(2000, min=50),
        days: int = typer.Option(30, min=3),
        seed: int = typer.Option(7),
        out: Path | None = typer.Option(None, help="where the simulated files go (default DATA_DIR/demo)"),
        serve: bool = typer.Option(True, help="serve API and console when done"),
        port: int | None = typer.Option(None),
    ) -> None:
        """Simulate a small exchange, run every capability over it, serve API + console on 127.0.0.1:8000."""
        settings = settings_or_exit()
        store = open_store(settings)
        console = Console()
        ctx = DemoContext(settings, store, customers, days, seed, out or settings.data_dir / "demo")
        run_demo_steps(ctx, lambda name, line: console.print(f"[green]✓[/green] {line}"))
        store.dispose()
        for note in ctx.notes:
            console.print(note)
        if serve:
            url = f"http://{settings.host}:{port or settings.port}"
            console.print(f"Console: {url}/   API docs: {url}/docs   (Ctrl+C to stop)")
            _serve(settings.host, port or settings.port, 1, settings.log_level)
