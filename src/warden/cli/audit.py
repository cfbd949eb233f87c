"""`warden audit verify`, `warden audit checkpoint` and `warden audit show`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import typer

from warden.audit.checkpoints import CheckpointError, parse_checkpoint, take_checkpoint, verify_with_checkpoint
from warden.audit.log import recent_records, verify_chain
from warden.cli.common import fail, print_json, settings_or_exit
from warden.cli.groups import audit_app
from warden.store.db import open_store


def register(app: typer.Typer) -> None:
    @audit_app.command("verify")
    def verify(
        checkpoint: Path | None = typer.Option(
            None, "--checkpoint", help="a checkpoint from `warden audit checkpoint`: its record must still be there"
        ),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """Check the keyed hash chain (and a checkpoint); exits 1 and names the first bad record when broken."""
        saved = None
        if checkpoint is not None:
            try:
                saved = parse_checkpoint(checkpoint.read_text(), str(checkpoint))
            except (OSError, CheckpointError) as exc:
                fail(str(exc))
        store = open_store(settings_or_exit())
        with store.engine.connect() as conn:
            result = verify_chain(conn) if saved is None else verify_with_checkpoint(conn, saved)
        if as_json:
            print_json(result.as_dict())
        elif result.ok:
            against = f", and record {saved.seq} of the checkpoint is unchanged" if saved else ""
            typer.echo(f"audit log intact: {result.records} records, keyed hash chain verified{against}")
        else:
            where = f" at record {result.first_bad_seq}" if result.first_bad_seq is not None else ""
            typer.echo(f"audit log BROKEN{where}: {result.reason}")
        if not result.ok:
            raise typer.Exit(1)

    @audit_app.command("checkpoint")
    def checkpoint(
        out: Path = typer.Option(..., "--out", help="where to write it; keep it outside the database's reach"),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """Write the head (seq and hash, MAC'd with the audit key) to a file, after verifying the chain."""
        store = open_store(settings_or_exit())
        try:
            with store.engine.connect() as conn:
                taken = take_checkpoint(conn)
        except CheckpointError as exc:
            fail(str(exc), code=1)
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        with os.fdopen(fd, "w") as handle:
            handle.write(json.dumps(taken.as_dict(), sort_keys=True) + "\n")
        if as_json:
            print_json(taken.as_dict())
        else:
            typer.echo(f"checkpoint of record {taken.seq} written to {out}")

    @audit_app.command("show")
    def show(limit: int = typer.Option(20, min=1), as_json: bool = typer.Option(False, "--json")) -> None:
        """The newest audit records."""
        store = open_store(settings_or_exit())
        with store.engine.connect() as conn:
            records = recent_records(conn, limit)
        if as_json:
            print_json([r.__dict__ for r in records])
            return
        for r in records:
            typer.echo(f"{r.seq:>6} {r.at} {r.actor:<20} {r.action:<24} {r.subject}")
