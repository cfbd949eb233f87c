"""`warden schema`: the event contract as JSON Schema."""

from __future__ import annotations

import typer

from warden.events.schema import render_schema


def register(app: typer.Typer) -> None:
    @app.command("schema")
    def schema() -> None:
        """Print the JSON Schema of the event contract (version 1)."""
        typer.echo(render_schema(), nl=False)
