"""The triage model: the probability that a case is a true positive, learnt from reviewers' dispositions.

LightGBM on `triage_features` (what a reviewer sees when the case opens or grows). It plugs into take-next and
routing as a `Prioritiser`: priority = 100 x probability, with the model version and the top contributions
(LightGBM pred_contrib, log-odds) as the priority reasons. Without a trained model, or for a case scored
without its features, the transparent `rule_priority` is used and the reasons say why.

Models live in the file registry beside the fraud model (`data_dir/models/triage/<version>/`, `ACTIVE`); a
trained version serves once a second person approves it (`triage.approval`).
"""

from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import sqlalchemy as sa

from warden.cases.model import OPEN_STATES
from warden.cases.priority import Priority, PriorityInput, rule_priority, urgency, with_urgency_floor
from warden.cases.records import dumps, utcnow
from warden.cases.tables import cases
from warden.models.registry import active_version, kind_dir, set_active
from warden.triage.features import BASE_FEATURES, case_features, load_facts, rule_vocabulary

KIND = "triage"
MODEL_FILE = "model.txt"
META_FILE = "meta.json"
MIN_DISPOSITIONS = 50  # below this, or with one class missing, the rule-based priority stays
QUEUE_SHARES = (10, 20, 50)
TOP_REASONS = 5
PARAMS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.05,
    "num_leaves": 15,
    "min_data_in_leaf": 10,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "verbose": -1,
    "num_threads": 2,
}
ROUNDS = 300


class TriageError(ValueError):
    """Too few dispositions to train, or a missing or broken model version."""


def feature_matrix(rows: list[dict[str, float]], features: list[str]) -> np.ndarray:
    """Rows in the model's column order; a feature a row lacks is missing (NaN), which LightGBM handles."""
    return np.array([[row.get(name, math.nan) for name in features] for row in rows], dtype=np.float64)


@dataclass
class TriageModel:
    booster: lgb.Booster
    meta: dict[str, Any]

    @property
    def version(self) -> str:
        return str(self.meta["version"])

    @property
    def features(self) -> list[str]:
        return list(self.meta["features"])

    @property
    def vocabulary(self) -> tuple[str, ...]:
        return tuple(self.meta["vocabulary"])

    def matrix(self, rows: list[dict[str, float]]) -> np.ndarray:
        return feature_matrix(rows, self.features)

    def probabilities(self, rows: list[dict[str, float]]) -> np.ndarray:
        if not rows:
            return np.zeros(0)
        return np.asarray(self.booster.predict(self.matrix(rows)))

    def reasons(self, row: dict[str, float], top: int = TOP_REASONS) -> list[dict[str, Any]]:
        """The features that moved this case's log-odds most, either way, largest first."""
        contrib = np.asarray(self.booster.predict(self.matrix([row]), pred_contrib=True))[0][:-1]
        order = np.argsort(-np.abs(contrib))[:top]
        return [
            {
                "feature": self.features[i],
                "value": None if math.isnan(row.get(self.features[i], math.nan)) else row[self.features[i]],
                "contribution": round(float(contrib[i]), 4),
            }
            for i in order
            if contrib[i] != 0.0
        ]


def _check_labels(labels: dict[str, int]) -> None:
    positives = sum(labels.values())
    if len(labels) < MIN_DISPOSITIONS or positives == 0 or positives == len(labels):
        raise TriageError(
            f"{len(labels)} dispositions ({positives} true positives): the triage model needs at least "
            f"{MIN_DISPOSITIONS} and both true and false positives; the rule-based priority stays"
        )


def captured(scores: Iterable[float], labels: Iterable[int], share: float) -> float:
    """Share of true positives in the top `share` of the queue ordered by score (highest first).

    Ties are split evenly: when the cut falls inside a group of equal scores, that group contributes its
    positives in proportion to how much of it lies above the cut (the expected value over tie orders).
    """
    pairs = sorted(zip(scores, labels, strict=True), key=lambda p: -p[0])
    positives = sum(label for _, label in pairs)
    if not pairs or positives == 0:
        return 0.0
    budget = share * len(pairs)
    taken = 0.0
    i = 0
    while i < len(pairs) and budget > 0:
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            j += 1
        group = pairs[i:j]
        fraction = min(1.0, budget / len(group))
        taken += fraction * sum(label for _, label in group)
        budget -= len(group)
        i = j
    return round(taken / positives, 4)


