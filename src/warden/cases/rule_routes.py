"""Where a rule's alerts are routed, checked whenever a ruleset loads or is published (the faces pass
`queue_check()` to `decisions.rulesets.publish_ruleset` and to the publication requests, and the server checks
its live ruleset at start). A decision alert's typology is the id of the rule that fired, so a routing pattern
that misses a rule sends its alerts to the catch-all queue. Refused, each naming the rule:

- a `queue:<name>` tag naming a queue that does not exist, or a queue the rule does not route to;
- a rule tagged with a queue's name (e.g. `kyc`, `sanctions`) that routes to none of those queues;
- a rule that decides only KYC events routed to the fraud queue (the KYC nationality rule once went there).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from decimal import Decimal

from warden.cases.errors import CaseError
from warden.cases.queues import QueueConfig, default_queue_config
from warden.cases.sources import DECISION_SEVERITY
from warden.rules.ruleset import Rule, Ruleset

QUEUE_TAG = "queue:"
KYC_EVENTS = frozenset({"kyc_submission"})


class RoutingError(CaseError):
    """A ruleset whose rules would send their alerts to the wrong queue (or to none); one problem per rule."""

    def __init__(self, ruleset: Ruleset, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"ruleset {ruleset.name}@{ruleset.version} routes wrongly: " + "; ".join(problems))


def rule_queues(ruleset: Ruleset, config: QueueConfig) -> dict[str, tuple[str, str]]:
    """Each rule's queue and the routing reason, for a decision alert of the rule's own outcome."""
    found = {}
    for rule in ruleset.rules:
        severity = DECISION_SEVERITY.get(rule.outcome.label, "medium")
        found[rule.id] = config.route("decision", [rule.id], severity, Decimal(0), None)
    return found


def _problem(rule: Rule, queue: str, why: str, config: QueueConfig) -> str | None:
    where = f"line {rule.line}: " if rule.line else ""
    why = re.sub(r"[^\s(]*[/\\]", "", why)  # "routing rule at queues.yaml:40 -> fraud": no server paths
    named = [t.removeprefix(QUEUE_TAG) for t in rule.tags if t.startswith(QUEUE_TAG)]
    unknown = [q for q in named if q not in config.queues]
    if unknown:
        known = ", ".join(sorted(config.queues))
        return f"{where}rule {rule.id} names queue {unknown[0]!r}, which does not exist (queues: {known})"
    if named and queue not in named:
        return f"{where}rule {rule.id} asks for queue {' or '.join(named)} but routes to {queue} ({why})"
    tagged = [t for t in rule.tags if t in config.queues]
    if tagged and queue not in tagged:
        return f"{where}rule {rule.id} is tagged {', '.join(tagged)} but routes to {queue} ({why})"
    if rule.event_types and rule.event_types <= KYC_EVENTS and queue == "fraud":
        return (
            f"{where}rule {rule.id} decides only KYC events but routes to the fraud queue ({why}); "
            "give it a routing rule in queues.yaml (e.g. a typology pattern kyc* or *_kyc)"
        )
    return None


def check_rule_queues(ruleset: Ruleset, config: QueueConfig) -> None:
    """Refuse a ruleset any of whose rules routes wrongly (RoutingError names every such rule)."""
    routes = rule_queues(ruleset, config)
    problems = [p for rule in ruleset.rules if (p := _problem(rule, *routes[rule.id], config)) is not None]
    if problems:
        raise RoutingError(ruleset, problems)


_default_config = functools.cache(default_queue_config)


def queue_check(config: QueueConfig | None = None) -> Callable[[Ruleset], None]:
    """The check a face hands to the publishing of rulesets (the packaged queues.yaml read once, when first used)."""
    return lambda ruleset: check_rule_queues(ruleset, config or _default_config())
