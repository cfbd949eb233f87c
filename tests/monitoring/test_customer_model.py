"""The exchange's customer model: learnt on labelled windows before a cut-off, judged after it."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from tests.monitoring.builders import Events
from typer.testing import CliRunner

from warden.cli import app
from warden.monitoring.customer_model import CustomerModel, CustomerModelParams, rings
from warden.monitoring.learnt import apply_model, train_from_events

DAY = 24.0


def _exchange(tmp_path: Path, crossing_ring_at_day: float | None = None) -> tuple[Path, Path]:
    """200 ordinary customers over 24 days; a mule ring (4 senders -> collector who cashes out) every 3 days;
    with `crossing_ring_at_day`, an unlabelled ring whose mules pay in from then and whose collector cashes out
    14 hours later."""
    rnd = random.Random(3)
    ev = Events()
    for i in range(200):
        for d in range(0, 24, 3):
            ev.deposit(f"n{i}", d * DAY + rnd.uniform(0, 48), rnd.uniform(50, 3_000))
            ev.withdraw(f"n{i}", d * DAY + rnd.uniform(48, 70), rnd.uniform(20, 500))
        ev.transfer(f"n{i}", f"n{(i + 7) % 200}", rnd.uniform(0, 24 * DAY), rnd.uniform(10, 200))
    lines = ["entity_type,entity_id,label,typology,scenario_id"]
    for r, day in enumerate(range(1, 23, 3)):
        hub = f"hub{r}"
        for i in range(4):
            mule = f"m{r}_{i}"
            ev.deposit(mule, day * DAY + i, 4_000 + 100 * i)
            ev.transfer(mule, hub, day * DAY + 3 + i, 3_900 + 100 * i)
            lines.append(f"customer,{mule},mule,fan_in,sc-{r}")
        ev.withdraw(hub, day * DAY + 12, 16_000)
        lines.append(f"customer,{hub},laundering,fan_in,sc-{r}")
        lines.append(f"event,{ev.rows[-1]['event_id']},laundering,fan_in,sc-{r}")
    if crossing_ring_at_day is not None:
        for i in range(4):
            ev.deposit(f"xm{i}", crossing_ring_at_day * DAY + i, 4_000 + 100 * i)
            ev.transfer(f"xm{i}", "xhub", crossing_ring_at_day * DAY + 3 + i, 3_900 + 100 * i)
        ev.withdraw("xhub", crossing_ring_at_day * DAY + 14, 16_000)
    events = ev.write(tmp_path / "events.jsonl")
    labels = tmp_path / "labels.csv"
    labels.write_text("\n".join(lines) + "\n")
    return events, labels


def test_rings_join_flagged_customers_along_their_edges() -> None:
    found = rings({"a", "b", "c", "x"}, [("a", "b"), ("b", "z"), ("c", "b"), ("y", "x")])
    assert sorted(sorted(r) for r in found) == [["a", "b", "c"], ["x"]]


def test_model_learnt_before_the_cutoff_finds_the_next_ring_within_budget(tmp_path: Path) -> None:
    from datetime import timedelta

    import duckdb

    events, labels = _exchange(tmp_path)
    con = duckdb.connect()
    t0 = con.execute(
        "SELECT min(CAST(CAST(occurred_at AS TIMESTAMPTZ) AS TIMESTAMP)) FROM read_json(?, format = 'newline_delimited')",
        [str(events)],
    ).fetchall()[0][0]
    cutoff = t0.replace(hour=0, minute=0, second=0) + timedelta(days=18)
    params = CustomerModelParams(window_days=6, step_days=2, budget_per_1000_per_30d=60.0, n_estimators=60)
    model, result = train_from_events(events, labels, cutoff=cutoff, params=params, con=con)
    assert model.trained["positive_customers"] >= 10
    assert model.trained["out_of_fold_at_threshold"]["alerts_per_1000_per_30d"] <= 60.0
    alerts = apply_model(con, result, model, since=cutoff)
    flagged = {c for a in alerts for c in a.customer_ids}
    assert {"hub6", "hub7"} <= flagged  # the rings after the cut-off, never seen in training
    assert not {c for c in flagged if c.startswith("n")}
    ring = next(a for a in alerts if "hub7" in a.customer_ids)
    assert len(ring.customer_ids) >= 3
    # the fan-in detector was precise on the learn period here, so its alerts stay beside the model's
    assert "fan_in" in model.kept_detectors
    assert ring.typology == "fan_in"
    # saved and loaded, it scores the same
    model.save(tmp_path / "m.json")
    again = CustomerModel.load(tmp_path / "m.json")
    assert again.threshold == model.threshold
    assert [a.alert_id for a in apply_model(con, result, again, since=cutoff)] == [a.alert_id for a in alerts]
    assert again.alert_budget == model.alert_budget is not None and model.alert_budget > 0


def test_a_ring_across_two_scoring_windows_is_seen_whole_by_the_window_between_them(tmp_path: Path) -> None:
    from datetime import timedelta

    import duckdb

    from warden.monitoring.customer_model import model_alerts
    from warden.monitoring.learnt import across_boundaries, customer_count, scoring_windows

    # 24 days in four windows of about 6: the ring from day 11.7 to 12.3 crosses the boundary near day 12
    events, labels = _exchange(tmp_path, crossing_ring_at_day=11.7)
    con = duckdb.connect()
    # a budget wide enough for the model's own alerts, and the model's alone (the fan-in detector, kept on
    # this exchange, sees the ring whole by itself)
    params = CustomerModelParams(window_days=6, step_days=2, budget_per_1000_per_30d=100.0, n_estimators=60)
    model, result = train_from_events(events, labels, params=params, con=con)
    model.kept_detectors = []
    t_min, t_max = con.execute("SELECT min(ts), max(ts) FROM mv").fetchall()[0]
    windows = scoring_windows(t_min, t_max + timedelta(seconds=1), params.window_days)
    assert len(windows) == 4 and windows[1][1] < t_min.replace(hour=0, minute=0) + timedelta(days=12.3)
    population = customer_count(con)
    for t0, t1 in windows:  # neither side of the boundary sees the ring as one
        assert not any("xhub" in a.customer_ids for a in model_alerts(con, model, t0, t1, population))
    assert [(w[0] - windows[0][0]) / (windows[0][1] - windows[0][0]) for w in across_boundaries(windows)] == [
        0.5,
        1.5,
        2.5,
    ]
    ring = [a for a in apply_model(con, result, model) if "xhub" in a.customer_ids]
    assert len(ring) == 1 and {c for c in ring[0].customer_ids if c.startswith("xm")}  # the collector and a mule


def test_the_smallest_labelled_ring_is_its_most_active_member_in_its_quietest_window() -> None:
    from datetime import datetime

    import numpy as np

    from warden.monitoring.customer_features import FEATURES, WindowFeatures
    from warden.monitoring.customer_model import _Window, smallest_labelled_ring
    from warden.monitoring.holdout import CustomerLabel

    def window(volumes: dict[str, tuple[float, float]], positives: set[str]) -> _Window:
        customers = sorted(volumes)
        x = np.zeros((len(customers), len(FEATURES)))
        for i, c in enumerate(customers):  # deposits and transfers out, as ranks in the window
            x[i, FEATURES.index("pr_usd_dep")], x[i, FEATURES.index("pr_usd_tout")] = volumes[c]
        y = np.array([1.0 if c in positives else 0.0 for c in customers])
        wf = WindowFeatures(customers, x, datetime(2025, 1, 1), datetime(2025, 1, 11))
        return _Window(wf, y, np.ones(len(customers), dtype=bool), [])

    labels = {c: CustomerLabel("mule", "fan_in", "ring-1") for c in ("m1", "m2", "hub")}
    labels["solo"] = CustomerLabel("laundering", "pass_through", "ring-2")
    windows = [
        window({"m1": (0.3, 0.4), "m2": (0.2, 0.1), "hub": (0.5, 0.95), "n": (0.99, 0.0)}, {"m1", "m2", "hub"}),
        window({"m1": (0.6, 0.2), "solo": (0.1, 0.9), "n": (1.0, 1.0)}, {"m1", "solo"}),
    ]
    # ring-1: 0.95 (its hub) in the first window, 0.6 in the second; ring-2: 0.9; normal customers do not count
    assert smallest_labelled_ring(windows, labels) == 0.6
    assert smallest_labelled_ring([window({"n": (0.5, 0.5)}, set())], labels) == 0.0  # nothing labelled: no gate


def test_a_ring_that_moved_less_than_every_labelled_ring_is_not_raised(tmp_path: Path) -> None:
    import duckdb

    events, labels = _exchange(tmp_path)
    con = duckdb.connect()
    params = CustomerModelParams(window_days=6, step_days=2, budget_per_1000_per_30d=300.0, n_estimators=60)
    model, result = train_from_events(events, labels, params=params, con=con)
    # the mule rings' collectors move the most money of their windows
    assert 0.9 <= model.min_volume_rank <= 1.0 and model.trained["min_volume_rank"] > 0.9
    model.kept_detectors = []  # the model's own alerts only
    raised = [a for a in apply_model(con, result, model) if "flag_share" in a.parameters]
    assert {"hub0", "hub7"} <= {c for a in raised for c in a.customer_ids}
    model.min_volume_rank = 1.01  # no ring moved that much
    assert not [a for a in apply_model(con, result, model) if "flag_share" in a.parameters]


def test_the_run_keeps_its_highest_scored_alerts_within_the_models_share_of_the_budget() -> None:
    from decimal import Decimal

    from warden.monitoring.alerts import Alert
    from warden.monitoring.customer_model import best_alerts

    def alert(members: list[str], score: float) -> Alert:
        a = Alert(
            typology="fan_in",
            customer_ids=members,
            event_ids=[],
            addresses=[],
            amount_usd=Decimal(0),
            first_at="2025-01-01T00:00:00Z",
            last_at="2025-01-02T00:00:00Z",
            explanation="",
            parameters={},
        )
        a.score = score
        return a

    found = [alert(["a"], 0.9), alert(["b", "c", "d"], 0.95), alert(["e"], 0.5), alert(["f"], 0.7)]
    kept = best_alerts(found, 4, ring_size=2)  # the three-member ring costs two
    assert [a.customer_ids for a in kept] == [["b", "c", "d"], ["a"], ["f"]]
    assert len(best_alerts(found, None, ring_size=2)) == 4
    assert best_alerts(found, 0, ring_size=2) == []


def test_a_window_raises_the_highest_scored_rings_its_allowance_holds() -> None:
    from datetime import datetime, timedelta

    from warden.monitoring.customer_model import allowance, within

    model = CustomerModel(booster=None, threshold=0.5, params=CustomerModelParams(ring_size=2), alert_budget=6.0)  # type: ignore[arg-type]
    t0 = datetime(2025, 1, 1)
    assert allowance(model, 5000, t0, t0 + timedelta(days=10)) == 10  # 6 per 1,000 per 30 days
    assert allowance(model, None, t0, t0 + timedelta(days=10)) is None
    found = [{"a"}, {"b", "c", "d"}, {"e"}, {"f"}]
    score = {"a": 0.9, "b": 0.2, "c": 0.95, "d": 0.1, "e": 0.5, "f": 0.7}
    # the three-member ring counts as two alerts (ring_size 2); the lowest-scored single does not fit
    assert within(found, score, 4, 2) == [{"b", "c", "d"}, {"a"}, {"f"}]
    assert within(found, score, None, 2) == [{"b", "c", "d"}, {"a"}, {"f"}, {"e"}]
    assert allowance(model, 100, t0, t0 + timedelta(days=1)) == 1  # a small exchange's window keeps one
    model.alert_budget = 0.0
    assert allowance(model, 5000, t0, t0 + timedelta(days=10)) == 0


def test_train_aml_events_cli_writes_a_model_monitor_uses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WARDEN_DATA_DIR", str(tmp_path / "data"))
    events, labels = _exchange(tmp_path)
    runner = CliRunner()
    out = runner.invoke(
        app,
        [
            "train",
            "aml",
            "--events",
            str(events),
            "--labels",
            str(labels),
            "--split-day",
            "18",
            "--out",
            str(tmp_path / "model.json"),
            "--json",
        ],
    )
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["trained"]["cutoff"].endswith("T00:00:00Z")
    out = runner.invoke(
        app,
        [
            "monitor",
            "--events",
            str(events),
            "--model",
            str(tmp_path / "model.json"),
            "--out",
            str(tmp_path / "o"),
            "--no-store",
            "--json",
        ],
    )
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["alerts"] >= 1
    both = runner.invoke(app, ["train", "aml", "--out", str(tmp_path / "x.json")])
    assert both.exit_code != 0 and "exactly one of" in both.output


def test_the_trained_customer_model_is_active_and_monitoring_uses_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WARDEN_DATA_DIR", str(tmp_path / "data"))
    events, labels = _exchange(tmp_path)
    runner = CliRunner()
    watch = ["monitor", "--events", str(events), "--out", str(tmp_path / "o"), "--json"]
    before = runner.invoke(app, watch)
    assert before.exit_code == 0, before.output
    assert json.loads(before.output)["customer_model"] is None  # nothing trained yet: the detectors alone
    trained = runner.invoke(app, ["train", "aml", "--events", str(events), "--labels", str(labels), "--json"])
    assert trained.exit_code == 0, trained.output
    version = json.loads(trained.output)["active_version"]
    assert version and (tmp_path / "data" / "models" / "aml-customer" / "ACTIVE").read_text().strip() == version
    after = runner.invoke(app, watch)
    assert after.exit_code == 0, after.output
    summary = json.loads(after.output)
    assert summary["customer_model"] == version
    # every ring found, each once (the fan-in detector was precise on this history, so it is kept beside
    # the model, and the model's alert of the same ring folds into it)
    hubs = sorted(c for a in _alerts(tmp_path / "o") for c in a["customer_ids"] if c.startswith("hub"))
    assert hubs == [f"hub{r}" for r in range(8)]
    raw = runner.invoke(app, [*watch, "--detectors-only"])
    assert json.loads(raw.output)["customer_model"] is None


def _alerts(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out / "alerts.jsonl").read_text().splitlines()]


def test_detectors_are_kept_only_when_precise_on_the_learn_period() -> None:
    from datetime import datetime
    from decimal import Decimal

    from warden.monitoring.alerts import Alert
    from warden.monitoring.holdout import CustomerLabel
    from warden.monitoring.learnt import precise_detectors

    def alert(typology: str, customers: list[str], last: str) -> Alert:
        return Alert(typology, customers, ["e"], [], Decimal(1000), last, last, "x", {})

    labels = {c: CustomerLabel("mule", "cycle", "s") for c in ["a", "b", "c", "d", "e"]}
    alerts = [
        alert("cycle", ["a", "b", "c"], "2026-01-05T00:00:00Z"),
        alert("cycle", ["d", "e"], "2026-01-06T00:00:00Z"),
        alert("fan_in", ["a", "x1", "x2", "x3"], "2026-01-05T00:00:00Z"),
        alert("stack", ["q1", "q2"], "2026-01-25T00:00:00Z"),  # after the cut-off: not judged
    ]
    quality = precise_detectors(alerts, labels, datetime(2026, 1, 20))
    assert set(quality) == {"cycle", "fan_in"}
    # smoothed over alerts, not customers: two right alerts are (2 + 1) / (2 + 2)
    assert quality["cycle"]["precision"] == 1.0 and quality["cycle"]["smoothed_precision"] == 0.75
    assert quality["fan_in"]["precision"] == 0.25
    # one alert naming six dirty customers is one ring that happened to be right: not enough to keep a detector
    one_ring = [alert("fan_out", ["a", "b", "c", "d", "e", "f"], "2026-01-05T00:00:00Z")]
    labels |= {"f": CustomerLabel("mule", "fan_out", "s2")}
    assert precise_detectors(one_ring, labels, datetime(2026, 1, 20))["fan_out"]["smoothed_precision"] < 0.7
