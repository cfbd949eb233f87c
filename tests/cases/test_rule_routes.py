"""A rule's queue is checked when the ruleset loads and when it is published: the KYC nationality rule reaches
the kyc queue; a routing file whose patterns miss a tagged rule, a KYC-only rule routed to fraud and a rule that
names a queue that does not exist are refused with the rule and the queue it would reach."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from warden.access.roles import Actor
from warden.cases.errors import CaseError
from warden.cases.queues import DEFAULT_QUEUES, load_queue_config
from warden.cases.rule_routes import RoutingError, check_rule_queues, queue_check, rule_queues
from warden.decisions.ruleset_requests import pending_requests, request_publication
from warden.decisions.rulesets import current, publish_ruleset
from warden.rules.loader import load_ruleset, starter_pack_path
from warden.store.db import Store


def test_the_starter_pack_routes_each_rule_to_its_tagged_queue() -> None:
    ruleset = load_ruleset(starter_pack_path())
    config = load_queue_config(DEFAULT_QUEUES)
    check_rule_queues(ruleset, config)
    assert rule_queues(ruleset, config)["high_risk_nationality_kyc"][0] == "kyc"


def test_a_pattern_that_misses_a_tagged_rule_is_refused(tmp_path: Path) -> None:
    old = DEFAULT_QUEUES.read_text().replace('"kyc*", "*_kyc",', '"kyc*",')  # the prefix-only pattern of before
    path = tmp_path / "queues.yaml"
    path.write_text(old)
    with pytest.raises(CaseError, match=r"rule high_risk_nationality_kyc is tagged .*kyc.* but routes to fraud"):
        check_rule_queues(load_ruleset(starter_pack_path()), load_queue_config(path))


def _renamed(tags: str) -> str:
    """The starter pack with the KYC nationality rule renamed so that no kyc pattern matches it."""
    text = starter_pack_path().read_text()
    text = text.replace("id: high_risk_nationality_kyc", "id: risky_nationality", 1)
    return text.replace("tags: [geography, kyc]", f"tags: {tags}", 1)


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        ("[geography]", r"rule risky_nationality decides only KYC events but routes to the fraud queue"),
        ("[geography, kyc]", r"rule risky_nationality is tagged kyc but routes to fraud"),
        ('[geography, "queue:kyx"]', r"rule risky_nationality names queue 'kyx', which does not exist \(queues: aml"),
        ('[geography, "queue:aml"]', r"rule risky_nationality asks for queue aml but routes to fraud"),
    ],
)
def test_each_wrong_route_is_refused_naming_the_rule(tags: str, message: str) -> None:
    with pytest.raises(RoutingError, match=message) as refused:
        queue_check()(load_ruleset(_renamed(tags)))
    assert len(refused.value.problems) == 1 and re.match(r"line \d+: ", refused.value.problems[0])


def test_a_queue_tag_that_matches_the_route_passes() -> None:
    text = starter_pack_path().read_text().replace("tags: [geography, kyc]", 'tags: [geography, "queue:kyc"]', 1)
    queue_check()(load_ruleset(text))


def test_publishing_checks_the_routes_and_stores_nothing_refused(store: Store) -> None:
    with store.engine.begin() as conn, pytest.raises(RoutingError, match="risky_nationality"):
        publish_ruleset(conn, _renamed("[geography]"), "rita", "shadow", [queue_check()])
    with store.engine.begin() as conn:
        assert current(conn, "shadow") is None
        request = Actor("rita", "rule_author")
        with pytest.raises(RoutingError, match="risky_nationality"):
            request_publication(conn, _renamed("[geography]"), "live", request, datetime.now(UTC), [queue_check()])
        assert pending_requests(conn) == []
