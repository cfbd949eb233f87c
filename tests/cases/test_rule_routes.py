"""A rule's queue is checked when the ruleset loads: the KYC nationality rule reaches the kyc queue, and a
routing file whose patterns miss a tagged rule is refused with the rule and the queue it would reach."""

from __future__ import annotations

from pathlib import Path

import pytest

from warden.cases.errors import CaseError
from warden.cases.queues import DEFAULT_QUEUES, load_queue_config
from warden.cases.rule_routes import check_rule_queues, rule_queues
from warden.rules.loader import load_ruleset, starter_pack_path


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
