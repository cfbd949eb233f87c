"""`warden eval exchange`: learn and calibrate on one labelled period or exchange, decide on another.

The loop an exchange runs: train the fraud model on its labelled history, calibrate the ruleset (thresholds
and model operating points) within its budgets, then decide the next period. Figures per withdrawal group
(labels.py) and per benign look-alike group. `loop_hook` is where monitoring's per-typology recall and
precision, alerts and cases per 1,000 customers and the triage figures join the same report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import polars as pl

from warden.exchange.calibrate import Budgets, calibrate
from warden.exchange.labels import withdrawal_groups
from warden.exchange.model_fit import fit_out_of_fold
from warden.exchange.outcomes import decide_frame, model_probability, model_risk, to_risk
from warden.models.dataset import Withdrawals, label_frame
from warden.models.fraud import FraudModel
from warden.models.train import TrainingError
from warden.rules.loader import load_ruleset
from warden.rules.outcome import Outcome


@dataclass
class Period:
    """A featured stretch of history (all event types, with features) and its labels."""

    frame: pl.DataFrame
    labels: pl.DataFrame  # labels.csv rows
    customers: int


def split_by_day(frame: pl.DataFrame, day: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The first `day` days and the rest; features stay point in time, computed over the whole history, as
    the exchange's online state would have them. Day 0 starts at midnight UTC of the first money movement:
    sign-ups, logins and address books set up before the data window must not count as days."""
    money = frame.filter(pl.col("type").is_in(["deposit", "withdrawal", "trade", "transfer"]))
    first = (money if money.height else frame)["occurred_at"].min()
    assert isinstance(first, datetime)
    cut = first.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=day)
    early = frame.filter(pl.col("occurred_at") < cut)
    return early, frame.filter(pl.col("occurred_at") >= cut)


def training_rows(frame: pl.DataFrame, labels: pl.DataFrame) -> Withdrawals:
    """Labelled withdrawals in the shape `train_fraud` takes (features computed already)."""
    rows = [
        {"entity_type": r["entity_type"], "entity_id": r["entity_id"], "label": r["label"],
         "typology": r["typology"] or "", "scenario_id": r.get("scenario_id") or ""}
        for r in labels.to_dicts()
    ]  # fmt: skip
    table = (
        frame.filter(pl.col("type") == "withdrawal")
        .with_columns(pl.col("amount_usd").cast(pl.Float64))
        .join(label_frame(rows), on="event_id", how="left")
        .with_columns(pl.col("y").fill_null(0), pl.col("typology").fill_null("normal"))
        .with_columns(pl.when(pl.col("y") == 0).then(pl.lit("normal")).otherwise(pl.col("typology")).alias("typology"))
        .sort("occurred_at", maintain_order=True)
    )
    return Withdrawals(table)


def groups_for(frame: pl.DataFrame, labels: pl.DataFrame) -> np.ndarray:
    """Per frame row: the withdrawal's group, '' for other event types."""
    is_w = (frame["type"] == "withdrawal").to_numpy()
    out = np.full(frame.height, "", dtype=object)
    out[is_w] = withdrawal_groups(frame.filter(pl.col("type") == "withdrawal"), labels)["group"].to_numpy()
    return out


def figures(frame: pl.DataFrame, labels: pl.DataFrame, outcome: np.ndarray) -> dict[str, Any]:
    """Hold and review rates per withdrawal group; share flagged per benign group (withdrawals and customers)."""
    withdrawals = frame.filter(pl.col("type") == "withdrawal").select("event_id", "customer_id")
    is_w = (frame["type"] == "withdrawal").to_numpy()
    groups = withdrawal_groups(withdrawals, labels)
    table = withdrawals.with_columns(
        groups["group"], groups["benign"], pl.Series("outcome", outcome[is_w].astype(np.int64))
    )
    held, reviewed = pl.col("outcome") >= int(Outcome.HOLD), pl.col("outcome") == int(Outcome.REVIEW)
    result: dict[str, Any] = {"withdrawals": table.height}
    for name in ("account_takeover", "coached_scam", "normal", "other"):
        part = table.filter(pl.col("group") == name)
        result[name] = {
            "withdrawals": part.height,
            "held_or_stronger": _share(part.select(held.mean()).item()),
            "reviewed": _share(part.select(reviewed.mean()).item()),
        }
    benign = (
        table.drop_nulls("benign")
        .group_by("benign")
        .agg(
            pl.len().alias("withdrawals"),
            (pl.col("outcome") >= int(Outcome.REVIEW)).mean().alias("flagged"),
            pl.col("customer_id").n_unique().alias("customers"),
            pl.col("customer_id").filter(pl.col("outcome") >= int(Outcome.REVIEW)).n_unique().alias("flagged_c"),
        )
        .sort("benign")
    )
    result["benign_groups"] = {
        r["benign"]: {
            "withdrawals": r["withdrawals"],
            "flagged_share": _share(r["flagged"]),
            "customers": r["customers"],
            "customers_flagged_share": _share(r["flagged_c"] / r["customers"]),
        }
        for r in benign.to_dicts()
    }
    return result


