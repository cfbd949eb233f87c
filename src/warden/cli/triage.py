"""`warden train triage` and `warden eval triage`: the case triage model from dispositions."""

from __future__ import annotations

import getpass
import tempfile
from pathlib import Path

import typer

from warden.cli.common import emit, fail, settings_or_exit
from warden.cli.groups import eval_app, train_app


def register(app: typer.Typer) -> None:
    @train_app.command("triage")
    def train_triage_cmd(
        events: list[Path] = typer.Option(
            [],
            "--events",
            exists=True,
            dir_okay=False,
            help="a simulated exchange (labels.csv beside it): train on its cases' simulated dispositions; repeatable",
        ),
        simulated: bool = typer.Option(
            False, "--simulated", help="without --events: add simulated dispositions from the store's labels"
        ),
        seed: int = typer.Option(7, help="LightGBM seed"),
        actor: str = typer.Option(
            getpass.getuser(), "--actor", help="who trains (on the audit log; they cannot approve this version)"
        ),
        as_json: bool = typer.Option(False, "--json", help="print JSON"),
    ) -> None:
        """Train the triage model on dispositions: reviewers' (in the store), or simulated ones (--events,
        --simulated). It orders the queue once a model-risk officer who did not train it approves it on the
        console's Models page (which re-scores the open cases with it); until then the version approved before,
        or the rule-based priority, stays."""
        from warden.demo.pipeline import build_cases
        from warden.store.db import open_store
        from warden.triage.approval import save_for_approval
        from warden.triage.dispositions import simulated_dispositions, training_dispositions
        from warden.triage.model import TriageError, train_triage

        settings = settings_or_exit()
        store = open_store(settings)
        try:
            if events:
                if len(events) > 1:
                    fail("train on one simulated exchange at a time (--events once); evaluate on another")
                with tempfile.TemporaryDirectory(prefix="warden-triage-") as scratch:
                    built = build_cases(events[0], Path(scratch), settings, live_store=store)
                    with built.store.engine.connect() as conn:
                        labels = simulated_dispositions(conn)
                        model = train_triage(
                            conn,
                            labels,
                            seed=seed,
                            trained_on=str(events[0].resolve()),
                            label_sources={"simulated": len(labels), "recorded": 0},
                        )
                    built.store.dispose()
            else:
                with store.engine.connect() as conn:
                    labels, sources = training_dispositions(conn, simulated)
                    model = train_triage(
                        conn, labels, seed=seed, trained_on=f"store: {store.dialect}", label_sources=sources
                    )
        except TriageError as exc:
            fail(str(exc))
        try:
            folder = save_for_approval(store.engine, model, settings.data_dir, actor)
        finally:
            store.dispose()
        emit(
            {
                "version": model.version,
                "path": str(folder),
                "approval": "pending",
                "trained_on": model.meta["trained_on"],
                "training_data": model.meta["training_data"],
                "metrics": model.meta["metrics"],
                "features": len(model.features),
            },
            as_json,
        )

    @eval_app.command("triage")
    def eval_triage_cmd(
        events: Path = typer.Option(
            ..., "--events", exists=True, dir_okay=False, help="a held-out simulated exchange (labels.csv beside it)"
        ),
        labels: Path | None = typer.Option(None, "--labels", help="labels.csv (default: beside the events)"),
        version: str | None = typer.Option(
            None, "--model", help="triage model version, pending ones too (default: the approved, active one)"
        ),
        as_json: bool = typer.Option(False, "--json", help="print JSON"),
    ) -> None:
        """Share of true positives in the top 10/20/50 % of the queue ordered by the triage model, against
        ordering by raw alert score, on the cases of a simulated exchange the model was not trained on."""
        from warden.demo.pipeline import build_cases
        from warden.store.db import open_store
        from warden.triage.dispositions import simulated_dispositions
        from warden.triage.model import TriageError, evaluate_triage, load_triage

        settings = settings_or_exit()
        try:
            model = load_triage(settings.data_dir, version)
        except TriageError as exc:
            fail(str(exc))
        if model is None:
            fail(
                "no triage model approved yet: name a trained version with --model, or run `warden train triage` first"
            )
        if model.meta.get("trained_on") == str(events.resolve()):
            fail(f"{events}: the model {model.version} was trained on this exchange; evaluate on a held-out one")
        live = open_store(settings)
        with tempfile.TemporaryDirectory(prefix="warden-triage-") as scratch:
            built = build_cases(events, Path(scratch), settings, labels, live_store=live)
            with built.store.engine.connect() as conn:
                result = evaluate_triage(conn, model, simulated_dispositions(conn))
            built.store.dispose()
        live.dispose()
        result.update(events=str(events), trained_on=model.meta.get("trained_on"), volume=built.volume())
        emit(result, as_json)
