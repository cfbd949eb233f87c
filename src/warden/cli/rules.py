"""`warden rules check` and `warden rules backtest`."""

from __future__ import annotations

from pathlib import Path

import typer

from warden.cli.common import fail, print_json
from warden.cli.groups import rules_app


def register(app: typer.Typer) -> None:
    @rules_app.command("check")
    def rules_check(
        file: Path = typer.Argument(..., help="ruleset YAML"),
        as_json: bool = typer.Option(False, "--json", help="machine-readable output"),
    ) -> None:
        """Parse and type-check a ruleset; every problem is printed as FILE:LINE:COLUMN: rule ID: message."""
        from warden.rules import RulesetError, load_ruleset

        try:
            ruleset = load_ruleset(file)
        except RulesetError as exc:
            if as_json:
                problems = [
                    {"line": p.line, "column": p.column, "rule_id": p.rule_id, "message": p.message}
                    for p in exc.problems
                ]
                print_json({"ok": False, "file": str(file), "problems": problems})
                raise typer.Exit(1) from None
            typer.echo(str(exc), err=True)
            raise typer.Exit(1) from None
        summary = {
            "ok": True,
            "file": str(file),
            "name": ruleset.name,
            "version": ruleset.version,
            "rules": len(ruleset.rules),
            "fingerprint": ruleset.fingerprint,
        }
        if as_json:
            print_json(summary)
        else:
            typer.echo(
                f"{file}: ok, {ruleset.name}@{ruleset.version}, {len(ruleset.rules)} rules, {ruleset.fingerprint}"
            )

    @rules_app.command("backtest")
    def rules_backtest(
        ruleset_file: Path = typer.Option(..., "--ruleset", help="ruleset YAML to test"),
        events: Path = typer.Option(..., "--events", help="events.jsonl (labels.csv beside it) or Parquet history"),
        against: Path | None = typer.Option(None, "--against", help="reference ruleset (default: the starter pack)"),
        as_json: bool = typer.Option(False, "--json", help="machine-readable output"),
    ) -> None:
        """Evaluate a ruleset over history with offline features: hits, precision, recall, outcome diff."""
        from warden.features.offline import OfflineInputError
        from warden.rules import RulesetError, load_ruleset, starter_pack_path
        from warden.rules.backtest import backtest
        from warden.rules.events_io import EventsInputError

        try:
            ruleset = load_ruleset(ruleset_file)
            reference = load_ruleset(against or starter_pack_path())
            result = backtest(ruleset, events, reference)
        except RulesetError as exc:
            fail(str(exc), 1)
        except EventsInputError as exc:
            fail(str(exc), 1)
        except OfflineInputError as exc:
            fail(f"{events}: {exc}", 1)
        if as_json:
            print_json(result)
            return
        _print_backtest(result)


def _print_backtest(result: dict[str, object]) -> None:
    overall = result["overall"]
    assert isinstance(overall, dict)
    typer.echo(f"{result['events']} events, {overall['flagged']} flagged, outcomes {overall['outcomes']}")
    if "precision" in overall:
        typer.echo(f"precision {overall['precision']}, recall {overall['recall']}")
    rules = result["rules"]
    assert isinstance(rules, list)
    for rule in rules:
        quality = f" precision {rule.get('precision')} recall {rule.get('recall')}" if "precision" in rule else ""
        typer.echo(f"  {rule['rule_id']:<48} {rule['hits']:>8} hits{quality}")
    diff = result.get("diff_against")
    if isinstance(diff, dict):
        typer.echo(f"against {diff['old']}: {diff['changed']} events change outcome")
