"""`warden calibrate --events PATH [--labels FILE] [--publish shadow|live] --json`: fit the ruleset's
population-dependent thresholds and the model's operating points to this exchange, within its budgets."""

from __future__ import annotations

from pathlib import Path

import typer

from warden.cli.common import emit, fail, settings_or_exit


def register(app: typer.Typer) -> None:
    @app.command("calibrate")
    def calibrate_cmd(
        events: Path = typer.Option(..., "--events", exists=True, help="the exchange's history (JSONL, Parquet)"),
        labels: Path | None = typer.Option(
            None, "--labels", exists=True, dir_okay=False, help="labels.csv (default: beside the events, if any)"
        ),
        publish: str = typer.Option("shadow", "--publish", help="shadow (default) or live; `none` to only print"),
        ruleset: Path | None = typer.Option(None, "--ruleset", help="start from this YAML (default: the live one)"),
        out: Path | None = typer.Option(None, "--out", help="also write the calibrated ruleset here"),
        hold_budget: float = typer.Option(0.01, min=0.0, max=1.0, help="share of normal withdrawals held at most"),
        review_budget: float = typer.Option(0.05, min=0.0, max=1.0, help="share sent to review at most"),
        review_capacity: float | None = typer.Option(None, min=0.0, help="reviews the queue takes per day"),
        train: bool = typer.Option(True, "--train/--no-train", help="with labels, fit the fraud model first"),
        actor: str = typer.Option("cli", help="who publishes (goes on the audit log)"),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """A new ruleset version fitted to the exchange's own distribution; published to shadow by default."""
        from warden.cases.records import utcnow
        from warden.cases.rule_routes import RoutingError, queue_check
        from warden.decisions.factory import live_ruleset
        from warden.decisions.rulesets import PublishError, current
        from warden.exchange.calibrate import Budgets
        from warden.exchange.run import labels_beside, run_calibration
        from warden.exchange.run import publish as publish_content
        from warden.models.approvals import activate_with_ruleset, save_for_approval
        from warden.models.registry import RegistryError, load_fraud_model
        from warden.rules.errors import RulesetError
        from warden.rules.events_io import EventsInputError
        from warden.rules.loader import starter_pack_path
        from warden.store.db import open_store

        if publish not in ("shadow", "live", "none"):
            fail(f"--publish must be shadow, live or none, not {publish!r}")
        settings = settings_or_exit()
        store = open_store(settings)
        try:
            if ruleset is not None:
                content = ruleset.read_text(encoding="utf-8")
            else:
                with store.engine.connect() as conn:
                    live = current(conn, "live")
                content = live.content if live is not None else starter_pack_path().read_text(encoding="utf-8")
            live_ruleset(settings, ruleset, store)  # checks it
            model = load_fraud_model(settings.data_dir)
            budgets = Budgets(hold_budget, review_budget, review_capacity)
            result, fitted, report = run_calibration(
                events, content, labels or labels_beside(events), budgets, model, train
            )
        except (RulesetError, EventsInputError, RegistryError, OSError, ValueError) as exc:
            fail(str(exc), 1)
        refitted = fitted is not None and fitted is not model
        if refitted:
            assert fitted is not None
            report["model_saved"] = str(save_for_approval(store.engine, fitted, settings.data_dir, actor))
            report["model_approval"] = "pending: a model-risk officer approves it on the console's Models page"
        if out is not None:
            out.write_text(result.content, encoding="utf-8")
            report["out"] = str(out)
        if publish != "none":
            try:
                with store.engine.begin() as conn:
                    report["published"] = publish_content(conn, result.content, publish, actor, [queue_check()])
                    if refitted and publish == "live":  # the ruleset's cut-offs are this model's: live together
                        assert fitted is not None
                        name = f"{report['published']['name']}@{report['published']['version']}"
                        activate_with_ruleset(conn, settings.data_dir, fitted.version, actor, name, utcnow())
                        report["model_approval"] = f"live with {name} (calibrate --publish live)"
            except (RulesetError, PublishError, RoutingError) as exc:
                fail(str(exc), 1)
        emit(report, as_json)
