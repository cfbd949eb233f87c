"""Customer-level laundering / mule model learnt from an exchange's own labels, split by time.

Rows are (customer, window): features over a `window_days` window (`customer_features`), windows every
`step_days` across the learn period. A labelled laundering / mule / hack-proceeds customer is a positive in
a window its scenario's labelled events reach into; windows where its scenario is quiet are left out, and
so are scenarios that are not over before the cut-off (their later part is what gets judged). Everyone else
is a negative.

The operating point is learnt too: out-of-fold scores (folds by customer) on the learn windows, flagged
customers joined into rings along their transfers and hops in the window (one alert per ring), and the
lowest threshold whose alerts stay within the budget (alerts per 1,000 customers per 30 days) is kept:
the most recall the budget allows. What carries over to the scored window is the share of customers
flagged there (`flag_share`): a score threshold fitted on fold models does not transfer to the final model
(its scores on new data sit elsewhere), while a share of the population does. A scored window flags its
top `flag_share` customers whose score is at least `min_score` (the balanced classifier's boundary).
Customers next to a flagged one and ranked within the top `join_share` join its ring (`ring_join`).
A share of customers is not a number of alerts: where launderers are rarer than where the model learnt,
the same share is more single customers, each an alert. So a window also raises no more alerts than the
model's share of the budget allows for its length and population (`alert_budget`: the budget itself, where
the operating point aims under it), highest scored first. A run scores its windows and, between two of them,
one across their boundary (`learnt.across_boundaries`); the run as a whole keeps to that share for its length.
A ring is raised only when its most active member moved at least as much, as a rank in its window, as the
quietest labelled ring did in a learn window (`min_volume_rank`, learnt in training).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import lightgbm as lgb
import numpy as np
from numpy.typing import NDArray

from warden.monitoring.alerts import Alert
from warden.monitoring.customer_features import (
    CUSTOMER_FEATURES_VERSION,
    EVIDENCE_TYPOLOGIES,
    FEATURES,
    WindowFeatures,
    window_features,
)
from warden.monitoring.holdout import DIRTY_LABELS, CustomerLabel
from warden.monitoring.ring_evidence import ring_evidence
from warden.monitoring.ring_join import choose_join_share, joiners, neighbours, rank_shares

T = TypeVar("T")

# 2: ring edges reach back a window and include shared funders; 3: a ring must move money (`min_volume_rank`)
CUSTOMER_MODEL_VERSION = "aml-customer-lgbm-3"


@dataclass(frozen=True)
class CustomerModelParams:
    window_days: int = 10
    step_days: int = 2
    budget_per_1000_per_30d: float = 10.0
    # The budget is aimed at this share of itself: the rate is learnt on one period and promised for the
    # next, where a handful of alerts more or less moves it by a tenth (as calibration's `Budgets.margin`).
    budget_margin: float = 0.9
    ring_size: int = 12  # a reviewer's alert covers at most this many customers: a bigger ring counts as several
    folds: int = 5
    join_precision: float = 0.7  # neighbours join a flagged ring only where they were this often dirty
    # Ring edges: money between customers in the window and the `ring_lookback_days` before it (a ring's
    # feeders often pay in before its collector is loud), and customers funded from one external address that
    # funds at most `shared_funder_max` customers (more is a service or a hot wallet, not a ring's wallet).
    ring_lookback_days: int = 10
    shared_funder_max: int = 5
    n_estimators: int = 300
    learning_rate: float = 0.05
    num_leaves: int = 15
    min_child_samples: int = 5
    seed: int = 7

    def estimator(self) -> lgb.LGBMClassifier:
        return lgb.LGBMClassifier(
            n_estimators=self.n_estimators,
            learning_rate=self.learning_rate,
            num_leaves=self.num_leaves,
            min_child_samples=self.min_child_samples,
            subsample=0.8,
            subsample_freq=1,
            colsample_bytree=0.8,
            class_weight="balanced",
            random_state=self.seed,
            n_jobs=1,
            deterministic=True,
            force_row_wise=True,
            verbose=-1,
        )


@dataclass
class CustomerModel:
    booster: lgb.Booster
    threshold: float
    params: CustomerModelParams
    flag_share: float = 0.0
    min_score: float = 0.5
    join_share: float = 0.0  # neighbours of a flagged customer ranked in the window's top share join its ring
    kept_detectors: list[str] = field(default_factory=list)  # detectors precise enough on the learn period
    trained: dict[str, Any] = field(default_factory=dict)
    alert_budget: float | None = None  # the model's share of the budget, per 1,000 customers per 30 days
    min_volume_rank: float = 0.0  # a ring is raised only when a member moved at least this much (`ring_volume`)

    def score(self, wf: WindowFeatures) -> NDArray[np.float64]:
        if not wf.customers:
            return np.zeros(0)
        return np.asarray(self.booster.predict(wf.x), dtype=np.float64)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        doc = {
            "version": CUSTOMER_MODEL_VERSION,
            "features_version": CUSTOMER_FEATURES_VERSION,
            "features": list(FEATURES),
            "threshold": self.threshold,
            "flag_share": self.flag_share,
            "min_score": self.min_score,
            "join_share": self.join_share,
            "kept_detectors": self.kept_detectors,
            "alert_budget": self.alert_budget,
            "min_volume_rank": self.min_volume_rank,
            "params": self.params.__dict__,
            "trained": self.trained,
            "booster": self.booster.model_to_string(),
        }
        path.write_text(json.dumps(doc), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> CustomerModel:
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc.get("features") != list(FEATURES):
            raise ValueError(f"{path}: model features ({doc.get('features_version')}) differ from this Warden's")
        return cls(
            booster=lgb.Booster(model_str=doc["booster"]),
            threshold=float(doc["threshold"]),
            flag_share=float(doc.get("flag_share", 0.0)),
            min_score=float(doc.get("min_score", 0.5)),
            join_share=float(doc.get("join_share", 0.0)),
            kept_detectors=list(doc.get("kept_detectors", [])),
            alert_budget=None if doc.get("alert_budget") is None else float(doc["alert_budget"]),
            min_volume_rank=float(doc.get("min_volume_rank", 0.0)),
            # a model saved before ring edges had a lookback and funders keeps the edges it was fitted with
            params=CustomerModelParams(**({"ring_lookback_days": 0, "shared_funder_max": 0} | doc["params"])),
            trained=doc.get("trained", {}),
        )


def scenario_spans(
    con: duckdb.DuckDBPyConnection, event_scenarios: dict[str, str]
) -> dict[str, tuple[datetime, datetime]]:
    """Scenario id -> (first, last) time of its labelled money events."""
    spans: dict[str, tuple[datetime, datetime]] = {}
    for event_id, ts in con.execute("SELECT event_id, ts FROM mv").fetchall():
        sc = event_scenarios.get(event_id)
        if sc is None:
            continue
        lo, hi = spans.get(sc, (ts, ts))
        spans[sc] = (min(lo, ts), max(hi, ts))
    return spans


def learn_windows(start: datetime, cutoff: datetime, p: CustomerModelParams) -> list[tuple[datetime, datetime]]:
    out = []
    t0 = start
    while t0 + timedelta(days=p.window_days) <= cutoff:
        out.append((t0, t0 + timedelta(days=p.window_days)))
        t0 += timedelta(days=p.step_days)
    return out or [(start, cutoff)]


def ring_edges(
    con: duckdb.DuckDBPyConnection, t0: datetime, t1: datetime, p: CustomerModelParams
) -> list[tuple[str, str]]:
    """Who is tied to whom for rings and joins: transfers and resolved hops, and customers who deposited
    from one external address, from `ring_lookback_days` before the window to its end. An address that
    funds more than `shared_funder_max` customers (another exchange's hot wallet, a payment processor) ties
    nobody."""
    lo = t0 - timedelta(days=p.ring_lookback_days)
    paid = con.execute("SELECT DISTINCT src, dst FROM tr WHERE ts >= ? AND ts < ?", [lo, t1]).fetchall()
    funded = con.execute(
        """
        WITH f AS (
          SELECT DISTINCT address, cust FROM dep WHERE ts >= ? AND ts < ? AND address IS NOT NULL
        ), small AS (
          SELECT address FROM f GROUP BY address HAVING count(*) BETWEEN 2 AND ?
        )
        SELECT DISTINCT a.cust, b.cust FROM f a JOIN f b ON a.address = b.address AND a.cust < b.cust
        WHERE a.address IN (SELECT address FROM small)
        """,
        [lo, t1, p.shared_funder_max],
    ).fetchall()
    return [(str(a), str(b)) for a, b in paid + funded]


def rings(flagged: set[str], edges: list[tuple[str, str]]) -> list[set[str]]:
    """Flagged customers joined along transfers / hops between two flagged customers."""
    parent = {c: c for c in flagged}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        if a in parent and b in parent:
            parent[find(a)] = find(b)
    groups: dict[str, set[str]] = {}
    for c in flagged:
        groups.setdefault(find(c), set()).add(c)
    return list(groups.values())


@dataclass
class _Window:
    wf: WindowFeatures
    y: NDArray[np.float64]
    keep: NDArray[np.bool_]
    edges: list[tuple[str, str]]


def _learn_rows(
    con: duckdb.DuckDBPyConnection,
    labels: dict[str, CustomerLabel],
    spans: dict[str, tuple[datetime, datetime]],
    start: datetime,
    cutoff: datetime,
    p: CustomerModelParams,
) -> list[_Window]:
    done = {sc for sc, (_, hi) in spans.items() if hi < cutoff}
    out = []
    for t0, t1 in learn_windows(start, cutoff, p):
        wf = window_features(con, t0, t1)
        y = np.zeros(len(wf.customers))
        keep = np.ones(len(wf.customers), dtype=bool)
        for i, c in enumerate(wf.customers):
            lab = labels.get(c)
            if lab is None or lab.label not in DIRTY_LABELS:
                continue
            span = spans.get(lab.scenario_id)
            if lab.scenario_id not in done or span is None or span[1] < t0 or span[0] >= t1:
                keep[i] = False  # not judged here: scenario still running at the cut-off, or quiet in this window
            else:
                y[i] = 1.0
        out.append(_Window(wf, y, keep, ring_edges(con, t0, t1, p)))
    return out


VOLUME_RANKS = ("pr_usd_dep", "pr_usd_wd", "pr_usd_tin", "pr_usd_tout")


def volume_ranks(wf: WindowFeatures) -> NDArray[np.float64]:
    """Per customer of the window, its largest money flow (deposits, withdrawals, transfers in or out) as a
    percentile rank within the window's population."""
    if not wf.customers:
        return np.zeros(0)
    return np.asarray(wf.x[:, [FEATURES.index(f) for f in VOLUME_RANKS]].max(axis=1), dtype=np.float64)


def ring_volume(ring: set[str], volume_of: dict[str, float]) -> float:
    """A ring's volume rank: that of its most active member (the collector, the hub), not its quietest."""
    return max(volume_of[c] for c in ring)


def smallest_labelled_ring(windows: list[_Window], labels: dict[str, CustomerLabel]) -> float:
    """The lowest `ring_volume` of a labelled scenario's members in a learn window where it is judged (0 when
    there is none): a ring that moved less than every laundering ring the exchange has labelled is not raised,
    learnt from the exchange itself (on the partner's halves every labelled ring-window had a member in the
    top eighth of its window, while the model's lone false alerts were below the median)."""
    lowest = 1.0
    found = False
    for w in windows:
        volume = volume_ranks(w.wf)
        by_scenario: dict[str, float] = {}
        for i, c in enumerate(w.wf.customers):
            if w.y[i] == 1:
                sc = labels[c].scenario_id
                by_scenario[sc] = max(by_scenario.get(sc, 0.0), float(volume[i]))
        if by_scenario:
            found = True
            lowest = min(lowest, *by_scenario.values())
    return lowest if found else 0.0


def _alerts_per_1000_30d(n_alerts: float, customers: int, days: float) -> float:
    return 1000.0 * n_alerts / max(customers, 1) * 30.0 / max(days, 1e-9)


def choose_threshold(
    windows: list[_Window], scores: list[NDArray[np.float64]], customers: int, p: CustomerModelParams
) -> tuple[float, dict[str, Any]]:
    """Lowest threshold whose mean ring alerts per window fit the budget, each threshold judged with the
    neighbours that would join its rings (`_join_at`); recall of positives there."""
    pooled = np.concatenate([s[w.keep] for s, w in zip(scores, windows, strict=True)])
    if pooled.size == 0:
        return 1.0, {}
    candidates = np.unique(np.quantile(pooled, np.linspace(0.9, 1.0, 201)))[::-1]
    best: tuple[float, dict[str, Any]] = (
        float(candidates[0]) if candidates.size else 1.0,
        {"recall": 0.0, "alerts_per_1000_per_30d": 0.0},
    )
    shares = [rank_shares(s) for s in scores]
    nbrs = [neighbours(w.edges) for w in windows]
    for thr in candidates:
        flagged = [_at_least(w.wf.customers, s, thr) for s, w in zip(scores, windows, strict=True)]
        join_share, join_at = _join_at(windows, flagged, shares, nbrs, p)
        n_alerts, hit, pos = 0, 0, 0
        for w, f, sh, nb in zip(windows, flagged, shares, nbrs, strict=True):
            named = f | joiners(f, w.wf.customers, sh, nb, join_share)
            n_alerts += sum(-(-len(r) // p.ring_size) for r in rings(named, w.edges))
            is_named = np.array([c in named for c in w.wf.customers], dtype=bool)
            hit += int((is_named & (w.y == 1) & w.keep).sum())
            pos += int(((w.y == 1) & w.keep).sum())
        rate = _alerts_per_1000_30d(n_alerts / len(windows), customers, p.window_days)
        if rate > p.budget_per_1000_per_30d:
            break
        share = float(np.mean([(s >= thr).mean() if s.size else 0.0 for s in scores]))
        best = (
            float(thr),
            {
                "recall": hit / pos if pos else 0.0,
                "alerts_per_1000_per_30d": round(rate, 3),
                "flag_share": share,
                "ring_join": {**join_at, "join_share": join_share},
            },
        )
    return best


def _at_least(customers: list[str], scores: NDArray[np.float64], threshold: float) -> set[str]:
    return {c for c, v in zip(customers, scores, strict=True) if v >= threshold}


def _join_at(
    windows: list[_Window],
    flagged: list[set[str]],
    shares: list[NDArray[np.float64]],
    nbrs: list[dict[str, set[str]]],
    p: CustomerModelParams,
) -> tuple[float, dict[str, float]]:
    """How far down the ranking the flagged customers' neighbours may join their rings (`ring_join`)."""
    candidates: list[tuple[float, bool]] = []
    for w, f, sh, nb in zip(windows, flagged, shares, nbrs, strict=True):
        near = {n for c in f for n in nb.get(c, ()) if n not in f}
        for i, c in enumerate(w.wf.customers):
            if c in near and w.keep[i]:
                candidates.append((float(sh[i]), bool(w.y[i] == 1)))
    return choose_join_share(candidates, p.join_precision)


def train_customer_model(
    con: duckdb.DuckDBPyConnection,
    labels: dict[str, CustomerLabel],
    event_scenarios: dict[str, str],
    cutoff: datetime | None = None,
    customers: int | None = None,
    params: CustomerModelParams | None = None,
) -> CustomerModel:
    """Fit on windows before `cutoff` (default: the end of the history); `prepare` must have run."""
    p = params or CustomerModelParams()
    t_min, t_max = con.execute("SELECT min(ts), max(ts) FROM mv").fetchall()[0]
    start = datetime(t_min.year, t_min.month, t_min.day)
    cutoff = cutoff or t_max + timedelta(seconds=1)
    customers = customers or int(con.execute("SELECT count(DISTINCT customer_id) FROM mv").fetchall()[0][0])
    spans = scenario_spans(con, event_scenarios)
    windows = _learn_rows(con, labels, spans, start, cutoff, p)
    x = np.vstack([w.wf.x[w.keep] for w in windows])
    y = np.concatenate([w.y[w.keep] for w in windows])
    groups = np.concatenate([np.asarray(w.wf.customers)[w.keep] for w in windows])
    if y.sum() < 2:
        raise ValueError("fewer than 2 labelled laundering / mule customer-windows before the cut-off")
    # out-of-fold scores, folds by customer (a customer's windows never train the model that scores them)
    uniq = np.unique(groups)
    rng = np.random.default_rng(p.seed)
    fold_of = dict(zip(uniq, rng.integers(0, p.folds, uniq.size), strict=True))
    oof_all = np.zeros(len(y))
    row_fold = np.array([fold_of[g] for g in groups])
    for k in range(p.folds):
        tr, te = row_fold != k, row_fold == k
        if y[tr].sum() < 1 or te.sum() == 0:
            continue
        oof_all[te] = np.asarray(p.estimator().fit(x[tr], y[tr]).predict_proba(x[te]))[:, 1]
    scores, i = [], 0
    for w in windows:
        s = np.full(len(w.wf.customers), -1.0)
        n = int(w.keep.sum())
        s[w.keep] = oof_all[i : i + n]
        i += n
        scores.append(s)
    threshold, at = choose_threshold(windows, scores, customers, p)
    flag_share = float(at.get("flag_share", 0.0))
    # per typology, out of fold: positive customers flagged in any of their windows at the operating point
    by_typology: dict[str, list[int]] = {}
    for c in set(groups[y == 1]):
        hit = bool(((groups == c) & (y == 1) & (oof_all >= threshold)).any())
        by_typology.setdefault(labels[c].typology, []).append(int(hit))
    at["recall_by_typology"] = {t: f"{sum(v)}/{len(v)}" for t, v in sorted(by_typology.items())}
    join_share = float(at.get("ring_join", {}).get("join_share", 0.0))
    booster = p.estimator().fit(x, y).booster_
    # The final model's scores are not the folds' scores: on the learn windows it may flag no larger share of
    # the negatives than the folds did at the threshold (ties at a low score would flag whole populations).
    own_neg = np.sort(np.asarray(booster.predict(x[y == 0]), dtype=np.float64))[::-1]
    allowed = int(np.floor(float((oof_all[y == 0] >= threshold).mean()) * own_neg.size))
    if allowed < own_neg.size:
        threshold = max(threshold, float(np.nextafter(own_neg[allowed], np.inf)))
    min_volume_rank = smallest_labelled_ring(windows, labels)
    return CustomerModel(
        booster=booster,
        threshold=threshold,
        params=p,
        flag_share=flag_share,
        join_share=join_share,
        min_volume_rank=min_volume_rank,
        trained={
            "min_volume_rank": round(min_volume_rank, 4),
            "from": f"{start:%Y-%m-%dT%H:%M:%SZ}",
            "cutoff": f"{cutoff:%Y-%m-%dT%H:%M:%SZ}",
            "windows": len(windows),
            "rows": len(y),
            "positive_rows": int(y.sum()),
            "positive_customers": len(set(groups[y == 1])),
            "customers": customers,
            "out_of_fold_at_threshold": at,
        },
    )


def flag(model: CustomerModel, customers: list[str], scores: NDArray[np.float64]) -> set[str]:
    """The window's top `flag_share` customers by score (ties by id), those at `min_score` or above."""
    k = int(np.ceil(model.flag_share * len(customers)))
    ranked = sorted(zip(customers, scores, strict=True), key=lambda cs: (-cs[1], cs[0]))[:k]
    return {c for c, v in ranked if v >= model.min_score}


def allowance(model: CustomerModel, population: int | None, t0: datetime, t1: datetime) -> int | None:
    """The most alerts the model may raise in [t0, t1) among `population` customers (None: no cap). At least
    one while the model has any budget: on a small exchange a window's share rounds to nothing, and the cap
    guards against a flood, it is not meant to silence the model."""
    if model.alert_budget is None or population is None:
        return None
    if model.alert_budget <= 0:
        return 0
    days = (t1 - t0).total_seconds() / 86400.0
    return max(1, round(model.alert_budget / 1000.0 * population * days / 30.0))


def _fit_under(ordered: list[T], sizes: list[int], cap: int | None, ring_size: int) -> list[T]:
    """The items in their order, each while its alerts (one per `ring_size` customers) fit under `cap`."""
    if cap is None:
        return ordered
    kept, used = [], 0
    for item, size in zip(ordered, sizes, strict=True):
        cost = -(-size // ring_size)
        if used + cost <= cap:
            kept.append(item)
            used += cost
    return kept


def within(found: list[set[str]], score_of: dict[str, float], cap: int | None, ring_size: int) -> list[set[str]]:
    """The rings, highest scored first, each while its alerts (one per `ring_size` members) fit under `cap`."""
    ordered = sorted(found, key=lambda r: (-max(score_of[c] for c in r), min(r)))
    return _fit_under(ordered, [len(r) for r in ordered], cap, ring_size)


def best_alerts(alerts: list[Alert], cap: int | None, ring_size: int) -> list[Alert]:
    """The highest scored alerts while their cost (one per `ring_size` customers) fits under `cap`."""
    ordered = sorted(alerts, key=lambda a: (-a.score, a.alert_id))
    return _fit_under(ordered, [len(a.customer_ids) for a in ordered], cap, ring_size)


def model_alerts(
    con: duckdb.DuckDBPyConnection,
    model: CustomerModel,
    t0: datetime,
    t1: datetime,
    population: int | None = None,
) -> list[Alert]:
    """Score the window [t0, t1): one alert per ring of flagged customers (`flagged`), within the window's
    `allowance` among `population` customers."""
    wf = window_features(con, t0, t1)
    s = model.score(wf)
    score_of = dict(zip(wf.customers, s, strict=True))
    edges = ring_edges(con, t0, t1, model.params)
    flagged = flag(model, wf.customers, s)
    # only a flagged customer's neighbours can join: the window's whole edge list as sets was a fifth of its time
    near_flagged = neighbours((a, b) for a, b in edges if a in flagged or b in flagged)
    flagged |= joiners(flagged, wf.customers, rank_shares(s), near_flagged, model.join_share)
    ev_idx = {t: FEATURES.index(f"ev_{t}") for t in EVIDENCE_TYPOLOGIES}
    row = {c: i for i, c in enumerate(wf.customers)}
    out = []
    cap = allowance(model, population, t0, t1)
    volume_of = dict(zip(wf.customers, volume_ranks(wf).tolist(), strict=True))
    moved = [r for r in rings(flagged, edges) if ring_volume(r, volume_of) >= model.min_volume_rank]
    kept = [sorted(ring) for ring in within(moved, score_of, cap, model.params.ring_size)]
    for members, found in zip(kept, ring_evidence(con, kept, t0, t1), strict=True):
        seen = Counter(t for c in members for t, j in ev_idx.items() if wf.x[row[c], j] > 0)
        typology = seen.most_common(1)[0][0] if seen else "laundering_model"
        top = max(score_of[c] for c in members)
        evidence = ", ".join(f"{t} ({n})" for t, n in seen.most_common()) or "none"
        alert = Alert(
            typology=typology,
            customer_ids=members,
            event_ids=found.event_ids[:500],
            addresses=found.addresses[:200],
            amount_usd=found.amount_in_usd,
            first_at=f"{found.first_at or t0:%Y-%m-%dT%H:%M:%SZ}",
            last_at=f"{found.last_at or t1:%Y-%m-%dT%H:%M:%SZ}",
            explanation=(
                f"{len(members)} customer(s) scored as laundering or mule by the exchange's customer model "
                f"(highest {top:.3f}; the top {model.flag_share:.2%} of the window's customers are flagged, and "
                f"their counterparties in the top {model.join_share:.2%} join them) "
                f"from {t0:%Y-%m-%d} to {t1:%Y-%m-%d}; "
                f"joined by transfers or on-chain hops between them; detector evidence: {evidence}"
            ),
            parameters={
                "model": CUSTOMER_MODEL_VERSION,
                "features": CUSTOMER_FEATURES_VERSION,
                "flag_share": model.flag_share,
                "min_score": model.min_score,
                "join_share": model.join_share,
                "window_days": model.params.window_days,
                "scores": {c: round(score_of[c], 4) for c in members},
            },
            also_matched=[t for t, _ in seen.most_common()[1:]],
        )
        alert.score = round(top, 4)
        out.append(alert)
    return out
