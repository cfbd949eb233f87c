"""`warden lists update PATH...` and `warden lists show`: load newer list versions, with the diff."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from warden.cli.common import fail, print_json, settings_or_exit

lists_app = typer.Typer(help="Sanctions and address lists: versions, updates, diffs.", no_args_is_help=True)


@lists_app.command("update")
def update_cmd(
    paths: list[Path] = typer.Argument(..., help="list files or folders (OFAC CSV, UN XML, crypto, labels, FtM, CSV)"),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
    show: int = typer.Option(20, "--show", help="ids of added/removed entries to print per list"),
    rescreen_customers: bool = typer.Option(
        True, "--rescreen/--no-rescreen", help="re-screen the stored KYC customers; alert only on new hits"
    ),
) -> None:
    """Validate and load newer list versions; all or nothing, a malformed file leaves the current lists in place."""
    from warden.audit.log import append_audit
    from warden.cases.sources import alerts_from_rescreen
    from warden.screening.errors import ListFormatError
    from warden.screening.registry import update_lists
    from warden.screening.rescreen import customers_from_store, rescreen
    from warden.screening.screener import open_screener
    from warden.store.db import open_store

    settings = settings_or_exit()
    store = open_store(settings)
    old = open_screener(settings.data_dir) if rescreen_customers else None
    try:
        results = update_lists(paths, settings.data_dir, store.engine)
    except ListFormatError as exc:
        store.dispose()
        fail(f"{exc} (nothing was changed)")
    alerts: list[dict[str, Any]] = []
    if old is not None:
        new = open_screener(settings.data_dir)
        with store.engine.begin() as conn:
            customers = customers_from_store(conn)
            hits = rescreen(customers, old.names, new.names)
            alerts = [a.to_dict() for a in hits]
            cases = alerts_from_rescreen(conn, hits)
            append_audit(
                conn,
                actor="cli",
                action="screening.rescreen",
                subject=",".join(r.snapshot.list_name for r in results),
                after={"customers": len(customers), "new_hits": len(alerts), "cases": cases},
            )
    store.dispose()
    payload: list[dict[str, Any]] = [
        {
            "list": r.snapshot.list_name,
            "version_id": r.version_id,
            "version_date": r.snapshot.version_date,
            "sha256": r.snapshot.sha256,
            **r.snapshot.counts,
            "added": len(r.diff.added),
            "removed": len(r.diff.removed),
            "changed": len(r.diff.changed),
            "added_ids": r.diff.added[:show],
            "removed_ids": r.diff.removed[:show],
        }
        for r in results
    ]
    if as_json:
        print_json({"lists": payload, "rescreen_alerts": alerts})
        return
    for alert in alerts:
        typer.echo(
            f"NEW HIT {alert['customer_id']} {alert['full_name']!r} -> {alert['list']} {alert['entry_id']} ({alert['score']:.4f})"
        )
    for row in payload:
        typer.echo(
            f"{row['list']} {row['version_date']}: +{row['added']} -{row['removed']} ~{row['changed']} ({row['entries']} entries, {row['addresses']} addresses)"
        )
        if row["removed_ids"]:
            typer.echo(f"  removed (delisted): {', '.join(map(str, row['removed_ids']))}")


@lists_app.command("show")
def show_cmd(as_json: bool = typer.Option(False, "--json", help="print JSON")) -> None:
    """The active lists and the recorded versions."""
    from warden.screening.registry import active_paths
    from warden.screening.repository import list_history
    from warden.store.db import open_store

    settings = settings_or_exit()
    store = open_store(settings)
    with store.engine.connect() as conn:
        history = list_history(conn)
    store.dispose()
    active = {k: str(v) for k, v in active_paths(settings.data_dir).items()}
    payload = {"active": active, "history": history}
    if as_json:
        print_json(payload)
        return
    for name, path in active.items():
        typer.echo(f"{name}: {path}")


def register(app: typer.Typer) -> None:
    app.add_typer(lists_app, name="lists")
