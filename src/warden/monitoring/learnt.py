"""Monitoring with the exchange's own customer model: train it on a labelled history, run it.

`train_from_events` reads events (and the exchange facts), runs the detectors (their alerts become
evidence features), and fits the customer model on windows before the cut-off. `apply_model` scores the
last window of a run and turns flagged rings into alerts; with a model in force those alerts replace the
detectors' own (the detectors' hits are features of the model, and their raw rate is far over budget on a
real exchange), except the detectors whose alerts were precise on the learn period (customer precision of
their alerts ending before the cut-off, smoothed as (precision x alerts + 1) / (alerts + 2) so that thin
evidence does not count, at least `KEEP_PRECISION`; counted in alerts, since one alert's customers are one
ring that stands or falls together): learnt from the labels, so an exchange where a detector works keeps it.
The alert budget (aimed at `budget_margin` of itself) is shared: direct alerts, the precise detectors and
the identity rings (kept when precise on the labels, `ring_quality`) take their share first; the model flags
within what is left.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from warden.monitoring.alerts import Alert
from warden.monitoring.customer_features import load_activity, prepare
from warden.monitoring.customer_model import (
    CustomerModel,
    CustomerModelParams,
    allowance,
    best_alerts,
    model_alerts,
    train_customer_model,
)
from warden.monitoring.holdout import DIRTY_LABELS, JUDGED_LABELS, SYNTHETIC_LABEL, CustomerLabel, read_labels
from warden.monitoring.hops import HopContext
from warden.monitoring.identity_rings import RINGS_KEPT, KnownRings
from warden.monitoring.identity_rings import TYPOLOGY as RINGS
from warden.monitoring.pipeline import MonitorResult, monitor

KEEP_PRECISION = 0.7  # the precision a reviewer's queue is asked for (issue 13's target)


def precise_detectors(
    alerts: list[Alert], labels: dict[str, CustomerLabel], cutoff: datetime | None
) -> dict[str, dict[str, float]]:
    """Per detector typology, its alerts ending before the cut-off: count, customer precision, and that
    precision smoothed over the alerts (one ring of six dirty customers is one piece of evidence, not six)."""
    cut = f"{cutoff:%Y-%m-%dT%H:%M:%SZ}" if cutoff else "9999"
    named: dict[str, set[str]] = {}
    count: dict[str, int] = {}
    for a in alerts:
        if a.last_at < cut:
            named.setdefault(a.typology, set()).update(a.customer_ids)
            count[a.typology] = count.get(a.typology, 0) + 1
    out = {}
    for t, cs in sorted(named.items()):
        dirty = sum(1 for c in cs if c in labels and labels[c].label in DIRTY_LABELS)
        out[t] = {
            "alerts": count[t],
            "customers": len(cs),
            "precision": round(dirty / len(cs), 4),
            "smoothed_precision": round((dirty / len(cs) * count[t] + 1) / (count[t] + 2), 4),
        }
    return out


def train_from_events(
    events: Path,
    labels: Path,
    context: HopContext | None = None,
    cutoff: datetime | None = None,
    params: CustomerModelParams | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> tuple[CustomerModel, MonitorResult]:
    con = con or duckdb.connect()
    truth, event_scenarios = read_labels(labels)
    result = monitor(events, con=con, context=context)
    load_activity(con, events)
    prepare(con, result.alerts, (context or HopContext()).hack_addresses)
    customers = customer_count(con)
    p = params or CustomerModelParams()
    quality = precise_detectors(result.alerts, truth, cutoff)
    rings = KnownRings.from_events(events, cutoff)
    quality[RINGS] = ring_quality(con, rings, truth, cutoff)
    # precise alerts are worth a reviewer's time: they take their share first, the model flags within the rest
    kept = [t for t, q in quality.items() if q["smoothed_precision"] >= KEEP_PRECISION]
    rates = alert_rates(con, result, context, cutoff, customers, p, kept, rings)
    reserved = sum(rates.values())
    budget = max(p.budget_per_1000_per_30d * p.budget_margin - reserved, 0.0)
    model = train_customer_model(
        con,
        truth,
        event_scenarios,
        cutoff=cutoff,
        customers=customers,
        params=replace(p, budget_per_1000_per_30d=budget),
    )
    model.params = p
    # the cap a window's model alerts keep: the budget itself, not the aim (the aim is for the operating point)
    model.alert_budget = max(p.budget_per_1000_per_30d - reserved, 0.0)
    model.kept_detectors = [t for t in kept if t != RINGS]
    model.trained[RINGS_KEPT] = RINGS in kept
    model.trained["budget_aimed_at"] = round(p.budget_per_1000_per_30d * p.budget_margin, 3)
    model.trained["budget_reserved_for_direct_alerts"] = round(reserved, 3)
    model.trained["reserved_by_source"] = {k: round(v, 3) for k, v in rates.items()}
    model.trained["detectors_on_learn_period"] = quality
    return model, result


def alert_rates(
    con: duckdb.DuckDBPyConnection,
    result: MonitorResult,
    context: HopContext | None,
    cutoff: datetime | None,
    customers: int,
    p: CustomerModelParams,
    kept: list[str],
    rings: KnownRings | None = None,
) -> dict[str, float]:
    """Alerts per 1,000 customers per 30 days on the learn windows, per source: `direct` (structuring and
    hack proceeds) and each of `kept` (detector typologies, and `synthetic_identity` for the identity rings)."""
    from warden.monitoring.customer_model import learn_windows
    from warden.monitoring.direct import hack_alerts, structuring_alerts

    t_min, t_max = con.execute("SELECT min(ts), max(ts) FROM mv").fetchall()[0]
    start = datetime(t_min.year, t_min.month, t_min.day)
    windows = learn_windows(start, cutoff or t_max + timedelta(seconds=1), p)
    cap = result.hops.personal_cap if result.hops else 2
    hacks = (context or HopContext()).hack_addresses
    counts = {"direct": 0.0} | dict.fromkeys(kept, 0.0)
    for a, b in windows:
        counts["direct"] += len(structuring_alerts(con, a, b)) + len(hack_alerts(con, a, b, hacks, cap))
        if rings is not None and RINGS in counts:
            counts[RINGS] += len(rings.alerts(con, a, b))
        lo, hi = f"{a:%Y-%m-%dT%H:%M:%SZ}", f"{b:%Y-%m-%dT%H:%M:%SZ}"
        for al in result.alerts:  # kept detectors' alerts ending in the window
            if al.typology in counts and al.typology not in ("direct", RINGS) and lo <= al.last_at < hi:
                counts[al.typology] += 1
    scale = 1000.0 / len(windows) / max(customers, 1) * 30.0 / p.window_days
    return {k: v * scale for k, v in counts.items()}


def ring_quality(
    con: duckdb.DuckDBPyConnection, rings: KnownRings, truth: dict[str, CustomerLabel], cutoff: datetime | None
) -> dict[str, float]:
    """The identity rings' precision on the learn period, as `precise_detectors` judges a detector's (ring
    members labelled synthetic identities count as dirty). An exchange that has labelled no synthetic
    identity has no evidence against its rings: they count as precise."""
    named: set[str] = set()
    alerts = rings.alerts(con, None, cutoff)
    for alert in alerts:
        named.update(alert.customer_ids)
    if not any(lab.label == SYNTHETIC_LABEL for lab in truth.values()):
        return {"alerts": len(alerts), "customers": len(named), "precision": 1.0, "smoothed_precision": 1.0}
    dirty = sum(1 for c in named if c in truth and truth[c].label in JUDGED_LABELS)
    return {
        "alerts": len(alerts),
        "customers": len(named),
        "precision": round(dirty / len(named), 4) if named else 0.0,
        "smoothed_precision": round((dirty + 1) / (len(named) + 2), 4),
    }


def customer_count(con: duckdb.DuckDBPyConnection) -> int:
    """Customers with any event loaded (money movements and activity): the per-1,000 denominator."""
    return int(
        con.execute(
            "SELECT count(DISTINCT c) FROM (SELECT customer_id AS c FROM mv UNION SELECT c FROM act)"
        ).fetchall()[0][0]
    )


def scoring_windows(
    first: datetime, end: datetime, window_days: int, since: datetime | None = None
) -> list[tuple[datetime, datetime]]:
    """The run from `since` (or the first movement) to `end` in windows of about `window_days` (between 2/3 and
    3/2 of it: the customer model was trained on windows that long), the last one ending at `end`."""
    start = max(first, since) if since is not None else first
    span = end - start
    if span <= timedelta(0):
        return []
    n = max(1, int(span / timedelta(days=window_days) + 0.5))
    step = span / n
    return [(end - step * (n - i), end - step * (n - i - 1)) for i in range(n)]


def across_boundaries(windows: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Between two neighbouring windows, one as long centred on their boundary: a ring whose money crosses a
    boundary (its mules pay in on one side, its collector cashes out on the other) is seen whole once, as the
    overlapping learn windows saw it."""
    return [(t0 + (t1 - t0) / 2, t1 + (t1 - t0) / 2) for t0, t1 in windows[:-1]]


