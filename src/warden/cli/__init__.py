"""The `warden` command. Each command group lives in its own module under `warden.cli` and exposes
`register(app)`; this module only assembles them. The modules import what their commands need inside the
commands, so `warden --help` stays cheap to start."""

from __future__ import annotations

import typer

from warden import __version__
from warden.cli import (
    apikeys,
    audit,
    basics,
    bench_console,
    bench_decisions,
    bench_ingest,
    cases,
    decide,
    groups,
    ingest,
    lists,
    monitor,
    rules,
    rulesets,
    screen,
    serve,
    simulate,
    train_fraud,
    triage,
)

# The modules that add commands, in the order of `warden --help`; add yours here.
COMMAND_MODULES = [
    basics,
    groups,
    ingest,
    audit,
    bench_ingest,
    rules,
    screen,
    lists,
    serve,
    simulate,
    apikeys,
    decide,
    monitor,
    bench_decisions,
    bench_console,
    rulesets,
    train_fraud,
    cases,
    triage,
]


app = typer.Typer(
    name="warden",
    help="Warden: AI-assisted compliance and risk operations for crypto exchanges.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"warden {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="print the version"),
) -> None:
    """Warden: AI-assisted compliance and risk operations for crypto exchanges."""


for _module in COMMAND_MODULES:
    _module.register(app)


def main() -> None:
    app()