def _share(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)


LoopHook = Callable[[dict[str, Any], str, FraudModel | None], dict[str, Any]]


def without_monitoring(report: dict[str, Any], ruleset_content: str, model: FraudModel | None) -> dict[str, Any]:
    """The default end of the loop: decisions only. `warden eval exchange` passes the hook that monitors,
    opens cases and triages the second exchange with the calibrated ruleset and the learnt model (a stage
    above this one: `warden.demo.exchange_loop`)."""
    report["monitoring"] = "not run here (warden eval exchange runs it)"
    return report


def fit_and_score(
    train: Period, fallback: FraudModel | None, seed: int, report: dict[str, Any]
) -> tuple[FraudModel | None, np.ndarray]:
    """The fraud model fitted on the labelled period and each row's out-of-fold risk; the fallback model
    (and its plain scores) when the period has too few labelled frauds."""
    try:
        model, oof = fit_out_of_fold(training_rows(train.frame, train.labels), seed=seed, source="train period")
    except TrainingError as exc:
        report["model_error"] = str(exc)
        return fallback, model_risk(fallback, train.frame)
    report["model"] = {"version": model.version, **model.meta["training_data"], "out_of_fold": model.meta["metrics"]}
    risk = np.zeros(train.frame.height)
    is_w = (train.frame["type"] == "withdrawal").to_numpy()
    order = (
        train.frame.with_row_index("_row")
        .filter(pl.col("type") == "withdrawal")
        .sort("occurred_at", maintain_order=True)["_row"]
        .to_numpy()
    )
    risk[order] = to_risk(model, oof)
    assert is_w[order].all()
    return model, risk


def run_exchange_eval(
    train: Period,
    test: Period,
    ruleset_content: str,
    budgets: Budgets = Budgets(),
    baseline_model: FraudModel | None = None,
    seed: int = 7,
    loop_hook: LoopHook = without_monitoring,
    unlabelled_second_pass: bool = False,
) -> dict[str, Any]:
    """Train and calibrate on `train`, decide `test`; the starting point (ruleset as given, `baseline_model`)
    decides `test` too, for comparison."""
    report: dict[str, Any] = {
        "train": {"events": train.frame.height, "customers": train.customers},
        "test": {"events": test.frame.height, "customers": test.customers},
    }
    start = load_ruleset(ruleset_content)
    if baseline_model is not None:
        baseline = decide_frame(start, test.frame, model_risk(baseline_model, test.frame))
        report["before"] = figures(test.frame, test.labels, baseline.final)
    model, risk = fit_and_score(train, baseline_model, seed, report)
    calibrated = calibrate(ruleset_content, train.frame, risk, groups_for(train.frame, train.labels), budgets)
    report["calibration"] = calibrated.report
    ruleset = load_ruleset(calibrated.content)
    decided = decide_frame(ruleset, test.frame, model_risk(model, test.frame))
    report["after"] = figures(test.frame, test.labels, decided.final)
    report["after"]["rules_only_held"] = _share(float((decided.rules >= int(Outcome.HOLD)).mean()))
    if unlabelled_second_pass:
        # as an exchange that adopts a model learnt elsewhere: calibrate again on the second period's own
        # traffic, without its labels, then decide it
        test_risk = model_risk(model, test.frame)
        again = calibrate(
            calibrated.content,
            test.frame,
            test_risk,
            None,
            budgets,
            fraud_probability=model_probability(model, test.frame),
        )
        redecided = decide_frame(load_ruleset(again.content), test.frame, test_risk)
        report["after_unlabelled_recalibration"] = figures(test.frame, test.labels, redecided.final)
        report["unlabelled_recalibration"] = again.report
    return loop_hook(report, calibrated.content, model)


def decision_figures(history: pl.DataFrame, decided: dict[str, str], labels: pl.DataFrame) -> dict[str, Any]:
    """`figures` for a decision run (`warden decide --out`): event id -> outcome name. Withdrawals the run
    did not decide are counted and left out."""
    withdrawals = history.filter(pl.col("type") == "withdrawal").select("event_id", "customer_id", "type")
    known = withdrawals.filter(pl.col("event_id").is_in(list(decided)))
    outcome = np.array([int(Outcome[decided[e].upper()]) for e in known["event_id"].to_list()], dtype=np.int64)
    return {**figures(known, labels, outcome), "withdrawals_not_decided": withdrawals.height - known.height}
