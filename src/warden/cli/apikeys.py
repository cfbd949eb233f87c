"""`warden apikey create|revoke`: keys for the exchange's backend."""

from __future__ import annotations

import typer

from warden.access.api_keys import create_api_key, revoke_api_key
from warden.cli.common import print_json, settings_or_exit
from warden.store.db import open_store

apikey_app = typer.Typer(help="API keys for the exchange's backend.", no_args_is_help=True)


@apikey_app.command("create")
def create(
    name: str = typer.Argument(..., help="who uses the key, e.g. 'withdrawal-service'"),
    scope: list[str] = typer.Option(["decisions"], help="decisions, screening, cases, admin"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Create a key; the secret is printed once and only its hash is kept."""
    store = open_store(settings_or_exit())
    with store.engine.begin() as conn:
        key, secret = create_api_key(conn, name, set(scope), actor="cli")
    if as_json:
        print_json({"key_id": key.key_id, "name": key.name, "scopes": sorted(key.scopes), "secret": secret})
    else:
        typer.echo(f"key {key.key_id} for {name} ({', '.join(sorted(key.scopes))}):\n{secret}")


@apikey_app.command("revoke")
def revoke(key_id: str) -> None:
    store = open_store(settings_or_exit())
    with store.engine.begin() as conn:
        if not revoke_api_key(conn, key_id, actor="cli"):
            typer.echo(f"no active key {key_id}", err=True)
            raise typer.Exit(1)
    typer.echo(f"revoked {key_id}")


def register(app: typer.Typer) -> None:
    app.add_typer(apikey_app, name="apikey")
