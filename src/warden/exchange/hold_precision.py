"""How often each holder's holds were frauds on a labelled exchange: the prior an unlabelled one calibrates with.

A labelled calibration records in the ruleset it writes (`calibration.hold_precision`), for every rule that
holds and for the model's hold cut-off, how many withdrawals it held and how many of those were not normal.
An exchange that adopts that ruleset and calibrates on its own traffic without labels cannot count its
frauds, and counting every withdrawal as normal makes the frauds the ruleset holds use up the normal hold
budget: tightening to meet it then releases exactly them. Instead each withdrawal counts in the normal rates
by the chance that it is normal: one minus the highest recorded share among the holders that hold it (or the
model's own fraud probability, if higher). Shares are shrunk towards zero (not normal / (held + 1)), so a
rule seen holding once on the labelled exchange proves little.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from warden.rules.outcome import Outcome
from warden.rules.ruleset import Ruleset

KEY = "calibration"
MODEL = "model:hold"


def measured(holders: dict[str, np.ndarray], normal: np.ndarray) -> dict[str, dict[str, float]]:
    """Per holder (a rule id, or `model:hold`): withdrawals held, how many were not normal, the shrunk share."""
    out: dict[str, dict[str, float]] = {}
    for name, held in sorted(holders.items()):
        n = int(held.sum())
        if n:
            bad = int((held & ~normal).sum())
            out[name] = {"held": n, "not_normal": bad, "share": round(bad / (n + 1), 4)}
    return out


def recorded(document: dict[str, Any]) -> dict[str, float]:
    """Holder -> share, from a ruleset document a labelled calibration wrote (empty for any other)."""
    block = document.get(KEY)
    table = block.get("hold_precision") if isinstance(block, dict) else None
    if not isinstance(table, dict):
        return {}
    shares = {}
    for name, row in table.items():
        share = row.get("share") if isinstance(row, dict) else None
        if isinstance(share, int | float) and 0.0 <= float(share) <= 1.0:
            shares[str(name)] = float(share)
    return shares


def fraud_chance(
    shares: dict[str, float],
    ruleset: Ruleset,
    hits: pl.DataFrame,
    is_w: np.ndarray,
    w_risk: np.ndarray,
    hold_cut: float,
    fraud_probability: np.ndarray | None,
) -> np.ndarray:
    """Per withdrawal, the chance it is not normal: the highest recorded share among the rules (of `ruleset`,
    as `hits` found them) and model cut-off that hold it, or the model's probability where that is higher."""
    chance = np.zeros(int(is_w.sum()))
    for rule in ruleset.rules:
        share = shares.get(rule.id)
        if share and rule.outcome >= Outcome.HOLD and rule.id in hits.columns:
            fired = hits[rule.id].to_numpy()[is_w]
            chance = np.where(fired, np.maximum(chance, share), chance)
    if shares.get(MODEL):
        chance = np.where(w_risk >= hold_cut, np.maximum(chance, shares[MODEL]), chance)
    if fraud_probability is not None:
        chance = np.maximum(chance, np.clip(fraud_probability[is_w], 0.0, 1.0))
    return chance