def queue_metrics(scores: list[float], labels: list[int], baseline: list[float]) -> dict[str, Any]:
    result: dict[str, Any] = {f"captured_top_{s}": captured(scores, labels, s / 100) for s in QUEUE_SHARES}
    result.update({f"baseline_top_{s}": captured(baseline, labels, s / 100) for s in QUEUE_SHARES})
    positives = sum(labels)
    result.update(
        cases=len(labels), true_positives=positives, prevalence=round(positives / len(labels), 4) if labels else 0.0
    )
    return result


def _time_order(conn: sa.Connection, case_ids: list[str]) -> list[str]:
    facts = load_facts(conn, case_ids)
    return sorted(case_ids, key=lambda c: (facts[c].as_of or facts[c].created_at, c))


def train_triage(
    conn: sa.Connection,
    labels: dict[str, int],
    *,
    seed: int = 7,
    trained_on: str = "",
    label_sources: dict[str, int] | None = None,
) -> TriageModel:
    """Fit on the labelled cases. Metrics come from a time split (the latest quarter held out, model refit on
    the earlier cases only for that measurement); the saved model is then fit on every labelled case."""
    _check_labels(labels)
    ordered = _time_order(conn, list(labels))
    vocabulary = rule_vocabulary(conn, ordered)
    features = list(BASE_FEATURES) + [f"rule:{r}" for r in vocabulary]
    rows = case_features(conn, ordered, vocabulary)
    y = np.array([labels[c] for c in ordered], dtype=np.float64)
    x = feature_matrix([rows[c] for c in ordered], features)
    params = {**PARAMS, "seed": seed, "deterministic": True}
    cut = int(len(ordered) * 0.75)
    validation: dict[str, Any] = {"note": "too few positives in the time split to measure"}
    if 0 < y[:cut].sum() < cut and y[cut:].sum() > 0:
        early = lgb.train(params, lgb.Dataset(x[:cut], y[:cut], feature_name=_lgb_names(features)), ROUNDS)
        held = np.asarray(early.predict(x[cut:]))
        baseline = [rows[c]["max_score"] for c in ordered[cut:]]
        validation = queue_metrics(held.tolist(), y[cut:].astype(int).tolist(), baseline)
        validation["split"] = "time: the latest 25 % of cases by their latest alert event"
    booster = lgb.train(params, lgb.Dataset(x, y, feature_name=_lgb_names(features)), ROUNDS)
    now = datetime.now(UTC)
    meta = {
        "kind": KIND,
        "version": f"triage-{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}",
        "trained_at": now.isoformat().replace("+00:00", "Z"),
        "trained_on": trained_on,
        "features": features,
        "vocabulary": list(vocabulary),
        "params": params,
        "rounds": ROUNDS,
        "lightgbm_version": lgb.__version__,
        "training_data": {
            "cases": len(ordered),
            "true_positives": int(y.sum()),
            "label_sources": label_sources or {},
        },
        "metrics": {"validation": validation},
    }
    return TriageModel(booster, meta)


def _lgb_names(features: list[str]) -> list[str]:
    """LightGBM refuses JSON-special characters in feature names (`rule:model:fraud`); the meta keeps the
    readable names, in the same order."""
    return [re.sub(r"[^A-Za-z0-9_]", "_", name) for name in features]


def save_triage(model: TriageModel, data_dir: Path, activate: bool = True) -> Path:
    folder = kind_dir(data_dir, KIND) / model.version
    folder.mkdir(parents=True, exist_ok=True)
    model.booster.save_model(str(folder / MODEL_FILE))
    (folder / META_FILE).write_text(json.dumps(model.meta, indent=2) + "\n", encoding="utf-8")
    if activate:
        set_active(data_dir, model.version, KIND)
    return folder


def load_triage(data_dir: Path, version: str | None = None) -> TriageModel | None:
    """The named version, else the active one; None when no triage model was trained yet."""
    version = version or active_version(data_dir, KIND)
    if version is None:
        return None
    folder = kind_dir(data_dir, KIND) / version
    if not (folder / META_FILE).exists():
        raise TriageError(f"{folder}: no such triage model version")
    meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    return TriageModel(lgb.Booster(model_file=str(folder / MODEL_FILE)), meta)


