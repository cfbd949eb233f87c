"""The decision engine: point-in-time features, then rules and the model, then the strongest outcome.

`decide(event)` reads the features from state strictly before the event, evaluates the ruleset and the model
policy, and only then folds the event into the state, so a replay and live traffic see the same values.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from warden import __version__
from warden.decisions.holds import HoldMemory
from warden.decisions.record import Decision, ModelResult
from warden.decisions.step_up import step_up_demanded, step_up_reason
from warden.events.models import AnyEvent, KycSubmission
from warden.features.catalog import FEATURE_NAMES, FEATURES
from warden.features.facts import to_micros
from warden.features.online import InProcessFeatureStore, OnlineFeatureStore
from warden.rules.outcome import MODEL_RISK_CUTOFFS, Outcome
from warden.rules.ruleset import ENGINE_VERSION, Ruleset
from warden.screening.matcher import NameQuery


class NameScreener(Protocol):
    """Name screening as the engine uses it (see warden.screening)."""

    def screen_name(self, query: Any, threshold: float = ..., limit: int = ...) -> dict[str, Any]: ...


SCREENING_FLOOR = 0.6  # near misses below the alert threshold still get a score, so rules can grade them


def screening_features(screener: NameScreener, event: AnyEvent) -> dict[str, Any]:
    """A KYC applicant's name against the sanctions lists: best score and entry, for the rules."""
    birth_year = event.date_of_birth.year if isinstance(event, KycSubmission) else None
    query = NameQuery(getattr(event, "full_name", ""), "person", birth_year, None)
    hits = screener.screen_name(query, SCREENING_FLOOR, 1)["hits"]
    if not hits:
        return {"sanctions_name_score": 0.0, "sanctions_name_match": None}
    best = hits[0]
    return {
        "sanctions_name_score": round(float(best["score"]), 4),
        "sanctions_name_match": f"{best['name']} ({best['list']} {best['id']})",
    }


class Freezes(Protocol):
    """Customer freezes as the engine reads them (see warden.decisions.freezes)."""

    def frozen_by(self, customer_id: str) -> str | None:
        """The hold freezing the customer, or None."""
        ...


class Scorer(Protocol):
    """A fraud model as the engine uses it (see warden.models)."""

    name: str
    version: str
    event_types: frozenset[str]

    def risk(self, features: Mapping[str, Any]) -> tuple[float, list[dict[str, Any]]]:
        """The risk in [0, 1] on the outcome scale (`MODEL_RISK_CUTOFFS`) and the top contributions, largest first."""
        ...


@dataclass(frozen=True)
class ModelPolicy:
    """Maps a model risk to an outcome: the first threshold the risk reaches, from the top."""

    thresholds: Sequence[tuple[float, Outcome]] = MODEL_RISK_CUTOFFS

    def __post_init__(self) -> None:
        object.__setattr__(self, "thresholds", tuple(sorted(self.thresholds, key=lambda t: -t[0])))

    def outcome_for(self, score: float) -> Outcome:
        for threshold, outcome in self.thresholds:  # highest first
            if score >= threshold:
                return outcome
        return Outcome.ALLOW

    @classmethod
    def from_ruleset(cls, ruleset: Ruleset) -> ModelPolicy:
        """The ruleset's own thresholds when it has them (they are part of its version), else the defaults."""
        if not ruleset.model_policy:
            return cls()
        return cls(tuple((t, Outcome.parse(o)) for o, t in ruleset.model_policy.items()))


def event_fields(event: AnyEvent) -> Mapping[str, Any]:
    """The event as rules see it: its declared fields (extra fields are ignored by the product). Read-only."""
    return event.__dict__


@dataclass(slots=True)
class _Setup:
    key: tuple[int, int, int]  # the ruleset, shadow and model it was worked out for
    versions: dict[str, str]
    identity: dict[str, str]  # the ruleset's, as the decision records it
    reads: dict[str, frozenset[str]] = field(default_factory=dict)  # event type -> features read, as met


