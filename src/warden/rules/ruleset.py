"""Rules and rulesets as loaded: compiled conditions, the row evaluator and the decision of one event."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from warden.rules.nodes import Field, Node, walk
from warden.rules.outcome import Outcome, strongest
from warden.rules.row import Env, RowCompiler, RowFn
from warden.rules.template import ReasonTemplate

ENGINE_VERSION = "1"  # bump when evaluation semantics change, so old decisions stay reproducible


@dataclass(frozen=True, slots=True, eq=False)
class Rule:
    id: str
    version: int
    description: str
    event_types: frozenset[str]
    condition_text: str
    condition: Node
    outcome: Outcome
    score: float
    reason: ReasonTemplate
    tags: tuple[str, ...] = ()
    line: int = 0

    @property
    def fields(self) -> set[str]:
        """Every field and feature the condition and the reason read."""
        names = {n.name for n in walk(self.condition) if isinstance(n, Field)}
        return names | set(self.reason.fields)

    def canonical(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "version": self.version,
            "description": self.description,
            "event_types": sorted(self.event_types),
            "condition": " ".join(self.condition_text.split()),
            "outcome": self.outcome.label,
            "score": self.score,
            "reason": self.reason.text,
            "tags": list(self.tags),
        }


@dataclass(frozen=True, slots=True)
class RuleHit:
    rule_id: str
    rule_version: int
    outcome: Outcome
    score: float
    reason: str
    explanation: dict[str, Any]  # every sub-expression's value, down to the leaves

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "rule_version": self.rule_version,
            "outcome": self.outcome.label,
            "score": self.score,
            "reason": self.reason,
            "explanation": self.explanation,
        }


@dataclass(frozen=True, slots=True)
class Verdict:
    """The rules' part of a decision: strongest outcome, summed score, every reason at that outcome."""

    outcome: Outcome
    score: float
    reasons: list[str]
    hits: list[RuleHit]
    ruleset: str
    ruleset_version: str
    fingerprint: str
    engine_version: str = ENGINE_VERSION

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome.label,
            "score": self.score,
            "reasons": self.reasons,
            "hits": [h.to_dict() for h in self.hits],
            "ruleset": self.ruleset,
            "ruleset_version": self.ruleset_version,
            "fingerprint": self.fingerprint,
            "engine_version": self.engine_version,
        }


@dataclass(eq=False)
class Ruleset:
    name: str
    version: str
    description: str
    rules: list[Rule]
    lists: dict[str, frozenset[str]]
    # Model score thresholds per outcome (e.g. {"hold": 0.9, "review": 0.6}): part of the ruleset version.
    model_policy: dict[str, float] = field(default_factory=dict)
    _compiler: RowCompiler = field(default_factory=RowCompiler, repr=False)
    _by_type: dict[str, list[tuple[Rule, RowFn]]] = field(default_factory=dict, repr=False)
    _fingerprint: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        self._fingerprint = self._canonical_hash()
        for rule in self.rules:
            fn = self._compiler.compile(rule.condition)
            for event_type in sorted(rule.event_types):
                self._by_type.setdefault(event_type, []).append((rule, fn))

    @property
    def event_types(self) -> frozenset[str]:
        """The event types some rule of this ruleset looks at."""
        return frozenset(self._by_type)

    @property
    def fingerprint(self) -> str:
        """sha256 of the canonical content: rules, metadata and the named lists' contents."""
        return self._fingerprint

    def _canonical_hash(self) -> str:
        content = {
            "name": self.name,
            "version": self.version,
            "engine_version": ENGINE_VERSION,
            "rules": [r.canonical() for r in self.rules],
            "model_policy": dict(sorted(self.model_policy.items())),
            "lists": {
                k: hashlib.sha256("\n".join(sorted(v)).encode()).hexdigest() for k, v in sorted(self.lists.items())
            },
        }
        return hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":")).encode()).hexdigest()

    @property
    def fields(self) -> set[str]:
        return set().union(*(r.fields for r in self.rules)) if self.rules else set()

    def fields_read(self, event_type: str) -> set[str]:
        """Every field and feature read by the rules for this event type (conditions and reasons)."""
        return set().union(*(rule.fields for rule, _ in self._by_type.get(event_type, ())))

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def evaluate(self, event: Mapping[str, Any], features: Mapping[str, Any]) -> list[RuleHit]:
        """The hits of the rules for this event's type, in ruleset order."""
        candidates = self._by_type.get(event.get("type", ""), ())
        if not candidates:
            return []
        env: Env = {**event, **features}
        hits = []
        for rule, fn in candidates:
            if fn(env) is True:
                hits.append(
                    RuleHit(
                        rule.id,
                        rule.version,
                        rule.outcome,
                        rule.score,
                        rule.reason.render(env),
                        self._compiler.explain(rule.condition, env),
                    )
                )
        return hits

    def verdict_for(self, event: Mapping[str, Any], features: Mapping[str, Any]) -> Verdict:
        hits = self.evaluate(event, features)
        return self.verdict(hits)

    def summarise(self, hits: list[RuleHit]) -> tuple[Outcome, float, list[str]]:
        """The strongest outcome, the summed score and every reason at that outcome (ties keep them all)."""
        if not hits:
            return Outcome.ALLOW, 0, []  # as sum() of no hits gives, so records read as before
        outcome = strongest(h.outcome for h in hits)
        return outcome, sum(h.score for h in hits), [h.reason for h in hits if h.outcome == outcome]

    def verdict(self, hits: list[RuleHit]) -> Verdict:
        outcome, score, reasons = self.summarise(hits)
        return Verdict(
            outcome=outcome,
            score=score,
            reasons=reasons,
            hits=hits,
            ruleset=self.name,
            ruleset_version=self.version,
            fingerprint=self.fingerprint,
        )
