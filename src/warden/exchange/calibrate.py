"""Calibrating a ruleset to an exchange's own history, under the budgets the exchange sets.

Every population-dependent rule threshold (knobs.py) and the model's operating points (the ruleset's
`model_policy`) are chosen on the exchange's withdrawals. Greedy, in two phases:

1. tighten while over budget: each step takes the one change (a rule one rung stricter, a model cut-off one
   step higher) that removes the most excess per positive lost. With labels the positives are the labelled
   frauds; without, every withdrawal counts as normal by the chance it is normal and as a fraud by the
   chance it is not, from the hold precision a labelled calibration recorded in the ruleset and the
   model's probability (hold_precision.py), and the model's own cut-offs are kept where a rule can give
   way. A positive held by a second holder on its own counts half again (`SECOND_HOLDER_WEIGHT`);
2. with labels, loosen while within budget: each step takes the change that holds the most more positives
   (account takeover and coached scams) and keeps every budget.

Budgets are aimed at `margin` of their value (80 % by default), because a rate measured on one period
is noisy and the promise is about the next one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import polars as pl
import yaml

from warden.decisions.holds import follow_holds
from warden.exchange.hold_precision import KEY, MODEL, fraud_chance, measured, recorded
from warden.exchange.knobs import (
    Knob,
    build_event_knobs,
    build_knobs,
    dump,
    variant_id,
    variants_document,
    with_thresholds,
)
from warden.exchange.outcomes import policy_outcome
from warden.rules.frame import evaluate_frame
from warden.rules.loader import load_ruleset
from warden.rules.outcome import CHALLENGE_RISK, HOLD_RISK, REVIEW_RISK, Outcome
from warden.rules.ruleset import Ruleset

HOLD_RATES = (0.0002, 0.0005, 0.001, 0.002, 0.003, 0.004, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03)
REVIEW_RATES = (0.002, 0.005, 0.01, 0.015, 0.02, 0.03, 0.04, 0.05, 0.06, 0.08, 0.1)
POSITIVE_GROUPS = ("account_takeover", "coached_scam")
REVIEW_WEIGHT = 0.25  # a positive sent to review is worth a quarter of one held (it may be approved by mistake)
# A second holder of the same positive is worth this much of a first: if each holder carries over to the next
# period or exchange like a coin toss, two catch a fraud three times in four, one half the time. In sample a
# fraud two holders catch counts once, so the rule beside a model learnt from a few labels looks free to drop.
SECOND_HOLDER_WEIGHT = 0.5


@dataclass(frozen=True)
class Budgets:
    hold: float = 0.01  # share of normal withdrawals held or stronger
    review: float = 0.05  # share of normal withdrawals sent to review
    review_per_day: float | None = None  # the review queue's daily capacity, in withdrawals
    margin: float = 0.8


@dataclass
class Calibration:
    document: dict[str, Any]
    content: str
    report: dict[str, Any] = field(default_factory=dict)


class _State:
    """Outcome vectors over the calibration withdrawals, per rule rung and per model cut-off."""

    def __init__(
        self,
        fixed: np.ndarray,
        rungs: list[list[np.ndarray]],
        risk: np.ndarray,
        hold_grid: list[float],
        review_grid: list[float],
        challenge: float,
        customers: np.ndarray,
        ts: np.ndarray,
    ) -> None:
        self.fixed, self.rungs, self.risk = fixed, rungs, risk
        self.customers, self.ts, self.all_w = customers, ts, np.ones(risk.shape[0], dtype=bool)
        self.hold_grid, self.review_grid, self.challenge = hold_grid, review_grid, challenge

    def outcome(self, levels: list[int], hold_i: int, review_i: int) -> tuple[np.ndarray, np.ndarray]:
        """Per withdrawal, the outcome (a hold follows the customer, as in the engine), and how many holders
        hold it on their own: the fixed rules, each rule, the model."""
        hold_level = int(Outcome.HOLD)
        out = self.fixed.copy()
        holders = (out >= hold_level).astype(np.int16)
        for options, level in zip(self.rungs, levels, strict=True):
            np.maximum(out, options[level], out=out)
            holders += options[level] >= hold_level
        hold, review = self.hold_grid[hold_i], self.review_grid[review_i]
        holders += self.risk >= hold
        policy = {"hold": hold, "review": min(review, hold), "challenge": min(self.challenge, review, hold)}
        out = np.maximum(out, policy_outcome(self.risk, policy))
        return follow_holds(self.customers, self.ts, self.all_w, out), holders


def _grid(values: np.ndarray, rates: tuple[float, ...], current: float) -> list[float]:
    """Cut-offs that flag each of `rates` of `values` (at or above), the current one, and 'never' (1.0)."""
    cuts = {float(current), 1.0}
    if values.size:
        for rate in rates:
            cut = float(np.quantile(values, 1 - rate, method="higher"))
            cuts.add(min(1.0, float(np.nextafter(cut, 2.0))))
    return sorted(c for c in cuts if 0.0 <= c <= 1.0)


def calibrate(
    content: str,
    frame: pl.DataFrame,
    risk: np.ndarray,
    groups: np.ndarray | None,
    budgets: Budgets = Budgets(),
    version: str | None = None,
    fraud_probability: np.ndarray | None = None,
) -> Calibration:
    """`content`: the ruleset YAML to start from; `frame`: the featured history (all event types);
    `risk`: the model's risk per frame row; `groups`: per frame row the label group (labels.py), or None;
    `fraud_probability` (used without labels): per frame row the model's probability of fraud."""
    document = yaml.safe_load(content)
    ruleset = load_ruleset(content)
    is_w = (frame["type"] == "withdrawal").to_numpy()
    knobs = build_knobs(document, frame)
    knob_ids = {k.rule_id for k in knobs}
    base_hits = evaluate_frame(ruleset, frame)
    fixed = np.zeros(int(is_w.sum()), dtype=np.int8)
    for rule in ruleset.rules:
        if rule.id not in knob_ids:
            fixed = np.where(base_hits[rule.id].to_numpy()[is_w], np.maximum(fixed, int(rule.outcome)), fixed)
    variants = load_ruleset(dump(variants_document(document, knobs)))
    hits = evaluate_frame(variants, frame)
    rungs = [_rung_outcomes(knob, hits, is_w) for knob in knobs]

    w_risk = risk[is_w]
    if groups is not None:
        w_groups = groups[is_w] if groups.shape[0] == frame.height else groups
        normal = w_groups == "normal"
        positive = np.isin(w_groups, POSITIVE_GROUPS)
    else:
        normal, positive = np.ones(w_risk.shape[0], dtype=bool), np.zeros(w_risk.shape[0], dtype=bool)
    policy = dict(ruleset.model_policy) or {"hold": HOLD_RISK, "review": REVIEW_RISK, "challenge": CHALLENGE_RISK}
    # How much each withdrawal counts in the normal rates: with labels, the normal ones only; without, each by
    # the chance that it is normal, from what a labelled calibration recorded of the holders that hold it and
    # the model's probability (hold_precision.py): the frauds the ruleset expects would otherwise use up the
    # budget, and tightening to meet it would release exactly them.
    prior = recorded(document)
    if groups is None:
        chance = fraud_chance(prior, ruleset, base_hits, is_w, w_risk, policy.get("hold", HOLD_RISK), fraud_probability)
        weight = 1.0 - chance
        # the frauds a change would release, as expected: without this the cheapest way to meet the budget is
        # often to demote the rule that holds the most frauds (it holds the most withdrawals of all)
        expected = chance
    else:
        weight = normal.astype(np.float64)
        expected = positive.astype(np.float64)
    weight_sum = float(weight.sum())
    hold_grid = _grid(w_risk[normal], HOLD_RATES, policy.get("hold", HOLD_RISK))
    review_grid = _grid(w_risk[normal], REVIEW_RATES, policy.get("review", REVIEW_RISK))
    w_frame = frame.filter(pl.Series(is_w))
    state = _State(
        fixed, rungs, w_risk, hold_grid, review_grid, policy.get("challenge", CHALLENGE_RISK),
        w_frame["customer_id"].to_numpy(), w_frame["occurred_at"].dt.epoch("us").to_numpy(),
    )  # fmt: skip

    times = frame["occurred_at"].filter(pl.Series(is_w))
    epochs = times.dt.epoch("us").to_numpy()
    span_us = float(epochs.max() - epochs.min()) if epochs.size else 0.0
    days = max(span_us / 86_400e6, 1.0)
    labelled = bool(positive.any())
    # Without labels every withdrawal counts as normal, frauds included: that rate already overstates the
    # normal one, so the budget itself is the aim rather than a margin under it.
    margin = budgets.margin if labelled else 1.0
    hold_t = budgets.hold * margin
    review_t = budgets.review * margin
    review_cap = None if budgets.review_per_day is None else budgets.review_per_day * days * margin

    def measure(levels: list[int], hi: int, ri: int) -> tuple[float, float, dict[str, Any]]:
        out, holders = state.outcome(levels, hi, ri)
        held, reviewed = out >= int(Outcome.HOLD), out == int(Outcome.REVIEW)
        hold_rate = float(held @ weight) / weight_sum if weight_sum > 0 else 0.0
        review_rate = float(reviewed @ weight) / weight_sum if weight_sum > 0 else 0.0
        excess = max(0.0, hold_rate - hold_t) / hold_t + max(0.0, review_rate - review_t) / review_t
        if review_cap is not None:
            excess += max(0.0, float(reviewed.sum()) - review_cap) / max(review_cap, 1.0)
        extra = np.maximum(holders - 1, 0)
        utility = float(held @ expected) + REVIEW_WEIGHT * float(reviewed @ expected)
        utility += SECOND_HOLDER_WEIGHT * float(extra @ expected)
        figures = {
            "normal_held": round(hold_rate, 5),
            "normal_reviewed": round(review_rate, 5),
            "reviews_per_day": round(float(reviewed.sum()) / days, 2),
        }
        if positive.any():
            for name in POSITIVE_GROUPS:
                mask = w_groups == name
                if mask.any():
                    figures[f"{name}_held"] = round(float(held[mask].mean()), 4)
        return excess, utility, figures

    levels = [0] * len(knobs)
    hi, ri = hold_grid.index(_closest(hold_grid, policy.get("hold", HOLD_RISK))), 0
    ri = review_grid.index(_closest(review_grid, policy.get("review", REVIEW_RISK)))
    before = measure(levels, hi, ri)
    excess, utility, _ = before
    steps: list[str] = []
    while excess > 0:  # phase 1: tighten
        best: tuple[float, list[int], int, int, str, float, float] | None = None
        for move, (lv, h, r) in _moves(levels, hi, ri, knobs, state, stricter=True):
            if not labelled and _rare(move, knobs, levels, lv, state, normal, hold_t, review_t):
                continue
            e, u, _ = measure(lv, h, r)
            gain = excess - e
            if gain <= 1e-12:
                continue
            value = gain / (max(utility - u, 0.0) + 0.1)
            if not labelled and move.startswith("model"):
                value *= 0.999  # without labels, keep the trained model's cut-offs where a rule can give way
            if best is None or value > best[0]:
                best = (value, lv, h, r, move, e, u)
        if best is None:
            break
        _, levels, hi, ri, move, excess, utility = best
        steps.append(move)
    while labelled and excess <= 0:  # phase 2: loosen within budget
        best = None
        for move, (lv, h, r) in _moves(levels, hi, ri, knobs, state, stricter=False):
            e, u, _ = measure(lv, h, r)
            if e > 0 or u <= utility + 1e-9:
                continue
            if best is None or u > best[6]:
                best = (u, lv, h, r, move, e, u)
        if best is None:
            break
        _, levels, hi, ri, move, excess, utility = best
        steps.append(move)
    after = measure(levels, hi, ri)

    event_knobs = build_event_knobs(document, frame)
    event_levels, event_report = _calibrate_other_events(document, event_knobs, frame, budgets.review)
    new_document = _apply(
        document, knobs + event_knobs, levels + event_levels, hold_grid[hi], review_grid[ri], state.challenge, version
    )
    if labelled:
        holders = _holders(ruleset, base_hits, is_w, knobs, rungs, levels, w_risk, hold_grid[hi])
        new_document[KEY] = {
            "hold_precision": measured(holders, normal),
            "measured_on": f"{int(is_w.sum())} labelled withdrawals over {days:.0f} days",
        }
    text = dump(new_document)
    load_ruleset(text)  # refuse to hand back anything that does not check
    changed = [
        {"rule_id": k.rule_id, "setting": k.rungs[lv].label, "outcome": k.rungs[lv].outcome.label,
         "thresholds": dict(zip([t.feature for t in k.thresholds], k.rungs[lv].values, strict=True))}
        for k, lv in zip(knobs, levels, strict=True) if lv > 0
    ]  # fmt: skip
    report = {
        "withdrawals": int(is_w.sum()),
        "days": round(days, 2),
        "labelled": labelled,
        "normal_rates": (
            "labelled normal withdrawals"
            if groups is not None
            else "every withdrawal, weighted by the chance it is normal (recorded hold precision, model probability)"
            if prior or fraud_probability is not None
            else "every withdrawal (no labels, no recorded hold precision, no model)"
        ),
        "expected_not_normal_withdrawals": None if groups is not None else round(float(chance.sum()), 1),
        "budgets": {"hold": budgets.hold, "review": budgets.review, "review_per_day": budgets.review_per_day,
                    "aimed_at": budgets.margin},
        "within_budget": after[0] <= 0,
        "before": before[2],
        "after": after[2],
        "model_policy": new_document["model_policy"],
        "rules_changed": changed,
        "steps": len(steps),
        "other_events": event_report,
    }  # fmt: skip
    return Calibration(new_document, text, report)


