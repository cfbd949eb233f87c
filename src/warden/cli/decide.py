"""`warden decide --events PATH --out FILE`: replay events in time order through the decision engine."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import orjson
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from warden.cli.common import fail, print_json, settings_or_exit
from warden.customer_scores.rollup import RollupOnCommit
from warden.decisions.factory import build_engine
from warden.decisions.replay import load_events, replay
from warden.decisions.repository import insert_decisions
from warden.events.readers import FileFormatError
from warden.rules.errors import RulesetError
from warden.store.db import open_store


def register(app: typer.Typer) -> None:
    @app.command("decide")
    def decide(
        events: list[Path] = typer.Option(..., "--events", help="event files (JSONL, CSV, Parquet)"),
        out: Path = typer.Option(..., "--out", help="one decision per line (JSONL)"),
        ruleset: Path | None = typer.Option(None, help="ruleset YAML (default: the one published live)"),
        full: bool = typer.Option(False, help="write whole decision records, not just the summary"),
        store: bool = typer.Option(False, help="also keep the decision records in the store"),
        as_json: bool = typer.Option(False, "--json", help="print the summary as JSON"),
    ) -> None:
        """One line per event: event_id, outcome, score, reasons (whole records with --full)."""
        settings = settings_or_exit()
        try:
            # the ruleset published live (and the shadow one) unless a file is named; the starter pack without either
            engine = build_engine(settings, ruleset, open_store(settings))
            loaded = load_events(events)
        except (RulesetError, FileFormatError) as exc:
            fail(str(exc))
        for reject in loaded.rejects:
            typer.echo(f"rejected {reject}", err=True)
        outcomes: Counter[str] = Counter()
        keep = open_store(settings) if store else None
        rows = []
        with (
            open(out, "wb") as handle,
            Progress(BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=True, disable=as_json) as bar,
        ):
            task = bar.add_task("decide", total=len(loaded.events))
            for decision in replay(engine, loaded.events, lambda n: bar.advance(task, n)):
                outcomes[decision.outcome] += 1
                line = decision.to_dict() if full else decision.summary()
                handle.write(orjson.dumps(line) + b"\n")
                if keep is not None:
                    rows.append(decision.to_row(keep.dialect == "sqlite"))
        if keep is not None:
            with keep.engine.begin() as conn:
                insert_decisions(conn, rows, [RollupOnCommit(conn.dialect.name, every_seconds=None)])
        summary = {
            "decided": len(loaded.events),
            "rejected": len(loaded.rejects),
            "outcomes": dict(outcomes),
            "out": str(out),
            "versions": engine.versions,
        }
        if as_json:
            print_json(summary)
        else:
            typer.echo(f"decided {len(loaded.events):,} events -> {out}: {dict(outcomes.most_common())}")
        if loaded.rejects:
            raise typer.Exit(1)
