"""`warden simulate`: a synthetic exchange's events and ground-truth labels, deterministic per seed."""

from __future__ import annotations

import time
from datetime import date, datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from warden.cli.common import fail, print_json
from warden.sim import SIMULATOR_VERSION, SimConfig, SimConfigError, simulate, write


def _parse_start(value: str) -> date:
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        fail(f"--start {value!r}: expected a date as YYYY-MM-DD")


def register(app: typer.Typer) -> None:
    @app.command("simulate")
    def simulate_command(
        customers: int = typer.Option(1_000, "--customers", help="how many customers"),
        days: int = typer.Option(30, "--days", help="length of the window in days"),
        seed: int = typer.Option(7, "--seed", help="same seed, byte-identical files"),
        out: Path = typer.Option(..., "--out", help="directory for events.jsonl and labels.csv"),
        start: str = typer.Option("2026-01-01", "--start", help="first day of the window (UTC), YYYY-MM-DD"),
        as_json: bool = typer.Option(False, "--json", help="print a machine-readable summary"),
    ) -> None:
        """Simulate an exchange: DIR/events.jsonl + DIR/labels.csv per the event contract."""
        try:
            config = SimConfig(customers=customers, days=days, seed=seed, start=_parse_start(start))
        except SimConfigError as exc:
            fail(str(exc))
        began = time.perf_counter()
        console = Console(stderr=True)
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console, transient=as_json) as bar:
            tasks: dict[str, object] = {}

            def report(phase: str, done: int, total: int) -> None:
                if phase not in tasks:
                    tasks[phase] = bar.add_task(phase, total=total)
                bar.update(tasks[phase], completed=done)  # type: ignore[arg-type]

            result = simulate(config, report)
            try:
                events_path, labels_path = write(result, out)
            except OSError as exc:
                fail(f"--out {out}: cannot write there ({exc.strerror or exc})")
        summary = {
            "events": result.events, "labels": len(result.labels), "customers": customers, "days": days,
            "seed": seed, "start": config.start.isoformat(), "events_path": str(events_path),
            "labels_path": str(labels_path), "events_bytes": events_path.stat().st_size,
            "seconds": round(time.perf_counter() - began, 2), "by_type": dict(sorted(result.counts.items())),
            "simulator_version": SIMULATOR_VERSION,
        }  # fmt: skip
        if as_json:
            print_json(summary)
        else:
            typer.echo(f"{result.events:,} events, {len(result.labels):,} labels -> {out} in {summary['seconds']} s")
