"""Where a rule's alerts are routed, checked when the ruleset loads: a decision alert's typology is the id of
the rule that fired, so a routing pattern that misses a rule sends its alerts to the catch-all queue. A rule
tagged with a queue's name (e.g. `kyc`, `sanctions`) must route to one of the queues it is tagged with."""

from __future__ import annotations

from decimal import Decimal

from warden.cases.errors import CaseError
from warden.cases.queues import QueueConfig
from warden.cases.sources import DECISION_SEVERITY
from warden.rules.ruleset import Ruleset


def rule_queues(ruleset: Ruleset, config: QueueConfig) -> dict[str, tuple[str, str]]:
    """Each rule's queue and the routing reason, for a decision alert of the rule's own outcome."""
    found = {}
    for rule in ruleset.rules:
        severity = DECISION_SEVERITY.get(rule.outcome.label, "medium")
        found[rule.id] = config.route("decision", [rule.id], severity, Decimal(0), None)
    return found


def check_rule_queues(ruleset: Ruleset, config: QueueConfig) -> None:
    """Refuse a ruleset whose tagged rules route to none of the queues they are tagged with."""
    problems = []
    routes = rule_queues(ruleset, config)
    for rule in ruleset.rules:
        tagged = [t for t in rule.tags if t in config.queues]
        queue, why = routes[rule.id]
        if tagged and queue not in tagged:
            where = f"line {rule.line}: " if rule.line else ""
            problems.append(f"{where}rule {rule.id} is tagged {', '.join(tagged)} but routes to {queue} ({why})")
    if problems:
        raise CaseError(f"ruleset {ruleset.name}@{ruleset.version}: " + "; ".join(problems))
