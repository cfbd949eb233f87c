"""`warden eval fraud`: the model alone on a labelled data set, with the thresholds it was calibrated with."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl

from warden.models.dataset import DatasetError, Withdrawals, load_withdrawals
from warden.models.fraud import FraudModel
from warden.models.metrics import evaluate_scores
from warden.models.train import feature_matrix


def evaluate_model(model: FraudModel, data: Withdrawals) -> dict[str, Any]:
    frame = data.frame
    scores = model.score_matrix(feature_matrix(frame, model.features))
    result = evaluate_scores(scores, frame["y"].to_numpy(), frame["typology"].to_numpy(), model.thresholds)
    return {"model": {"name": "fraud", "version": model.version, "trained_at": model.meta.get("trained_at")}, **result}


def evaluate_file(
    model: FraudModel, events: Path, labels: Path | None = None, decisions: Path | None = None
) -> dict[str, Any]:
    data = load_withdrawals(events, labels)
    result = evaluate_model(model, data)
    result["events"] = str(events)
    if decisions is not None:
        result["with_rules"] = outcome_report(data, decisions)
    return result


# Outcome order of the decision engine (warden.rules.outcome); kept here so domain code needs no rules import.
OUTCOME_RANK = {"allow": 0, "challenge": 1, "review": 2, "hold": 3, "block": 4, "freeze": 5}


def decision_outcomes(path: Path) -> dict[str, str]:
    """event_id -> outcome from `warden decide` output (JSON Lines); bad lines are reported with file:line."""
    outcomes: dict[str, str] = {}
    with open(path, encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            try:
                row = json.loads(line)
                outcomes[str(row["event_id"])] = str(row["outcome"])
            except (ValueError, KeyError, TypeError) as exc:
                raise DatasetError(f"{path}:{line_no}: not a decision line ({exc})") from None
    return outcomes


def outcome_report(data: Withdrawals, decisions: Path) -> dict[str, Any]:
    """Rules and model together, as decided: hold-or-stronger per typology and for normal withdrawals."""
    outcomes = decision_outcomes(decisions)
    frame = data.frame.select("event_id", "typology")
    missing = [e for e in frame["event_id"].to_list() if e not in outcomes]
    if missing:
        raise DatasetError(f"{decisions}: no decision for {len(missing)} withdrawals (e.g. {missing[0]})")
    held = pl.Series([OUTCOME_RANK.get(outcomes[e], 0) >= OUTCOME_RANK["hold"] for e in frame["event_id"].to_list()])
    table = (
        frame.with_columns(held.alias("held"))
        .group_by("typology")
        .agg(pl.len().alias("withdrawals"), pl.col("held").mean().round(4).alias("hold_or_stronger_share"))
    )
    return {
        "decisions": str(decisions),
        "by_typology": {
            r["typology"]: {k: r[k] for k in ("withdrawals", "hold_or_stronger_share")} for r in table.to_dicts()
        },
    }