def _holders(
    ruleset: Ruleset,
    hits: pl.DataFrame,
    is_w: np.ndarray,
    knobs: list[Knob],
    rungs: list[list[np.ndarray]],
    levels: list[int],
    w_risk: np.ndarray,
    hold_cut: float,
) -> dict[str, np.ndarray]:
    """Per rule that holds in the calibrated ruleset (and the model's cut-off): the withdrawals it holds."""
    out: dict[str, np.ndarray] = {}
    knob_ids = {k.rule_id for k in knobs}
    for rule in ruleset.rules:
        if rule.id not in knob_ids and rule.outcome >= Outcome.HOLD:
            out[rule.id] = hits[rule.id].to_numpy()[is_w].astype(bool)
    for knob, options, level in zip(knobs, rungs, levels, strict=True):
        held = options[level] >= int(Outcome.HOLD)
        if held.any():
            out[knob.rule_id] = held
    out[MODEL] = w_risk >= hold_cut
    return out


RARE_SHARE = 0.1  # of the budget: a rule flagging less than this is not what breaks it


def _calibrate_other_events(
    document: dict[str, Any], knobs: list[Knob], frame: pl.DataFrame, review_share: float
) -> tuple[list[int], list[dict[str, Any]]]:
    """Each rule on other event types that opens cases: its least strict setting that sends at most
    `review_share` of its own events (transfers, logins, ...) to review or stronger, else its strictest one.
    Every case costs a reviewer the same, whatever the event; without this a count threshold written for one
    exchange (five transfers in a day) sends a P2P trader's every transfer to review at another."""
    if not knobs:
        return [], []
    hits = evaluate_frame(load_ruleset(dump(variants_document(document, knobs))), frame)
    levels, report = [], []
    for knob in knobs:
        rows = frame["type"].is_in(list(knob.event_types)).to_numpy()
        first: dict[tuple[float, ...], int] = {}
        chosen, share = len(knob.rungs) - 1, None
        for i, rung in enumerate(knob.rungs):
            first.setdefault(rung.values, i)
            fired = hits[variant_id(knob.rule_id, first[rung.values])].to_numpy()[rows]
            flagged = float(fired.mean()) if fired.size and rung.outcome >= Outcome.REVIEW else 0.0
            if flagged <= review_share:
                chosen, share = i, flagged
                break
        levels.append(chosen)
        report.append(
            {"rule_id": knob.rule_id, "events": int(rows.sum()), "setting": knob.rungs[chosen].label,
             "outcome": knob.rungs[chosen].outcome.label, "share_flagged": share}
        )  # fmt: skip
    return levels, report


