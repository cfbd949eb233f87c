"""Rule quality for rule authors: how often each rule fired in decisions, and what reviewers concluded about
the alerts it raised (`feedback.rule_precision`), side by side, so noisy rules stand out.

Rule hits live inside the stored decision record (JSON); they are unnested in the database (SQLite
`json_each`, PostgreSQL `jsonb_array_elements`) and counted there, so no record is loaded into Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSON

from warden.decisions.tables import decisions
from warden.triage.feedback import RulePrecision, rule_precision

LADDER = ("allow", "challenge", "review", "hold", "block", "freeze")
ALERTING = ("review", "hold", "block", "freeze")  # decisions at these outcomes become case alerts


@dataclass(frozen=True)
class RuleHits:
    """Decisions in which one rule hit, by the decision's final outcome."""

    rule: str
    hits: int
    by_outcome: dict[str, int]

    @property
    def alerting(self) -> int:
        return sum(self.by_outcome.get(o, 0) for o in ALERTING)


@dataclass(frozen=True)
class RuleQuality:
    """One rule (or monitoring typology): decision hits, and the review outcome of its alerts."""

    source: str
    rule: str
    hits: int = 0
    by_outcome: dict[str, int] = field(default_factory=dict)
    alerts: int = 0
    cases: int = 0
    closed_cases: int = 0
    true_positives: int = 0
    false_positives: int = 0
    inconclusive: int = 0
    precision: float | None = None

    @property
    def false_positive_share(self) -> float | None:
        """Of the closed cases with a verdict, the share that were false positives (the noise)."""
        judged = self.true_positives + self.false_positives
        return round(self.false_positives / judged, 4) if judged else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "rule": self.rule,
            "hits": self.hits,
            "by_outcome": self.by_outcome,
            "alerts": self.alerts,
            "cases": self.cases,
            "closed_cases": self.closed_cases,
            "true_positives": self.true_positives,
            "false_positives": self.false_positives,
            "inconclusive": self.inconclusive,
            "precision": self.precision,
            "false_positive_share": self.false_positive_share,
        }


def _hits_query(conn: sa.Connection) -> tuple[sa.Select[Any], Any]:
    """(select of rule id, outcome, count; the rule-id expression) for this database."""
    rule: sa.ColumnElement[Any]
    if conn.dialect.name == "postgresql":
        # json, not jsonb: the record is read once, and converting it to jsonb cost a third more (measured).
        elements = sa.func.json_array_elements(sa.cast(decisions.c.record, JSON)["rule_hits"])
        hit = elements.table_valued("value").lateral("hit")
        rule = hit.c.value.op("->>")("rule_id")
        source = decisions.join(hit, sa.true())
    else:
        hit = sa.func.json_each(decisions.c.record, "$.rule_hits").table_valued("value")
        rule = sa.func.json_extract(hit.c.value, "$.rule_id")
        source = decisions.join(hit, sa.true())
    query = sa.select(rule.label("rule"), decisions.c.outcome, sa.func.count().label("n")).select_from(source)
    return query.group_by(rule, decisions.c.outcome), rule


def decision_hits(conn: sa.Connection, *, since: datetime | None = None) -> list[RuleHits]:
    """Per rule id: decisions it hit (decided at or after `since`, if given), by outcome; most hits first."""
    query, rule = _hits_query(conn)
    # A cheap text test first: most decisions hit no rule, and parsing their JSON is most of the cost.
    query = query.where(decisions.c.record.like('%"rule_id"%'), rule.is_not(None))
    if since is not None:
        query = query.where(decisions.c.decided_at >= since)
    counts: dict[str, dict[str, int]] = {}
    for rule_id, outcome, n in conn.execute(query):
        counts.setdefault(str(rule_id), {})[outcome] = int(n)
    result = [
        RuleHits(rule_id, sum(by.values()), {o: by[o] for o in LADDER if o in by} | by)
        for rule_id, by in counts.items()
    ]
    return sorted(result, key=lambda r: (-r.hits, r.rule))


def rule_quality(conn: sa.Connection, *, since: datetime | None = None) -> list[RuleQuality]:
    """Decision hits joined with review precision per rule: decision rules first (most hits first), then
    monitoring and screening typologies (most alerts first). Review figures cover all time."""
    precision: dict[tuple[str, str], RulePrecision] = {(p.source, p.rule): p for p in rule_precision(conn)}
    rows: list[RuleQuality] = []
    for hits in decision_hits(conn, since=since):
        p = precision.pop(("decision", hits.rule), None)
        rows.append(_quality("decision", hits.rule, hits, p))
    rest = sorted(precision.values(), key=lambda p: (p.source != "decision", -p.alerts, p.source, p.rule))
    rows.extend(_quality(p.source, p.rule, None, p) for p in rest)
    return rows


def _quality(source: str, rule: str, hits: RuleHits | None, p: RulePrecision | None) -> RuleQuality:
    review: dict[str, Any] = {}
    if p is not None:
        review = {
            "alerts": p.alerts,
            "cases": p.cases,
            "closed_cases": p.closed_cases,
            "true_positives": p.true_positives,
            "false_positives": p.false_positives,
            "inconclusive": p.inconclusive,
            "precision": p.precision,
        }
    if hits is not None:
        review.update(hits=hits.hits, by_outcome=hits.by_outcome)
    return RuleQuality(source, rule, **review)
