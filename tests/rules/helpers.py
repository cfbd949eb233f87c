"""Small helpers for the rules tests: a one-rule ruleset and both evaluators on one event."""

from __future__ import annotations

from typing import Any

import polars as pl

from warden.rules import Ruleset, evaluate_frame, load_ruleset
from warden.rules.fields import FIELDS
from warden.rules.vector import DTYPES


def one_rule(condition: str, event_types: str = "[withdrawal]", outcome: str = "hold", **lists: Any) -> Ruleset:
    text = f"""
name: t
version: "1"
rules:
  - id: r
    event_types: {event_types}
    condition: '{condition}'
    outcome: {outcome}
    reason: "hit"
"""
    return load_ruleset(text, lists=lists, with_default_lists=False)


def frame_of(rows: list[dict[str, Any]], ruleset: Ruleset) -> pl.DataFrame:
    """Rows as a frame with each field in its rule dtype (what offline features produce)."""
    names = sorted(ruleset.fields | {"type"} | {k for r in rows for k in r if k in FIELDS})
    schema = {n: DTYPES[FIELDS[n].kind] if n in FIELDS else pl.String() for n in names}
    return pl.DataFrame([{n: r.get(n) for n in names} for r in rows], schema=schema)


def both(ruleset: Ruleset, rows: list[dict[str, Any]]) -> tuple[list[list[str]], list[list[str]]]:
    """Rule ids hit per row, by the row evaluator and by the vectorised evaluator."""
    row_hits = [[h.rule_id for h in ruleset.evaluate(r, r)] for r in rows]
    hits = evaluate_frame(ruleset, frame_of(rows, ruleset))
    vector_hits = [[c for c in hits.columns if flags[c]] for flags in hits.iter_rows(named=True)]
    return row_hits, vector_hits


def hits(condition: str, row: dict[str, Any], **lists: Any) -> bool:
    """Whether a one-rule ruleset hits `row` (a withdrawal), asserting both evaluators agree."""
    ruleset = one_rule(condition, **lists)
    event = {"type": "withdrawal", **row}
    row_hits, vector_hits = both(ruleset, [event])
    assert row_hits == vector_hits, (condition, row, row_hits, vector_hits)
    return row_hits == [["r"]]