@dataclass
class DecisionEngine:
    ruleset: Ruleset
    features: OnlineFeatureStore
    model: Scorer | None = None
    model_policy: ModelPolicy | None = None  # default: the ruleset's model_policy
    shadow: Ruleset | None = None  # evaluated on the same inputs, recorded, never acted on
    screener: NameScreener | None = None  # screens KYC applicants' names for the rules
    holds: HoldMemory | None = field(default_factory=HoldMemory)  # a hold follows the customer (holds.py)
    freezes: Freezes | None = None  # frozen customers: their withdrawals are held whatever the rules say
    # The plain path: a feature snapshot for every event, read or not (tests compare the two paths)
    snapshot_every_event: bool = False

    def __post_init__(self) -> None:
        if self.model_policy is None:
            self.model_policy = ModelPolicy.from_ruleset(self.ruleset)

    @property
    def features_remote(self) -> bool:
        """Whether feature state lives in another process (and so can be slow or down)."""
        return not isinstance(self.features, InProcessFeatureStore)

    @property
    def versions(self) -> dict[str, str]:
        return dict(self._setup().versions)

    def _setup(self) -> _Setup:
        """What every decision of this ruleset, shadow and model shares; worked out again only when one of them
        is swapped. The decisions share its dicts, which nothing changes after."""
        key = (id(self.ruleset), id(self.shadow), id(self.model))
        setup: _Setup | None = self.__dict__.get("_setup_cache")
        if setup is None or setup.key != key:
            ruleset = self.ruleset
            versions = {"warden": __version__, "ruleset": f"{ruleset.name}@{ruleset.version}"}
            if self.model is not None:
                versions["model"] = f"{self.model.name}@{self.model.version}"
            identity = {
                "name": ruleset.name,
                "version": ruleset.version,
                "fingerprint": ruleset.fingerprint,
                "engine_version": ENGINE_VERSION,
            }
            setup = self.__dict__["_setup_cache"] = _Setup(key, versions, identity)
        return setup

    def _snapshot(self, event: AnyEvent, setup: _Setup) -> dict[str, Any]:
        """The features the decision reads. The plain path (`snapshot_every_event`) computes all of them."""
        if self.snapshot_every_event:
            return self.features.features_for(event)
        names = setup.reads.get(event.type)
        if names is None:
            names = setup.reads[event.type] = self._reads_on(event.type)
        return self.features.features_for(event, names) if names else {}

    def _reads_on(self, event_type: str) -> frozenset[str]:
        """The features some rule (live or shadow) or the model reads on this event type; only the parts of the
        snapshot holding them are computed (features/snapshot.py), and the decision carries those. None are read
        on trades in the starter pack (half of an exchange's events): they are still folded into the state, but
        no snapshot is computed."""
        names: set[str] = set()
        for ruleset in (self.ruleset, self.shadow):
            if ruleset is not None:
                names |= ruleset.fields_read(event_type)
        if self.model is not None and event_type in self.model.event_types:
            # a model that does not say which features it reads is given all of them
            names.update(getattr(self.model, "features", FEATURE_NAMES))
        return frozenset(names & FEATURES.keys())

    def decide(self, event: AnyEvent, fold: bool = True) -> Decision:
        """The decision; `fold=False` leaves the feature state alone (the caller folds, once: see service.py)."""
        started = time.perf_counter()
        setup = self._setup()
        features = self._snapshot(event, setup)
        if self.screener is not None and event.type == "kyc_submission":
            features = {**features, **screening_features(self.screener, event)}
        fields = event_fields(event)
        hits = self.ruleset.evaluate(fields, features)
        outcome, score, reasons = self.ruleset.summarise(hits)
        model_result, model_outcome = self._score(event.type, features)
        if model_result is not None:
            if model_outcome > outcome:
                outcome, reasons = model_outcome, []
            if model_outcome == outcome and model_outcome > Outcome.ALLOW:
                reasons.append(_model_reason(model_result))
            score += 100.0 * model_result.score
        if self.holds is not None and event.type == "withdrawal":
            outcome = self._follow_hold(event, outcome, reasons)
        if self.freezes is not None and event.type == "withdrawal":
            outcome, reasons = self._frozen(event.customer_id, outcome, reasons)
        if hits and step_up_demanded(self.ruleset, event.type, outcome, hits):
            reasons = [*reasons, step_up_reason(event.event_id)]
        shadow = self._shadow(fields, features)
        if fold:
            self.features.update(event)
        versions, ruleset = setup.versions, setup.identity
        return Decision(
            event_id=event.event_id,
            customer_id=event.customer_id,
            event_type=event.type,
            occurred_at=event.occurred_at.astimezone(UTC),
            decided_at=datetime.now(UTC),
            outcome=outcome.label,
            score=round(score, 4),
            reasons=reasons,
            rule_hits=[h.to_dict() for h in hits],
            model=model_result,
            features=features,
            ruleset=ruleset,
            latency_ms=round((time.perf_counter() - started) * 1000, 3),
            versions=versions,
            shadow=shadow,
        )

    def _follow_hold(self, event: AnyEvent, outcome: Outcome, reasons: list[str]) -> Outcome:
        assert self.holds is not None
        ts = to_micros(event.occurred_at)
        if outcome >= Outcome.HOLD:
            self.holds.remember(event.customer_id, ts)  # held on its own: a new wait for review begins
            return outcome
        since = self.holds.held_since(event.customer_id, ts)
        if since is not None:  # joins the open wait, without extending it (holds.py)
            held_ago = (ts - since) / 3.6e9
            reasons[:] = [f"a withdrawal of this customer was held {held_ago:.1f} h ago and awaits review"]
            outcome = Outcome.HOLD
        return outcome

    def _shadow(self, fields: Mapping[str, Any], features: Mapping[str, Any]) -> dict[str, Any] | None:
        if self.shadow is None:
            return None
        verdict = self.shadow.verdict_for(fields, features)
        return {
            "ruleset": f"{verdict.ruleset}@{verdict.ruleset_version}",
            "outcome": verdict.outcome.label,
            "rules": [h.rule_id for h in verdict.hits],
        }

    def _frozen(self, customer_id: str, outcome: Outcome, reasons: list[str]) -> tuple[Outcome, list[str]]:
        hold = self.freezes.frozen_by(customer_id) if self.freezes is not None else None
        if hold is None:
            return outcome, reasons
        why = f"customer frozen ({hold}): withdrawals held until the freeze is released"
        if outcome < Outcome.HOLD:
            return Outcome.HOLD, [why]
        return outcome, [*reasons, why]

    def _score(self, event_type: str, features: Mapping[str, Any]) -> tuple[ModelResult | None, Outcome]:
        if self.model is None or event_type not in self.model.event_types:
            return None, Outcome.ALLOW
        score, contributions = self.model.risk(features)
        outcome = (self.model_policy or ModelPolicy()).outcome_for(score)
        result = ModelResult(
            name=self.model.name,
            version=self.model.version,
            score=round(float(score), 6),
            outcome=outcome.label,
            top_contributions=contributions,
        )
        return result, outcome


def _model_reason(result: ModelResult) -> str:
    top = ", ".join(str(c.get("feature")) for c in result.top_contributions[:3])
    return f"fraud model score {result.score:.2f} ({result.name}@{result.version}); top factors: {top}"


def fallback_decision(event: AnyEvent, outcome: Outcome, why: str, versions: dict[str, str]) -> Decision:
    """The decision of the failure policy when the engine could not decide in time or a dependency is down."""
    now = datetime.now(UTC)
    return Decision(
        event_id=event.event_id,
        customer_id=event.customer_id,
        event_type=event.type,
        occurred_at=event.occurred_at.astimezone(UTC),
        decided_at=now,
        outcome=outcome.label,
        score=0.0,
        reasons=[f"failure policy: {why}; {outcome.label} until decided properly"],
        rule_hits=[],
        model=None,
        features={},
        ruleset={},
        latency_ms=0.0,
        degraded=why,
        versions=versions,
    )