def _rare(
    move: str,
    knobs: list[Knob],
    levels: list[int],
    new_levels: list[int],
    state: _State,
    normal: np.ndarray,
    hold_t: float,
    review_t: float,
) -> bool:
    """Without labels, a rule that alone flags less than a tenth of its budget is left as it is: it cannot be
    what breaks the budget, and rare rules are the precise ones (account-takeover chains, poisoning)."""
    if move.startswith("model"):
        return False
    i = next(j for j, (a, b) in enumerate(zip(levels, new_levels, strict=True)) if a != b)
    flags = state.rungs[i][levels[i]]
    hold_share = float((flags[normal] >= int(Outcome.HOLD)).mean()) if normal.any() else 0.0
    review_share = float((flags[normal] == int(Outcome.REVIEW)).mean()) if normal.any() else 0.0
    return hold_share < RARE_SHARE * hold_t and review_share < RARE_SHARE * review_t


def _closest(grid: list[float], value: float) -> float:
    return min(grid, key=lambda g: abs(g - value))


def _rung_outcomes(knob: Knob, hits: pl.DataFrame, is_w: np.ndarray) -> list[np.ndarray]:
    out = []
    first: dict[tuple[float, ...], int] = {}
    for i, rung in enumerate(knob.rungs):
        first.setdefault(rung.values, i)
        fired = hits[variant_id(knob.rule_id, first[rung.values])].to_numpy()[is_w]
        out.append(np.where(fired, int(rung.outcome), 0).astype(np.int8))
    return out


