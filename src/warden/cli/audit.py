"""`warden audit verify` and `warden audit show`."""

from __future__ import annotations

import typer

from warden.audit.log import recent_records, verify_chain
from warden.cli.common import print_json, settings_or_exit
from warden.cli.groups import audit_app
from warden.store.db import open_store


def register(app: typer.Typer) -> None:
    @audit_app.command("verify")
    def verify(as_json: bool = typer.Option(False, "--json")) -> None:
        """Check the hash chain; exits 1 and names the first bad record when it is broken."""
        store = open_store(settings_or_exit())
        with store.engine.connect() as conn:
            result = verify_chain(conn)
        if as_json:
            print_json(result.as_dict())
        elif result.ok:
            typer.echo(f"audit log intact: {result.records} records, hash chain verified")
        else:
            typer.echo(f"audit log BROKEN at record {result.first_bad_seq}: {result.reason}")
        if not result.ok:
            raise typer.Exit(1)

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
