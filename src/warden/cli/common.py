"""Helpers shared by the command modules: settings, JSON output, error exits."""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import typer

from warden.logging import configure_logging
from warden.settings import Settings, SettingsError, load_settings


def settings_or_exit() -> Settings:
    try:
        settings = load_settings()
    except SettingsError as exc:
        fail(str(exc))
    configure_logging(settings.log_level, settings.log_format)
    return settings


def fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def print_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, indent=2, default=str, sort_keys=False) + "\n")


def emit(result: dict[str, Any], as_json: bool) -> None:
    """A command's result: JSON with --json, else one `key: value` line each."""
    if as_json:
        print_json(result)
    else:
        for key, value in result.items():
            typer.echo(f"{key}: {value}")
