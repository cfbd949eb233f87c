"""The demo: simulate a small exchange, run every capability over it, then serve API and console.

Each capability adds a step to DEMO_STEPS; a step takes the DemoContext and returns a one-line summary.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from warden.access.api_keys import create_api_key
from warden.access.users import list_users
from warden.audit.log import append_audit
from warden.cases.sources import alerts_from_decisions, alerts_from_monitoring
from warden.cases.staffing import add_user
from warden.customer_scores.rollup import RollupOnCommit
from warden.decisions.factory import build_engine
from warden.decisions.replay import load_events, replay
from warden.decisions.repository import insert_decisions, outcome_counts
from warden.events.ingest import Ingestor
from warden.events.labels import read_labels, store_labels
from warden.monitoring.configured import context_for, run_monitoring
from warden.monitoring.pipeline import write_outputs
from warden.monitoring.repository import save_alerts
from warden.settings import Settings
from warden.store.db import Store


@dataclass
class DemoContext:
    settings: Settings
    store: Store
    customers: int
    days: int
    seed: int
    out_dir: Path
    events_path: Path = field(default_factory=Path)
    labels_path: Path = field(default_factory=Path)
    notes: list[str] = field(default_factory=list)  # shown when the demo is ready


DemoStep = Callable[[DemoContext], str]


def simulate_step(ctx: DemoContext) -> str:
    from warden import sim

    ctx.events_path, ctx.labels_path = sim.simulate_to_dir(
        customers=ctx.customers, days=ctx.days, seed=ctx.seed, out_dir=ctx.out_dir
    )
    return f"simulated {ctx.customers:,} customers x {ctx.days} days into {ctx.out_dir}"


def ingest_step(ctx: DemoContext) -> str:
    summary = Ingestor(ctx.store, ctx.settings.parquet_dir, actor="demo").ingest([ctx.events_path])
    parsed = read_labels(ctx.labels_path)
    with ctx.store.engine.begin() as conn:
        added = store_labels(conn, parsed.labels, source="simulator")
        append_audit(conn, actor="demo", action="labels.import", subject=str(ctx.labels_path), after={"added": added})
    return (
        f"ingested {summary.total('stored'):,} events ({summary.total('duplicates'):,} already stored), "
        f"{added:,} labels"
    )


def calibrate_step(ctx: DemoContext) -> str:
    """The exchange fits Warden to its own labelled history before deciding it, as `warden calibrate --no-train
    --publish live` does: rule thresholds and the model's cut-offs within the default budgets (1 % of normal
    withdrawals held, 5 % reviewed). The fraud model stays as it is: fitting it on the very history the demo
    then decides would flatter it. The rates are measured on that same history (in sample)."""
    from warden.cases.rule_routes import queue_check
    from warden.exchange.calibrate import Budgets
    from warden.exchange.run import publish, run_calibration
    from warden.models.registry import load_fraud_model
    from warden.rules.loader import starter_pack_path

    content = starter_pack_path().read_text(encoding="utf-8")
    model = load_fraud_model(ctx.settings.data_dir)
    result, _, report = run_calibration(ctx.events_path, content, ctx.labels_path, Budgets(), model, train=False)
    with ctx.store.engine.begin() as conn:
        published = publish(conn, result.content, "live", "demo", [queue_check()])
    before, after = report["calibration"]["before"], report["calibration"]["after"]
    return (
        f"calibrated to its own history: {published['name']}@{published['version']} live; normal withdrawals "
        f"held {before['normal_held']:.2%} -> {after['normal_held']:.2%}, reviewed {before['normal_reviewed']:.2%} "
        f"-> {after['normal_reviewed']:.2%} (in sample)"
    )


def decide_step(ctx: DemoContext) -> str:
    """Replay the simulated events through the live decision engine (the calibrated ruleset) and keep the
    records."""
    engine = build_engine(ctx.settings, store=ctx.store)
    loaded = load_events([ctx.events_path])
    rows = [d.to_row(ctx.store.dialect == "sqlite") for d in replay(engine, loaded.events)]
    with ctx.store.engine.begin() as conn:
        insert_decisions(conn, rows, [RollupOnCommit(conn.dialect.name, every_seconds=None)])
        counts = outcome_counts(conn)
        _, secret = create_api_key(conn, "demo", {"decisions", "screening"}, actor="demo")
    ctx.notes.append(f"demo API key (decisions, screening): {secret}")
    strong = {k: v for k, v in counts.items() if k != "allow"}
    return f"decided {len(rows):,} events with {engine.versions}: {strong}"


def monitor_step(ctx: DemoContext) -> str:
    """Batch monitoring over the simulated history as the deployment is configured (detectors, the identity
    graph's rings, a customer model once one is trained); alerts to the store and to DIR/alerts.jsonl."""
    result = run_monitoring(ctx.events_path, context_for(ctx.events_path, None, ctx.store.engine), None)
    path = write_outputs(result, ctx.out_dir)
    save_alerts(ctx.store.engine, result.alerts)
    summary = result.summary()
    return f"monitoring: {summary['alerts']} alerts {summary['alerts_by_typology']} -> {path}"


DEMO_USERS = (
    ("ana", "analyst"),
    ("lee", "analyst"),
    ("sam", "senior_analyst"),
    ("rita", "rule_author"),
    ("mo", "model_risk_officer"),
    ("root", "admin"),
)
DEMO_ANALYSTS, DEMO_SENIOR = ("ana", "lee"), "sam"
DEMO_PASSWORD = "warden-demo"  # printed by the demo; a real deployment adds its people with `warden users add`


def cases_step(ctx: DemoContext) -> str:
    """Held decisions and monitoring alerts become cases in queues; demo reviewers to work them."""
    with ctx.store.engine.begin() as conn:
        from_decisions = alerts_from_decisions(conn)
        from_monitoring = alerts_from_monitoring(conn)
        known = {u.username for u in list_users(conn)}
        for username, role in DEMO_USERS:
            if username not in known:
                add_user(conn, username, role, DEMO_PASSWORD, actor="demo")
    ctx.notes.append(
        "demo reviewers: " + ", ".join(f"{u} ({r})" for u, r in DEMO_USERS) + f", password {DEMO_PASSWORD!r}"
    )
    opened = from_decisions.get("new_cases", 0) + from_monitoring.get("new_cases", 0)
    alerts = from_decisions.get("alerts", 0) + from_monitoring.get("alerts", 0)
    return f"cases: {alerts} alerts into {opened} new cases"


def triage_step(ctx: DemoContext) -> str:
    """Order the backlog with the triage model. It is trained on a second, smaller simulated exchange (another
    seed) with simulated dispositions, never on the demo's own cases, whose labels it would otherwise learn.
    Trained by the demo, it waits for approval like any version; the demo's model-risk officer approves it
    (audited under that name), which re-scores the open cases with it."""
    from warden import sim
    from warden.access.roles import Actor
    from warden.cases.records import utcnow
    from warden.demo.pipeline import build_cases
    from warden.triage.approval import decide_triage_version, save_for_approval
    from warden.triage.dispositions import simulated_dispositions
    from warden.triage.model import TriageError, train_triage

    seed, customers = ctx.seed + 1, min(ctx.customers, 1000)
    folder = ctx.out_dir / "triage-training"
    events_path, _ = sim.simulate_to_dir(customers=customers, days=ctx.days, seed=seed, out_dir=folder / "sim")
    built = build_cases(events_path, folder / "data", ctx.settings, live_store=ctx.store)
    try:
        with built.store.engine.connect() as conn:
            labels = simulated_dispositions(conn)
            model = train_triage(
                conn,
                labels,
                trained_on=str(events_path.resolve()),
                label_sources={"simulated": len(labels), "recorded": 0},
            )
    except TriageError as exc:
        return f"triage: kept the rule-based priority ({exc})"
    finally:
        built.store.dispose()
    save_for_approval(ctx.store.engine, model, ctx.settings.data_dir, trained_by="demo")
    validation = model.meta["metrics"]["validation"]
    reason = (
        "demo: trained on a separate simulated exchange; held-out top 20 % captures "
        f"{validation.get('captured_top_20', 'n/a')} of true positives against {validation.get('baseline_top_20', 'n/a')} "
        "by alert score"
    )
    with ctx.store.engine.begin() as conn:
        _, rescored = decide_triage_version(
            conn, ctx.settings.data_dir, model.version, Actor("mo", "model_risk_officer"), True, reason, utcnow()
        )
    data = model.meta["training_data"]
    return (
        f"triage model {model.version} trained on {data['cases']} cases ({data['true_positives']} true positives) "
        f"of a separate {customers:,}-customer exchange (seed {seed}), approved by mo; "
        f"{rescored} open cases re-prioritised"
    )


def backlog_step(ctx: DemoContext) -> str:
    """The analysts have worked the top of the queue (what they decided stands in for their judgement: the
    simulator's labels), so the dashboard, rule precision and similar cases have history to show."""
    from warden.demo.backlog import work_backlog
    from warden.triage.dispositions import simulated_dispositions

    with ctx.store.engine.connect() as conn:
        dispositions = simulated_dispositions(conn)
    per_analyst = min(40, len(dispositions) // (4 * len(DEMO_ANALYSTS)))  # about a quarter of the queue
    work = work_backlog(
        ctx.store.engine, dispositions, analysts=DEMO_ANALYSTS, senior=DEMO_SENIOR, closures_per_analyst=per_analyst
    )
    return f"backlog worked by {', '.join(DEMO_ANALYSTS)} with {DEMO_SENIOR}: {work.summary()}"


def kyc_step(ctx: DemoContext) -> str:
    """A few customers verified end to end (document, face, liveness), one attack of each kind refused; the
    sessions sent to review wait in the console's KYC review (/kyc)."""
    from warden.demo.kyc import run_kyc_demo, summary
    from warden.kyc.session_checks import build_session_checks

    checks = build_session_checks(ctx.settings)
    results = run_kyc_demo(
        ctx.store, ctx.settings.data_dir, checks, seed=ctx.seed, retention_days=ctx.settings.kyc_retention_days
    )
    return summary(results)


# Capabilities append their step here, in flow order.
DEMO_STEPS: list[DemoStep] = [
    simulate_step,
    ingest_step,
    calibrate_step,
    decide_step,
    monitor_step,
    cases_step,
    triage_step,
    backlog_step,
    kyc_step,
]


def run_demo_steps(ctx: DemoContext, report: Callable[[str, str], None]) -> None:
    for step in DEMO_STEPS:
        report(step.__name__, step(ctx))
