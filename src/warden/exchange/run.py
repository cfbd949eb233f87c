"""`warden calibrate` as a function: read the history, fit the model where labels exist, calibrate the
ruleset, diff its outcomes against the live one, publish it (shadow by default)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import sqlalchemy as sa

from warden.decisions.rulesets import RulesetCheck, current, publish_ruleset
from warden.exchange.calibrate import Budgets, Calibration, calibrate
from warden.exchange.evaluate import Period, fit_and_score, groups_for
from warden.exchange.history import read_history
from warden.exchange.labels import read_labels
from warden.exchange.outcomes import decide_frame, featured, model_probability, model_risk
from warden.models.fraud import FraudModel
from warden.rules.loader import load_ruleset
from warden.rules.outcome import Outcome


def labels_beside(events: Path) -> Path | None:
    folder = events if events.is_dir() else events.parent
    path = folder / "labels.csv"
    return path if path.exists() else None


def outcome_diff(old: np.ndarray, new: np.ndarray, types: np.ndarray) -> dict[str, Any]:
    """Transitions between the live and the calibrated outcomes, per event type and in all."""
    pairs: Counter[str] = Counter()
    by_type: Counter[str] = Counter()
    for a, b, kind in zip(old.tolist(), new.tolist(), types.tolist(), strict=True):
        if a != b:
            pairs[f"{Outcome(a).label}->{Outcome(b).label}"] += 1
            by_type[kind] += 1
    return {
        "events": int(old.shape[0]),
        "changed": int(sum(pairs.values())),
        "stronger": int((new > old).sum()),
        "weaker": int((new < old).sum()),
        "transitions": dict(pairs.most_common()),
        "changed_by_type": dict(by_type.most_common()),
    }


def run_calibration(
    events: Path,
    live_content: str,
    labels: Path | None,
    budgets: Budgets,
    model: FraudModel | None,
    train: bool = True,
    seed: int = 7,
) -> tuple[Calibration, FraudModel | None, dict[str, Any]]:
    """The calibrated ruleset, the model it was calibrated with (a new one when labels were used to
    train), and the report (calibration figures, outcome diff against `live_content`)."""
    frame = featured(read_history(events))
    report: dict[str, Any] = {"events": frame.height, "source": str(events), "labels": str(labels) if labels else None}
    label_rows = read_labels(labels) if labels is not None else None
    if label_rows is not None and train:
        period = Period(frame, label_rows, frame["customer_id"].n_unique())
        model, risk = fit_and_score(period, model, seed, report)
    else:
        risk = model_risk(model, frame)  # no labels: the trained model as it is, its cut-offs set by percentile
    groups = groups_for(frame, label_rows) if label_rows is not None else None
    result = calibrate(live_content, frame, risk, groups, budgets, fraud_probability=model_probability(model, frame))
    live = decide_frame(load_ruleset(live_content), frame, model_risk(model, frame))
    new = decide_frame(load_ruleset(result.content), frame, model_risk(model, frame))
    report["calibration"] = result.report
    report["diff_against_live"] = outcome_diff(live.final, new.final, frame["type"].to_numpy())
    return result, model, report


def publish(
    conn: sa.Connection, content: str, status: str, actor: str, checks: Sequence[RulesetCheck] = ()
) -> dict[str, Any]:
    before = current(conn, "live")
    published = publish_ruleset(conn, content, actor, status, checks)
    return {**published.summary(), "live_before": None if before is None else f"{before.name}@{before.version}"}


def featured_period(events: Path, labels: Path) -> Period:
    frame = featured(read_history(events))
    return Period(frame, read_labels(labels), frame["customer_id"].n_unique())


def customers_of(frame: pl.DataFrame) -> int:
    return int(frame["customer_id"].n_unique())
