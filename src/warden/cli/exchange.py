"""`warden exchange set FILE [--events PATH]` / `warden exchange show [--json]`: the exchange's own facts."""

from __future__ import annotations

from pathlib import Path

import typer

from warden.cli.common import fail, print_json, settings_or_exit

exchange_app = typer.Typer(help="The exchange's own facts: addresses, memo networks, services.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(exchange_app, name="exchange")

    @exchange_app.command("set")
    def set_cmd(
        file: Path = typer.Argument(..., help="facts as JSON or YAML (the shape of context.json)"),
        events: Path | None = typer.Option(
            None, "--events", help="history to learn facts from (other services' shared memo addresses)"
        ),
        actor: str = typer.Option("cli", help="who sets them (goes on the audit log)"),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """Check the facts, learn what the history shows, and store them as the new version (audited)."""
        from warden.exchange.facts import FactsError, load_facts
        from warden.exchange.history import read_history, withdrawals_of
        from warden.exchange.learn import learn_shared_memo_addresses, with_learned
        from warden.exchange.repository import save_facts
        from warden.rules.events_io import EventsInputError
        from warden.store.db import open_store

        try:
            facts = load_facts(file)
            source = str(file)
            if events is not None:
                learned = learn_shared_memo_addresses(withdrawals_of(read_history(events)), facts)
                facts = with_learned(facts, learned)
                source += f" + learnt from {events}"
        except (FactsError, EventsInputError) as exc:
            fail(str(exc), 1)
        store = open_store(settings_or_exit())
        with store.engine.begin() as conn:
            stored = save_facts(conn, facts, source, actor)
        if as_json:
            print_json(stored.summary())
        else:
            typer.echo(f"exchange facts v{stored.version} ({stored.fingerprint[:16]}), {len(facts.learned)} learnt")

    @exchange_app.command("show")
    def show_cmd(
        as_json: bool = typer.Option(False, "--json"),
        full: bool = typer.Option(False, "--full", help="the whole document, learnt facts with their evidence"),
    ) -> None:
        """The facts in force."""
        from warden.exchange.repository import current_facts
        from warden.store.db import open_store

        store = open_store(settings_or_exit())
        with store.engine.connect() as conn:
            stored = current_facts(conn)
        if stored is None:
            fail("no exchange facts set; use `warden exchange set FILE`", 1)
        payload = stored.summary()
        if full or as_json:
            payload["facts"] = stored.facts.model_dump(mode="json")
        if as_json:
            print_json(payload)
            return
        for key, value in payload.items():
            if key != "facts":
                typer.echo(f"{key}: {value}")
        for item in stored.facts.learned:
            typer.echo(f"learnt {item.kind} {item.network} {item.address} {item.evidence}")
