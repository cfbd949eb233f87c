"""`warden ingest PATH...`: load event files, rejects to a file with reasons."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from warden.audit.log import append_audit
from warden.cli.common import fail, print_json, settings_or_exit
from warden.events.ingest import Ingestor, IngestSummary
from warden.events.labels import read_labels, store_labels
from warden.events.readers import FileFormatError, detect_format
from warden.store.db import Store, open_store


def _print_summary(summary: IngestSummary) -> None:
    console = Console(stderr=False)
    for f in summary.files:
        if f.status == "failed":
            console.print(f"[red]FAILED[/red] {f.path}: {f.error} (nothing stored from it)")
        else:
            console.print(
                f"{f.path}: read {f.read:,}, stored {f.stored:,}, duplicates {f.duplicates:,}, rejected {f.rejected:,}"
            )
    data = summary.as_dict()
    console.print(
        f"total: read {data['read']:,}, stored {data['stored']:,}, duplicates {data['duplicates']:,}, "
        f"rejected {data['rejected']:,}, failed files {data['failed_files']} in {data['seconds']} s"
    )
    if data["rejected"]:
        console.print(f"rejects with positions and reasons: {summary.rejects_path}")


def _load_labels(store: Store, path: Path) -> list[str]:
    """Store the valid rows of a labels.csv; returns the bad rows' positions and reasons."""
    try:
        parsed = read_labels(path)
    except FileFormatError as exc:
        return [str(exc)]
    with store.engine.begin() as conn:
        added = store_labels(conn, parsed.labels, source="import")
        append_audit(
            conn,
            actor="cli:ingest",
            action="labels.import",
            subject=str(path),
            after={"rows": len(parsed.labels), "added": added, "errors": len(parsed.errors)},
        )
    return parsed.errors


def register(app: typer.Typer) -> None:
    @app.command("ingest")
    def ingest(
        paths: list[Path] = typer.Argument(..., help="event files: .jsonl, .csv, .parquet (.jsonl.gz, .csv.gz)"),
        rejects: Path | None = typer.Option(None, help="where rejected records go (default under the data dir)"),
        as_json: bool = typer.Option(False, "--json", help="print the summary as JSON"),
        progress: bool = typer.Option(True, help="show a progress bar"),
        labels: Path | None = typer.Option(None, help="a labels.csv (ground truth) to store with the events"),
    ) -> None:
        """Load events; exits 1 when any record was rejected or any file could not be read."""
        settings = settings_or_exit()
        for path in paths:
            if not path.is_file():
                fail(f"{path}: no such file")
            try:
                detect_format(path)
            except FileFormatError as exc:
                fail(str(exc))
        store = open_store(settings)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        rejects_path = rejects or settings.data_dir / "rejects" / f"ingest-{stamp}.jsonl"
        rejects_path.parent.mkdir(parents=True, exist_ok=True)
        ingestor = Ingestor(store, settings.parquet_dir, actor="cli:ingest")
        with open(rejects_path, "w", encoding="utf-8") as rejects_file:
            if progress and not as_json:
                columns = (
                    SpinnerColumn(),
                    TextColumn("ingest"),
                    BarColumn(),
                    MofNCompleteColumn(),
                    TimeElapsedColumn(),
                )
                with Progress(*columns, transient=True) as bar:
                    task = bar.add_task("ingest", total=None)
                    summary = ingestor.ingest(paths, rejects_file, lambda n: bar.advance(task, n))
            else:
                summary = ingestor.ingest(paths, rejects_file)
        summary.rejects_path = str(rejects_path)
        if summary.total("rejected") == 0:
            rejects_path.unlink(missing_ok=True)
            summary.rejects_path = None
        label_errors = _load_labels(store, labels) if labels else []
        report = summary.as_dict() | ({"label_errors": label_errors} if labels else {})
        if as_json:
            print_json(report)
        else:
            _print_summary(summary)
            for error in label_errors:
                typer.echo(f"labels: {error}", err=True)
        store.dispose()
        if not summary.ok or label_errors:
            raise typer.Exit(1)
