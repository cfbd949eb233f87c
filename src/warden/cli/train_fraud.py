"""`warden train fraud` and `warden eval fraud`."""

from __future__ import annotations

import getpass
from pathlib import Path

import typer

from warden.cli.common import emit, fail, settings_or_exit
from warden.cli.groups import eval_app, train_app


def register(app: typer.Typer) -> None:
    @train_app.command("fraud")
    def train_fraud_cmd(
        events: list[Path] = typer.Option(
            ..., "--events", exists=True, dir_okay=False, help="events file, labels.csv beside it; repeatable"
        ),
        labels: Path | None = typer.Option(None, "--labels", help="labels.csv (default: beside the events)"),
        seed: int = typer.Option(7, help="LightGBM seed"),
        actor: str = typer.Option(
            getpass.getuser(), "--actor", help="who trains (on the audit log; they cannot approve this version)"
        ),
        out_of_fold: bool = typer.Option(
            False,
            "--out-of-fold",
            help="fit on the whole history, operating points from out-of-fold scores (few labelled frauds)",
        ),
        as_json: bool = typer.Option(False, "--json", help="print JSON"),
    ) -> None:
        """Train the withdrawal fraud model (LightGBM, time-based split); it serves once a model-risk officer
        who did not train it approves it on the console's Models page."""
        from warden.models.approvals import save_for_approval
        from warden.models.dataset import DatasetError, load_many
        from warden.models.train import TrainingError, train_fraud
        from warden.store.db import open_store

        settings = settings_or_exit()
        try:
            data, source = load_many(events, labels), ", ".join(map(str, events))
            if out_of_fold:
                from warden.exchange.model_fit import fit_out_of_fold

                model = fit_out_of_fold(data, seed=seed, source=source)[0]
            else:
                model = train_fraud(data, seed=seed, source=source)
        except (DatasetError, TrainingError) as exc:
            fail(str(exc))
        store = open_store(settings)
        try:
            folder = save_for_approval(store.engine, model, settings.data_dir, actor)
        finally:
            store.dispose()
        emit(
            {
                "version": model.version,
                "path": str(folder),
                "approval": "pending",
                "thresholds": model.thresholds,
                "training_data": model.meta["training_data"],
                "metrics": model.meta["metrics"],
            },
            as_json,
        )

    @eval_app.command("fraud")
    def eval_fraud_cmd(
        events: Path = typer.Option(
            ..., "--events", exists=True, dir_okay=False, help="events file (labels.csv beside it)"
        ),
        labels: Path | None = typer.Option(None, "--labels", help="labels.csv (default: beside the events)"),
        version: str | None = typer.Option(None, "--model", help="model version (default: active, else packaged)"),
        decisions: Path | None = typer.Option(
            None, "--decisions", exists=True, dir_okay=False, help="`warden decide` output: also report rules+model"
        ),
        as_json: bool = typer.Option(False, "--json", help="print JSON"),
    ) -> None:
        """PR-AUC, recall at 1%/5% review rates and per scenario, for the model alone."""
        from warden.models.dataset import DatasetError
        from warden.models.evaluate import evaluate_file
        from warden.models.registry import RegistryError, load_fraud_model

        settings = settings_or_exit()
        try:
            model = load_fraud_model(settings.data_dir, version)
            result = evaluate_file(model, events, labels, decisions)
        except (DatasetError, RegistryError) as exc:
            fail(str(exc))
        emit(result, as_json)
