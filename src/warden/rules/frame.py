"""Vectorised evaluation of a whole ruleset over a Polars frame of events joined with their features,
and the outcome diff between two rulesets (backtests and shadow mode)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from warden.rules.outcome import Outcome
from warden.rules.ruleset import Ruleset
from warden.rules.vector import VectorCompiler, prepare_frame


def evaluate_frame(ruleset: Ruleset, frame: pl.DataFrame) -> pl.DataFrame:
    """One boolean column per rule (named by rule id): true where the rule hits; never null."""
    if frame.height == 0:
        return pl.DataFrame({r.id: pl.Series([], dtype=pl.Boolean) for r in ruleset.rules})
    prepared = prepare_frame(frame, ruleset.fields | {"type"})
    compiler = VectorCompiler()
    exprs = []
    for rule in ruleset.rules:
        applies = pl.col("type").is_in(sorted(rule.event_types))
        compiler.applies = applies
        exprs.append((applies & compiler.compile(rule.condition)).fill_null(False).alias(rule.id))
    if compiler.helpers:
        prepared = prepared.with_columns([fn(prepared).alias(name) for name, fn in compiler.helpers])
    return prepared.lazy().select(exprs).collect()  # lazy: shared sub-expressions run once


def outcome_columns(ruleset: Ruleset, hits: pl.DataFrame) -> pl.DataFrame:
    """Per event: `outcome` (the ladder's integer; strongest hit wins) and `score` (sum over hits)."""
    if not ruleset.rules:
        return pl.DataFrame({"outcome": [0] * hits.height, "score": [0.0] * hits.height})
    outcome = pl.max_horizontal([pl.when(pl.col(r.id)).then(int(r.outcome)).otherwise(0) for r in ruleset.rules]).cast(
        pl.Int8
    )
    score = pl.sum_horizontal([pl.when(pl.col(r.id)).then(r.score).otherwise(0.0) for r in ruleset.rules])
    return hits.select(outcome.alias("outcome"), score.alias("score"))


@dataclass(frozen=True, slots=True)
class OutcomeDiff:
    """How outcomes change from `old` to `new` over the same events."""

    old: str
    new: str
    events: int
    changed: int
    transitions: dict[tuple[str, str], int]  # (old outcome, new outcome) -> events, changed ones only
    stronger: int
    weaker: int
    old_counts: dict[str, int]
    new_counts: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "events": self.events,
            "changed": self.changed,
            "stronger": self.stronger,
            "weaker": self.weaker,
            "transitions": [{"from": a, "to": b, "events": n} for (a, b), n in sorted(self.transitions.items())],
            "old_outcomes": self.old_counts,
            "new_outcomes": self.new_counts,
        }


def diff_outcomes(old: Ruleset, new: Ruleset, frame: pl.DataFrame) -> OutcomeDiff:
    before = outcome_columns(old, evaluate_frame(old, frame))["outcome"]
    after = outcome_columns(new, evaluate_frame(new, frame))["outcome"]
    pairs = pl.DataFrame({"a": before, "b": after})
    changed = pairs.filter(pl.col("a") != pl.col("b"))
    transitions = {(Outcome(a).label, Outcome(b).label): n for a, b, n in changed.group_by("a", "b").len().iter_rows()}
    return OutcomeDiff(
        old=f"{old.name}@{old.version}",
        new=f"{new.name}@{new.version}",
        events=frame.height,
        changed=changed.height,
        transitions=transitions,
        stronger=changed.filter(pl.col("b") > pl.col("a")).height,
        weaker=changed.filter(pl.col("b") < pl.col("a")).height,
        old_counts=_counts(before),
        new_counts=_counts(after),
    )


def _counts(outcomes: pl.Series) -> dict[str, int]:
    counts = {o.label: 0 for o in Outcome}
    for value, n in outcomes.value_counts().iter_rows():
        counts[Outcome(value).label] = n
    return counts
