"""The population-dependent settings of a ruleset, and a ruleset document with other values for them.

A rule's threshold depends on the population when it compares an amount, a count or a velocity with a
number (`amount_usd >= 10000`, `customer_withdrawal_count_1h >= 5`). Durations (`< 24` hours after a
credential change), shares and legal bands (structuring just below 10,000 USD, sanctions) mean the same at
every exchange and are left alone. Each calibratable rule gets a ladder of settings: its own thresholds,
then each threshold moved to stricter percentiles of that feature at this exchange, then the same at a
weaker outcome. Calibration picks one rung per rule.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
import yaml

from warden.rules.outcome import Outcome

# Names whose scale differs between exchanges: money, counts, velocities, crowd sizes.
_POPULATION = re.compile(
    r"^(amount_usd|amount|amount_usd_to_avg_withdrawal_30d|customer_max_withdrawal_usd_30d"
    r"|customer_\w+_(count|sum_usd)_\w+|customer_distinct_\w+"
    r"|address_distinct_customers_30d|device_distinct_customers_30d|ip_distinct_customers_24h"
    r"|destination_customers_30d)$"
)
# Tags whose numbers are law or lists, not the population: left as written.
FIXED_TAGS = frozenset({"structuring", "sanctions", "geography"})
# Stricter percentiles a threshold may move to (of the feature over the rule's events at this exchange).
PERCENTILES = (0.9, 0.95, 0.98, 0.99, 0.995, 0.999)
_STRICTER = {ast.GtE: 1, ast.Gt: 1, ast.LtE: -1, ast.Lt: -1}  # +1: a larger number fires less often


@dataclass(frozen=True)
class Threshold:
    feature: str
    value: float
    direction: int  # +1 when a larger value is stricter
    integer: bool


@dataclass(frozen=True)
class Rung:
    """One setting of a rule: threshold values in condition order (None: as written) and the outcome."""

    values: tuple[float, ...]
    outcome: Outcome
    label: str


@dataclass
class Knob:
    rule_id: str
    event_types: tuple[str, ...]
    condition: str
    thresholds: list[Threshold]
    rungs: list[Rung]


def thresholds_of(condition: str) -> list[Threshold]:
    """`feature OP number` comparisons (either side) in the condition, in source order."""
    tree = ast.parse(f"(\n{condition}\n)", mode="eval")
    found: list[Threshold] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        operands = [node.left, *node.comparators]
        for i, op in enumerate(node.ops):
            left, right = operands[i], operands[i + 1]
            sign = _STRICTER.get(type(op))
            if sign is None:
                continue
            if isinstance(left, ast.Name) and _number(right) is not None and _POPULATION.match(left.id):
                found.append(Threshold(left.id, _number(right) or 0.0, sign, isinstance(right.value, int)))  # type: ignore[attr-defined]
            elif isinstance(right, ast.Name) and _number(left) is not None and _POPULATION.match(right.id):
                found.append(Threshold(right.id, _number(left) or 0.0, -sign, isinstance(left.value, int)))  # type: ignore[attr-defined]
    return sorted(found, key=lambda t: (t.feature, t.value))


def _number(node: ast.expr) -> float | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
        return float(node.value)
    return None


def with_thresholds(condition: str, old: list[Threshold], values: tuple[float, ...]) -> str:
    """The condition with each threshold of `old` replaced by the value at the same place in `values`."""
    mapping: dict[tuple[str, float | None], float] = {(t.feature, t.value): v for t, v in zip(old, values, strict=True)}
    tree = ast.parse(f"(\n{condition}\n)", mode="eval")
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        operands = [node.left, *node.comparators]
        for i in range(len(node.ops)):
            left, right = operands[i], operands[i + 1]
            for name, const in ((left, right), (right, left)):
                if isinstance(name, ast.Name) and isinstance(const, ast.Constant) and _number(const) is not None:
                    new = mapping.get((name.id, _number(const)))
                    if new is not None:
                        const.value = int(new) if float(new).is_integer() else new
    return ast.unparse(tree.body)


def _nice(value: float, direction: int, integer: bool) -> float:
    """Two significant digits, rounded towards stricter, so a person reads 12,000 and not 11,873.2."""
    if integer or value >= 10:
        value = math.ceil(value) if direction > 0 else math.floor(value)
    if value == 0:
        return 0.0
    scale = 10 ** (math.floor(math.log10(abs(value))) - 1)
    rounded = (math.ceil if direction > 0 else math.floor)(value / scale) * scale
    return float(round(rounded, 6))


def build_knobs(document: dict[str, Any], frame: pl.DataFrame) -> list[Knob]:
    """A ladder of rungs for every rule on withdrawals that has a population-dependent threshold or acts at
    review or stronger (those can at least be weakened)."""
    return [
        _knob(rule, frame)
        for rule in document.get("rules", [])
        if "withdrawal" in rule.get("event_types", []) and Outcome.parse(rule["outcome"]) >= Outcome.REVIEW
    ]


def build_event_knobs(document: dict[str, Any], frame: pl.DataFrame) -> list[Knob]:
    """The same for rules on other event types (transfers, logins, deposits, ...) that open cases (review or
    stronger) on a population-dependent threshold: calibrated against the review budget of their own events."""
    knobs = []
    for rule in document.get("rules", []):
        if "withdrawal" in rule.get("event_types", []) or Outcome.parse(rule["outcome"]) < Outcome.REVIEW:
            continue
        if FIXED_TAGS & set(rule.get("tags", [])) or not thresholds_of(rule["condition"]):
            continue
        knobs.append(_knob(rule, frame))
    return knobs


def _knob(rule: dict[str, Any], frame: pl.DataFrame) -> Knob:
    types = tuple(rule.get("event_types", []))
    outcome = Outcome.parse(rule["outcome"])
    fixed = bool(FIXED_TAGS & set(rule.get("tags", [])))
    thresholds = [] if fixed else thresholds_of(rule["condition"])
    rows = frame.filter(pl.col("type").is_in(list(types)))
    original = tuple(t.value for t in thresholds)
    ladders: list[tuple[tuple[float, ...], str]] = [(original, "as written")]
    for q in PERCENTILES:
        values = []
        for t in thresholds:
            column = rows[t.feature].drop_nulls().cast(pl.Float64) if t.feature in rows.columns else None
            if column is None or column.is_empty():
                values.append(t.value)
                continue
            level = float(np.quantile(column.to_numpy(), q if t.direction > 0 else 1 - q))
            level = _nice(level, t.direction, t.integer)
            stricter = max(t.value, level) if t.direction > 0 else min(t.value, level)
            values.append(stricter)
        if tuple(values) != ladders[-1][0]:
            ladders.append((tuple(values), f"p{q * 100:g}"))
    rungs = [Rung(v, outcome, label) for v, label in ladders]
    strictest = ladders[-1]
    weaker = outcome
    while weaker > Outcome.CHALLENGE:
        weaker = Outcome(weaker - 1)
        rungs.append(Rung(strictest[0], weaker, f"{strictest[1]}, {weaker.label}"))
    if fixed and fixed_keeps_outcome(rule):
        rungs = rungs[:1]
    return Knob(rule["id"], types, rule["condition"], thresholds, rungs)


def fixed_keeps_outcome(rule: dict[str, Any]) -> bool:
    """Sanctions rules are never weakened by calibration: a sanctioned address is held at any volume."""
    return "sanctions" in set(rule.get("tags", []))


def variant_id(rule_id: str, rung: int) -> str:
    return f"{rule_id}__rung{rung}"


def variants_document(document: dict[str, Any], knobs: list[Knob]) -> dict[str, Any]:
    """A ruleset with one rule per (rule, distinct threshold rung), to evaluate every rung in one pass."""
    by_id = {r["id"]: r for r in document["rules"]}
    rules = []
    for knob in knobs:
        seen: set[tuple[float, ...]] = set()
        for i, rung in enumerate(knob.rungs):
            if rung.values in seen:
                continue
            seen.add(rung.values)
            rule = dict(by_id[knob.rule_id])
            rule["id"] = variant_id(knob.rule_id, i)
            rule["condition"] = with_thresholds(knob.condition, knob.thresholds, rung.values)
            rules.append(rule)
    return {**{k: v for k, v in document.items() if k != "rules"}, "rules": rules}


def first_rung_with(knob: Knob, values: tuple[float, ...]) -> int:
    return next(i for i, r in enumerate(knob.rungs) if r.values == values)


def dump(document: dict[str, Any]) -> str:
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120)
