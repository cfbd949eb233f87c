"""The `warden` command. Each command group lives in its own module under `warden.cli` and exposes
`register(app)`; this module only assembles them, so `warden --help` stays cheap to start."""

from __future__ import annotations

import importlib

import typer

from warden import __version__

# Modules under warden.cli that add commands; add yours here.
COMMAND_MODULES = [
    "basics",
    "groups",
    "ingest",
    "audit",
    "bench_ingest",
    "rules",
    "screen",
    "lists",
    "serve",
    "simulate",
    "apikeys",
    "decide",
    "monitor",
    "bench_decisions",
    "rulesets",
    "train_fraud",
    "cases",
    "triage",
    "exchange",
    "calibrate",
    "eval_exchange",
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


for _name in COMMAND_MODULES:
    importlib.import_module(f"warden.cli.{_name}").register(app)


def main() -> None:
    app()
