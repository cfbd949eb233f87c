"""`warden rules publish|list|shadow-report|stop-shadow`: change management of the live ruleset."""

from __future__ import annotations

from pathlib import Path

import typer

from warden.cases.rule_routes import RoutingError, queue_check
from warden.cli.common import fail, print_json, settings_or_exit
from warden.cli.groups import rules_app
from warden.decisions.rulesets import PublishError, list_rulesets, publish_ruleset, retire_shadow, shadow_report
from warden.rules.errors import RulesetError
from warden.store.db import open_store


def register(app: typer.Typer) -> None:
    @rules_app.command("publish")
    def publish(
        file: Path = typer.Argument(..., help="ruleset YAML"),
        shadow: bool = typer.Option(False, "--shadow", help="run it in shadow (no effect) instead of live"),
        actor: str = typer.Option("cli", help="who publishes (goes on the audit log)"),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """Publish an immutable ruleset version as live (or shadow); audited."""
        store = open_store(settings_or_exit())
        try:
            with store.engine.begin() as conn:
                status = "shadow" if shadow else "live"
                published = publish_ruleset(conn, file.read_text(), actor, status, [queue_check()])
        except (RulesetError, PublishError, RoutingError) as exc:
            fail(str(exc), 1)
        if as_json:
            print_json(published.summary())
        else:
            typer.echo(
                f"published {published.name}@{published.version} as {published.status} ({published.fingerprint[:16]})"
            )

    @rules_app.command("list")
    def list_(as_json: bool = typer.Option(False, "--json")) -> None:
        """Published ruleset versions, newest first."""
        store = open_store(settings_or_exit())
        with store.engine.connect() as conn:
            items = [r.summary() for r in list_rulesets(conn)]
        if as_json:
            print_json(items)
            return
        for r in items:
            typer.echo(
                f"{r['status']:<8} {r['name']}@{r['version']} {r['fingerprint'][:16]} "
                f"{r['published_at'][:19]} by {r['published_by']}"
            )

    @rules_app.command("shadow-report")
    def report(as_json: bool = typer.Option(True, "--json/--no-json")) -> None:
        """How the shadow ruleset's outcomes differ from the live ones on recent decisions."""
        store = open_store(settings_or_exit())
        with store.engine.connect() as conn:
            print_json(shadow_report(conn))

    @rules_app.command("stop-shadow")
    def stop_shadow(actor: str = typer.Option("cli")) -> None:
        store = open_store(settings_or_exit())
        with store.engine.begin() as conn:
            stopped = retire_shadow(conn, actor)
        typer.echo("shadow ruleset stopped" if stopped else "no shadow ruleset was running")
