"""`warden monitor`, `warden eval aml|monitor`, `warden train aml`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer

from warden.cli.common import fail, print_json, settings_or_exit
from warden.cli.groups import eval_app, train_app
from warden.monitoring.errors import InputError
from warden.monitoring.hops import HopContext


def _when(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        fail(f"{name}: {value!r} is not an ISO 8601 time")
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC).replace(tzinfo=None)


def monitor_cmd(
    events: Path = typer.Option(..., "--events", help="events: JSON Lines file or the Parquet history folder"),
    out: Path = typer.Option(..., "--out", help="directory for alerts.jsonl"),
    since: str | None = typer.Option(None, "--since", help="only events at or after this UTC time"),
    until: str | None = typer.Option(None, "--until", help="only events before this UTC time"),
    store: bool = typer.Option(True, "--store/--no-store", help="merge the alerts into the store"),
    context: Path | None = typer.Option(
        None,
        "--context",
        help="the exchange's facts (context.json shape); default: the facts in force (`warden exchange set`), "
        "else context.json beside the events",
    ),
    model: Path | None = typer.Option(
        None, "--model", help="customer model file; default: the active one from `warden train aml --events`"
    ),
    detectors_only: bool = typer.Option(False, "--detectors-only", help="the raw detectors, no customer model"),
    json_out: bool = typer.Option(False, "--json", help="print a machine-readable summary"),
) -> None:
    """Batch transaction monitoring: the exchange's customer model (when trained) and the typology detectors
    -> DIR/alerts.jsonl."""
    from warden.monitoring.configured import context_for, run_monitoring
    from warden.monitoring.customer_model import CustomerModel
    from warden.monitoring.model_registry import active_customer_model
    from warden.monitoring.pipeline import write_outputs
    from warden.store.db import open_store

    settings = settings_or_exit()
    db = open_store(settings)
    model_version = None
    try:
        ctx = context_for(events, context, db.engine)
        chosen = None
        if model is not None and not detectors_only:
            chosen, model_version = CustomerModel.load(model), str(model)
        elif not detectors_only and (active := active_customer_model(settings.data_dir)) is not None:
            model_version, chosen = active
        result = run_monitoring(events, ctx, chosen, _when(since, "--since"), _when(until, "--until"))
    except (InputError, ValueError, OSError) as exc:
        fail(str(exc))
    path = write_outputs(result, out)
    summary = result.summary() | {"alerts_path": str(path), "customer_model": model_version}
    if store:
        from warden.monitoring.repository import save_alerts

        summary["store"] = save_alerts(db.engine, result.alerts)
    if json_out:
        print_json(summary)
    else:
        typer.echo(f"{summary['alerts']} alerts from {summary['movements']} movements -> {path}")


def eval_aml_cmd(
    path: Path = typer.Option(..., "--path", help="AMLSim or Elliptic folder, or an AMLworld *_Trans.csv file"),
    fmt: str = typer.Option("amlsim", "--format", help="amlsim | amlworld | elliptic"),
    folds: int = typer.Option(5, "--folds", min=2),
    model: str = typer.Option("lgbm", "--model", help="lgbm | gnn (AMLSim only; needs warden[gnn])"),
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """Account model on a public AML data set: 5-fold CV, plus the guard (no amount / count features)."""
    from warden.monitoring.aml_eval import LabelledGraph, evaluate

    if model not in ("lgbm", "gnn") or (model == "gnn" and fmt != "amlsim"):
        fail(f"--model {model!r}: use lgbm, or gnn with --format amlsim")

    try:
        if fmt == "amlsim":
            from warden.monitoring.amlsim import load_amlsim

            data = load_amlsim(path)
            graph = LabelledGraph(data.name, data.transactions, data.accounts["label"].to_numpy())
        elif fmt == "amlworld":
            from warden.monitoring.amlworld import load_amlworld

            graph = load_amlworld(path)
        elif fmt == "elliptic":
            from warden.monitoring.elliptic import evaluate_elliptic, load_elliptic

            result = evaluate_elliptic(load_elliptic(path))
            print_json(result) if json_out else typer.echo(f"elliptic: f1 {result['f1']} pr_auc {result['pr_auc']}")
            return
        else:
            fail(f"--format {fmt!r}: use amlsim, amlworld or elliptic")
    except InputError as exc:
        fail(str(exc))
    if model == "gnn":
        from warden.monitoring.gnn import available, evaluate_gnn

        if not available():
            fail("--model gnn needs torch==2.13.0 and torch_geometric: pip install 'warden[gnn]'")
        result = evaluate_gnn(graph, folds=folds)
        print_json(result) if json_out else typer.echo(
            f"{graph.name} (gnn): f1 {result['f1']} pr_auc {result['pr_auc']}"
        )
        return
    result = evaluate(graph, folds=folds)
    if json_out:
        print_json(result)
    else:
        typer.echo(
            f"{graph.name}: precision {result['precision']} recall {result['recall']} f1 {result['f1']} "
            f"pr_auc {result['pr_auc']} guard_f1 {result['guard_f1_no_amount_features']}"
        )


def eval_monitor_cmd(
    events: Path = typer.Option(..., "--events", help="simulated events.jsonl (labels.csv beside it)"),
    labels: Path | None = typer.Option(None, "--labels", help="labels.csv; default: beside the events"),
    split_day: int | None = typer.Option(
        None, "--split-day", min=1, help="learn on the first N days, judge alerts of the days after"
    ),
    context: Path | None = typer.Option(
        None, "--context", help="the exchange's facts (context.json shape); default: context.json beside the events"
    ),
    detectors_only: bool = typer.Option(
        False, "--detectors-only", help="with --split-day: judge the raw detectors, no customer model"
    ),
    budget: float = typer.Option(
        10.0, "--budget", help="alerts per 1,000 customers per 30 days (model operating point)"
    ),
    alerts_file: Path | None = typer.Option(
        None, "--alerts", exists=True, dir_okay=False, help="judge these alerts (`warden monitor --out`) instead"
    ),
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """Detector quality on a labelled exchange: per-typology customer recall, precision, alert rate."""
    import duckdb

    from warden.monitoring.monitor_eval import read_customer_labels, score_alerts
    from warden.monitoring.pipeline import monitor

    labels = labels or events.parent / "labels.csv"
    if context is None and (events.parent / "context.json").is_file():
        context = events.parent / "context.json"
    if alerts_file is not None:
        _eval_alerts_file(events, labels, alerts_file, split_day or 0, json_out)
        return
    if split_day is not None:
        _eval_monitor_split(events, labels, split_day, json_out, context, detectors_only, budget)
        return
    try:
        truth = read_customer_labels(labels)
        result = monitor(events, context=_context(context))
    except InputError as exc:
        fail(str(exc))
    customers = _customer_count(duckdb.connect(), events)
    report = score_alerts(result.alerts, truth, customers) | {"seconds": round(result.seconds, 2)}
    if json_out:
        print_json(report)
    else:
        for typology, row in report["per_typology"].items():
            typer.echo(f"{typology:16} recall {row['recall']:.3f}")
        typer.echo(f"precision {report['precision']}  alerts/1000 {report['alerts_per_1000_customers']}")


def _customer_count(con: object, events: Path) -> int:
    import duckdb

    assert isinstance(con, duckdb.DuckDBPyConnection)
    suffixes = [s.lower() for s in events.suffixes]
    source = (
        "read_json(?, format = 'newline_delimited', columns = {customer_id: 'VARCHAR'})"
        if ".jsonl" in suffixes or ".json" in suffixes or ".ndjson" in suffixes
        else "read_parquet(?, union_by_name = true)"
    )
    return int(con.execute(f"SELECT count(DISTINCT customer_id) FROM {source}", [str(events)]).fetchall()[0][0])


def _context(path: Path | None) -> HopContext | None:
    if path is None:
        return None
    try:
        return HopContext.from_file(path)
    except (OSError, ValueError) as exc:
        fail(f"{path}: {exc}")


def _eval_alerts_file(events: Path, labels: Path, alerts_file: Path, split_day: int, json_out: bool) -> None:
    """Alerts a run wrote, judged like the split evaluation: those ending after day `split_day` (0: all)."""
    import duckdb

    from warden.monitoring.alerts import read_jsonl
    from warden.monitoring.holdout import read_labels, score_holdout, split_of
    from warden.monitoring.movements import load_movements

    con = duckdb.connect()
    try:
        truth, event_scenarios = read_labels(labels)
        load_movements(con, events)
        split = split_of(con, split_day, event_scenarios)
        alerts = read_jsonl(alerts_file)
    except (InputError, ValueError) as exc:
        fail(str(exc))
    report = score_holdout(alerts, truth, split, _customer_count(con, events)) | {"alerts_file": str(alerts_file)}
    _print_holdout(report, json_out)


def _print_holdout(report: dict[str, Any], json_out: bool) -> None:
    if json_out:
        print_json(report)
        return
    for typology, row in report["per_typology"].items():
        typer.echo(f"{typology:16} recall {row['recall']}  ({row['found']}/{row['customers']})")
    for group, row in report["benign_share_flagged"].items():
        typer.echo(f"{group:28} flagged {row['share_flagged']}")
    typer.echo(f"precision {report['precision']}  alerts/1000/30d {report['alerts_per_1000_customers_per_30_days']}")


def _eval_monitor_split(
    events: Path,
    labels: Path,
    split_day: int,
    json_out: bool,
    context: Path | None = None,
    detectors_only: bool = False,
    budget: float = 10.0,
) -> None:
    import time

    import duckdb

    from warden.monitoring.customer_model import CustomerModelParams
    from warden.monitoring.holdout import read_labels, score_holdout, split_of
    from warden.monitoring.identity_rings import ring_alerts, rings_kept
    from warden.monitoring.learnt import apply_model, train_from_events
    from warden.monitoring.movements import load_movements
    from warden.monitoring.pipeline import monitor

    started = time.perf_counter()
    ctx = _context(context)
    con = duckdb.connect()
    try:
        truth, event_scenarios = read_labels(labels)
        probe = duckdb.connect()
        load_movements(probe, events)
        split = split_of(probe, split_day, event_scenarios)
        probe.close()
        if detectors_only:
            result = monitor(events, con=con, context=ctx)
            alerts, model_info = result.alerts, None
        else:
            model, result = train_from_events(
                events,
                labels,
                ctx,
                cutoff=split.split,
                params=CustomerModelParams(budget_per_1000_per_30d=budget),
                con=con,
            )
            alerts = apply_model(con, result, model, ctx, since=split.split)
            model_info = {"threshold": round(model.threshold, 4), "trained": model.trained}
        if detectors_only or rings_kept(model):
            alerts += ring_alerts(con, events, since=split.split)
    except (InputError, ValueError) as exc:
        fail(str(exc))
    report = score_holdout(alerts, truth, split, _customer_count(con, events))
    report["mode"] = (
        "detectors only" if detectors_only else "customer model (learnt on the learn period) + detector evidence"
    )
    report["model"] = model_info
    report["seconds"] = round(time.perf_counter() - started, 2)
    _print_holdout(report, json_out)


def train_aml_cmd(
    path: Path | None = typer.Option(None, "--path", help="AMLSim folder (the account model)"),
    events: Path | None = typer.Option(None, "--events", help="an exchange's events (the customer model)"),
    labels: Path | None = typer.Option(None, "--labels", help="labels.csv; default: beside the events"),
    context: Path | None = typer.Option(None, "--context", help="the exchange's facts; default: beside the events"),
    split_day: int | None = typer.Option(None, "--split-day", min=1, help="learn only on the first N days"),
    budget: float = typer.Option(10.0, "--budget", help="alerts per 1,000 customers per 30 days"),
    out: Path | None = typer.Option(
        None, "--out", help="where to write the model (--events: default the data dir's registry, made active)"
    ),
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """Fit the account model on an AMLSim sample (--path), or the customer model on an exchange (--events)."""
    if (path is None) == (events is None):
        fail("give exactly one of --path (AMLSim) or --events (an exchange's history)")
    if events is not None:
        _train_customer_model(events, labels, context, split_day, budget, out, json_out)
        return
    assert path is not None
    if out is None:
        fail("--path needs --out: the AMLSim account model is a file for `warden eval aml`")
    from warden.monitoring.account_model import MODEL_VERSION, ModelParams
    from warden.monitoring.amlsim import load_amlsim
    from warden.monitoring.features import FEATURES_VERSION, account_features

    try:
        data = load_amlsim(path)
    except InputError as exc:
        fail(str(exc))
    features = account_features(data.transactions, data.accounts.height)
    cols = features.columns()
    model = ModelParams().estimator().fit(features.frame.select(cols).to_numpy(), data.accounts["label"].to_numpy())
    out.parent.mkdir(parents=True, exist_ok=True)
    model.booster_.save_model(str(out))
    summary = {"model": str(out), "features": cols, "versions": {"model": MODEL_VERSION, "features": FEATURES_VERSION}}
    print_json(summary) if json_out else typer.echo(f"saved {out}")


def _train_customer_model(
    events: Path,
    labels: Path | None,
    context: Path | None,
    split_day: int | None,
    budget: float,
    out: Path | None,
    json_out: bool,
) -> None:
    from datetime import timedelta

    import duckdb

    from warden.monitoring.configured import context_for
    from warden.monitoring.customer_features import CUSTOMER_FEATURES_VERSION
    from warden.monitoring.customer_model import CUSTOMER_MODEL_VERSION, CustomerModelParams
    from warden.monitoring.learnt import train_from_events
    from warden.monitoring.movements import load_movements
    from warden.store.db import open_store

    labels = labels or events.parent / "labels.csv"
    cutoff = None
    try:
        ctx = context_for(events, context, open_store(settings_or_exit()).engine)
        if split_day is not None:
            probe = duckdb.connect()
            load_movements(probe, events)
            t0 = probe.execute("SELECT min(ts) FROM mv").fetchall()[0][0]
            cutoff = t0.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=split_day)
        model, _ = train_from_events(
            events,
            labels,
            ctx,
            cutoff,
            CustomerModelParams(budget_per_1000_per_30d=budget),
        )
    except (InputError, ValueError) as exc:
        fail(str(exc))
    if out is None:
        from warden.monitoring.model_registry import save_customer_model

        version, folder = save_customer_model(model, settings_or_exit().data_dir)
        out = folder
    else:
        version = None
        model.save(out)
    summary = {
        "model": str(out),
        "active_version": version,
        "threshold": round(model.threshold, 4),
        "trained": model.trained,
        "versions": {"model": CUSTOMER_MODEL_VERSION, "features": CUSTOMER_FEATURES_VERSION},
    }
    print_json(summary) if json_out else typer.echo(f"saved {out} (threshold {model.threshold:.4f})")


def register(app: typer.Typer) -> None:
    app.command("monitor")(monitor_cmd)
    eval_app.command("aml")(eval_aml_cmd)
    eval_app.command("monitor")(eval_monitor_cmd)
    train_app.command("aml")(train_aml_cmd)