def _moves(
    levels: list[int], hi: int, ri: int, knobs: list[Knob], state: _State, stricter: bool
) -> list[tuple[str, tuple[list[int], int, int]]]:
    step = 1 if stricter else -1
    moves = []
    for i, knob in enumerate(knobs):
        level = levels[i] + step
        if 0 <= level < len(knob.rungs):
            changed = list(levels)
            changed[i] = level
            moves.append((f"{knob.rule_id} -> {knob.rungs[level].label}", (changed, hi, ri)))
    if 0 <= hi + step < len(state.hold_grid):
        moves.append((f"model hold -> {state.hold_grid[hi + step]:.4f}", (levels, hi + step, ri)))
    if 0 <= ri + step < len(state.review_grid):
        moves.append((f"model review -> {state.review_grid[ri + step]:.4f}", (levels, hi, ri + step)))
    return moves


def _apply(
    document: dict[str, Any],
    knobs: list[Knob],
    levels: list[int],
    hold: float,
    review: float,
    challenge: float,
    version: str | None,
) -> dict[str, Any]:

    chosen = {k.rule_id: (k, lv) for k, lv in zip(knobs, levels, strict=True)}
    rules = []
    for rule in document["rules"]:
        rule = dict(rule)
        knob_level = chosen.get(rule["id"])
        if knob_level is not None and knob_level[1] > 0:
            knob, level = knob_level
            rung = knob.rungs[level]
            rule["condition"] = with_thresholds(knob.condition, knob.thresholds, rung.values)
            rule["outcome"] = rung.outcome.label
            rule["version"] = int(rule.get("version", 1)) + 1
        rules.append(rule)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    review = min(review, hold)
    return {
        **{k: v for k, v in document.items() if k not in ("rules", "model_policy", "version")},
        "version": version or f"{document.get('version', '0')}+cal.{stamp}",
        "model_policy": {"hold": hold, "review": review, "challenge": min(challenge, review)},
        "rules": rules,
    }
