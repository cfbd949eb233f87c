"""Deciding without the feature state: when it is unavailable (a dependency failed or the deadline passed) or
the engine itself failed, the event's type's failure policy decides, and the rules that read no state
(sanctions and jurisdiction lists, list hits on the event's own fields, name screening) are still evaluated:
a login from a sanctioned jurisdiction is blocked even while Redis is down.

A dependency outage and an error inside the engine are told apart. An outage gets the failure policy (logins
fail open); an engine error (an overflow in a feature sum, a bug) is never taken for one: it is at least
`review`, and logged with its traceback.
"""

from __future__ import annotations

import socket
from typing import Any

from warden.decisions.engine import DecisionEngine, event_fields, fallback_decision, screening_features
from warden.decisions.record import Decision
from warden.events.models import AnyEvent
from warden.features.catalog import FEATURES
from warden.rules.outcome import Outcome
from warden.rules.ruleset import Ruleset

try:  # redis is a dependency of the Redis feature store only
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover
    RedisError = OSError  # type: ignore[misc,assignment]

# What a dependency of the engine raises when it is down, slow or unreachable.
DEPENDENCY_ERRORS: tuple[type[BaseException], ...] = (RedisError, OSError, TimeoutError, socket.timeout)

_STATE_FEATURES = frozenset(FEATURES)
_stateless: dict[int, tuple[Ruleset, Ruleset]] = {}  # id(ruleset) -> (ruleset, its rules that read no state)


def is_dependency_failure(exc: BaseException) -> bool:
    return isinstance(exc, DEPENDENCY_ERRORS)


def stateless_rules(ruleset: Ruleset) -> Ruleset:
    """The ruleset's rules that read no online feature state (made once per ruleset)."""
    cached = _stateless.get(id(ruleset))
    if cached is not None and cached[0] is ruleset:
        return cached[1]
    rules = [rule for rule in ruleset.rules if not (rule.fields & _STATE_FEATURES)]
    subset = Ruleset(ruleset.name, ruleset.version, ruleset.description, rules, ruleset.lists, ruleset.model_policy)
    _stateless[id(ruleset)] = (ruleset, subset)
    return subset


def decide_without_state(engine: DecisionEngine, event: AnyEvent, floor: Outcome, why: str) -> Decision:
    """The failure policy's outcome (`floor`), raised by any stateless rule that hits harder."""
    decision = fallback_decision(event, floor, why, engine.versions)
    extra: dict[str, Any] = {}
    try:
        if engine.screener is not None and event.type == "kyc_submission":
            extra = screening_features(engine.screener, event)
        hits = stateless_rules(engine.ruleset).evaluate(event_fields(event), extra)
    except Exception:  # the fallback must answer: the policy's outcome stands
        return decision
    if not hits:
        return decision
    decision.rule_hits = [h.to_dict() for h in hits]
    strongest = max(h.outcome for h in hits)
    decision.score = round(sum(h.score for h in hits), 4)
    if strongest > floor:
        decision.outcome = strongest.label
        decision.reasons = [h.reason for h in hits if h.outcome == strongest] + decision.reasons
    return decision