class TriagePrioritiser:
    """A `Prioritiser` that scores cases with the triage model when it has one and the case's features.

    `sweep`/`reprioritise` ask it for the features of many cases at once (`case_features`) and pass them in
    `PriorityInput.features`; a call without them, or with no model, gets `rule_priority` and says why.
    """

    def __init__(self, model: TriageModel | None, fallback_reason: str = "") -> None:
        self.model = model
        self.fallback_reason = fallback_reason or ("" if model else "no triage model trained yet")

    @property
    def vocabulary(self) -> tuple[str, ...]:
        return self.model.vocabulary if self.model else ()

    def case_features(self, conn: sa.Connection, case_ids: list[str]) -> dict[str, dict[str, float]]:
        """The model's features of the cases (none without a model: it then scores by the rules)."""
        return {} if self.model is None else case_features(conn, case_ids, self.vocabulary)

    def __call__(self, case: PriorityInput, now: datetime) -> Priority:
        if self.model is None or case.features is None:
            fallback = rule_priority(case, now)
            why = self.fallback_reason if self.model is None else "case scored without its features"
            return Priority(fallback.value, {**fallback.reasons, "triage": f"fallback to rules: {why}"})
        features = dict(case.features)
        probability = float(self.model.probabilities([features])[0])
        reasons: dict[str, float | str] = {
            "version": f"triage@{self.model.version}",
            "probability": round(probability, 4),
        }
        for item in self.model.reasons(features):
            reasons[f"contribution:{item['feature']}"] = item["contribution"]
        return with_urgency_floor(case, Priority(round(100.0 * probability, 3), reasons))


def load_prioritiser(data_dir: Path) -> TriagePrioritiser:
    try:
        return TriagePrioritiser(load_triage(data_dir))
    except (TriageError, lgb.basic.LightGBMError, OSError, ValueError) as exc:
        return TriagePrioritiser(None, f"the active triage model cannot be loaded ({exc})")


def rescore_with_active_model(conn: sa.Connection, data_dir: Path) -> int:
    """Score open cases with the active triage model, if one is trained (new cases open rule-prioritised)."""
    prioritiser = load_prioritiser(data_dir)
    return reprioritise(conn, prioritiser) if prioritiser.model is not None else 0


def reprioritise(
    conn: sa.Connection,
    prioritiser: TriagePrioritiser,
    case_ids: list[str] | None = None,
    now: datetime | None = None,
) -> int:
    """Score open cases (or those named) in one batch and store priority and reasons; returns how many changed."""
    now = now or utcnow()
    query = sa.select(cases).where(cases.c.state.in_(OPEN_STATES))
    wanted = None if case_ids is None else set(case_ids)
    rows = [r for r in conn.execute(query) if wanted is None or r.case_id in wanted]
    features = prioritiser.case_features(conn, [r.case_id for r in rows])
    changed = 0
    for row in rows:
        given = PriorityInput(
            row.severity,
            row.amount_usd,
            float(row.max_alert_score),
            row.created_at,
            case_id=row.case_id,
            features=features.get(row.case_id),
            overdue=bool(row.overdue),
        )
        priority = prioritiser(given, now)
        if priority.value != row.priority or dumps(priority.reasons) != row.priority_reasons:
            conn.execute(
                sa.update(cases)
                .where(cases.c.case_id == row.case_id)
                .values(priority=priority.value, priority_reasons=dumps(priority.reasons))
            )
            changed += 1
    return changed


def evaluate_triage(conn: sa.Connection, model: TriageModel, labels: dict[str, int]) -> dict[str, Any]:
    """Captured true positives in the top 10/20/50 % of the queue as the queue orders it (the model's score
    within the urgency floors), against ordering by the raw alert score (the case's strongest alert); and how
    many urgent cases each ordering puts behind a routine one."""
    case_ids = sorted(labels)
    rows = case_features(conn, case_ids, model.vocabulary)
    probabilities = model.probabilities([rows[c] for c in case_ids]).tolist()
    facts = {r.case_id: r for r in conn.execute(sa.select(cases).where(cases.c.case_id.in_(case_ids)))}
    given = [
        PriorityInput(facts[c].severity, facts[c].amount_usd, 0.0, facts[c].created_at, overdue=bool(facts[c].overdue))
        for c in case_ids
    ]
    scores = [with_urgency_floor(g, Priority(100.0 * p, {})).value for g, p in zip(given, probabilities, strict=True)]
    baseline = [rows[c]["max_score"] for c in case_ids]
    result = queue_metrics(scores, [labels[c] for c in case_ids], baseline)
    urgent = [bool(urgency(g)) for g in given]
    result["urgent_cases"] = sum(urgent)
    result["urgent_behind_routine"] = behind(scores, urgent)
    result["baseline_urgent_behind_routine"] = behind(baseline, urgent)
    result["model"] = f"triage@{model.version}"
    return result


def behind(scores: list[float], urgent: list[bool]) -> int:
    """Urgent cases that a routine case outranks in a queue ordered by `scores`."""
    routine_top = max((s for s, u in zip(scores, urgent, strict=True) if not u), default=None)
    if routine_top is None:
        return 0
    return sum(1 for s, u in zip(scores, urgent, strict=True) if u and s < routine_top)
