"""Backtest a ruleset over history: offline features, vectorised evaluation, per-rule hits with precision and
recall against event labels, and the outcome diff against a reference ruleset."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import polars as pl

from warden.rules.events_io import read_event_labels, read_events
from warden.rules.frame import diff_outcomes, evaluate_frame, outcome_columns
from warden.rules.known_addresses import add_known_addresses
from warden.rules.outcome import Outcome
from warden.rules.ruleset import ENGINE_VERSION, Ruleset


def with_features(events: pl.DataFrame) -> pl.DataFrame:
    """Events joined with their point-in-time features (the features engineer's offline batch)."""
    from warden.features.offline import compute_features

    features = compute_features(events)
    extra = [c for c in features.columns if c not in events.columns]
    return add_known_addresses(events.hstack(features.select(extra)))


def backtest(
    ruleset: Ruleset,
    events_path: Path,
    against: Ruleset | None = None,
) -> dict[str, Any]:
    events = read_events(events_path)
    started = time.perf_counter()
    frame = with_features(events)
    feature_seconds = time.perf_counter() - started
    result = backtest_frame(ruleset, frame, read_event_labels(events_path), against)
    result["source"] = str(events_path)
    result["feature_seconds"] = round(feature_seconds, 3)
    return result


def backtest_frame(
    ruleset: Ruleset,
    frame: pl.DataFrame,
    labels: dict[str, str] | None,
    against: Ruleset | None = None,
) -> dict[str, Any]:
    started = time.perf_counter()
    hits = evaluate_frame(ruleset, frame)
    seconds = time.perf_counter() - started
    outcomes = outcome_columns(ruleset, hits)
    positive = _positives(frame, labels)
    positives = int(positive.sum()) if positive is not None else None
    rules = []
    for rule in ruleset.rules:
        fired = hits[rule.id]
        entry: dict[str, Any] = {
            "rule_id": rule.id,
            "version": rule.version,
            "outcome": rule.outcome.label,
            "hits": int(fired.sum()),
        }
        if positive is not None:
            entry |= _quality(fired, positive)
        rules.append(entry)
    flagged = outcomes["outcome"] > int(Outcome.ALLOW)
    counts = {o.label: int((outcomes["outcome"] == int(o)).sum()) for o in Outcome}
    overall: dict[str, Any] = {"flagged": int(flagged.sum()), "outcomes": counts}
    if positive is not None:
        overall |= _quality(flagged, positive)
    result: dict[str, Any] = {
        "ruleset": {"name": ruleset.name, "version": ruleset.version, "fingerprint": ruleset.fingerprint},
        "engine_version": ENGINE_VERSION,
        "events": frame.height,
        "labelled_positive_events": positives,
        "evaluate_seconds": round(seconds, 4),
        "events_per_s": round(frame.height / seconds) if seconds > 0 else None,
        "overall": overall,
        "rules": rules,
    }
    if against is not None:
        result["diff_against"] = diff_outcomes(against, ruleset, frame).to_dict()
    return result


def _positives(frame: pl.DataFrame, labels: dict[str, str] | None) -> pl.Series | None:
    if labels is None:
        return None
    bad = {k for k, v in labels.items() if v != "normal"}
    return frame["event_id"].is_in(sorted(bad))


def _quality(fired: pl.Series, positive: pl.Series) -> dict[str, Any]:
    tp = int((fired & positive).sum())
    hits, positives = int(fired.sum()), int(positive.sum())
    return {
        "true_positives": tp,
        "precision": round(tp / hits, 4) if hits else None,
        "recall": round(tp / positives, 4) if positives else None,
    }