def apply_model(
    con: duckdb.DuckDBPyConnection,
    result: MonitorResult,
    model: CustomerModel,
    context: HopContext | None = None,
    since: datetime | None = None,
    loaded_activity_from: Path | None = None,
) -> list[Alert]:
    """Alerts for the loaded history (not before `since`), window by window (`scoring_windows`, and the model's
    also `across_boundaries`)."""
    from warden.monitoring.detectors import consolidate

    if loaded_activity_from is not None:
        load_activity(con, loaded_activity_from)
    prepare(con, result.alerts, (context or HopContext()).hack_addresses)
    t_min, t_max = con.execute("SELECT min(ts), max(ts) FROM mv").fetchall()[0]
    if t_max is None:
        return []
    windows = scoring_windows(t_min, t_max + timedelta(seconds=1), model.params.window_days, since)
    if not windows:
        return []
    lo = f"{windows[0][0]:%Y-%m-%dT%H:%M:%SZ}"
    alerts = [a for a in result.alerts if a.typology in model.kept_detectors and a.last_at >= lo]
    population = customer_count(con)
    flagged = []
    for t0, t1 in sorted(windows + across_boundaries(windows)):
        flagged += model_alerts(con, model, t0, t1, population)
    # each window spends its own allowance; where windows overlap the run as a whole keeps to the model's
    # share of the budget for its length
    run_cap = allowance(model, population, windows[0][0], windows[-1][1])
    alerts += best_alerts(consolidate(flagged), run_cap, model.params.ring_size)
    for t0, t1 in windows:
        alerts += direct_alerts(con, t0, t1, context, result)
    return consolidate(alerts)


def direct_alerts(
    con: duckdb.DuckDBPyConnection,
    t0: datetime,
    t1: datetime,
    context: HopContext | None,
    result: MonitorResult,
) -> list[Alert]:
    """Structuring and hack-proceeds alerts of the window."""
    from warden.monitoring.direct import hack_alerts, structuring_alerts

    cap = result.hops.personal_cap if result.hops else 2
    return structuring_alerts(con, t0, t1) + hack_alerts(con, t0, t1, (context or HopContext()).hack_addresses, cap)
