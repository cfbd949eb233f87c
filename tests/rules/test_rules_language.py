"""The rule language: ladder, loading errors with positions, null semantics, helpers, explanations."""

from __future__ import annotations

import pytest

from warden.rules import Outcome, RulesetError, load_ruleset, strongest
from warden.rules.addresses import max_ends_match, prefix_suffix_match

from .helpers import hits, one_rule


def test_ladder_order_and_strongest() -> None:
    assert Outcome.ALLOW < Outcome.CHALLENGE < Outcome.REVIEW < Outcome.HOLD < Outcome.BLOCK < Outcome.FREEZE
    assert strongest([Outcome.REVIEW, Outcome.FREEZE, Outcome.HOLD]) is Outcome.FREEZE
    assert strongest([]) is Outcome.ALLOW
    assert Outcome.parse("Hold") is Outcome.HOLD
    with pytest.raises(ValueError, match="unknown outcome 'stop'"):
        Outcome.parse("stop")


BAD = """name: bad
version: "1"
rules:
  - id: unknown_field
    event_types: [withdrawal]
    condition: amount_usd > 10 and no_such_feature
    outcome: hold
    reason: x
  - id: mismatch
    event_types: [withdrawal]
    condition: |
      amount_usd > 10
      and country > 5
    outcome: hold
    reason: x
  - id: syntax
    event_types: [withdrawal]
    condition: "amount_usd >"
    outcome: hold
    reason: x
  - id: unknown_function
    event_types: [withdrawal]
    condition: evil(to_address)
    outcome: hold
    reason: x
  - id: arity
    event_types: [withdrawal]
    condition: startswith(to_address)
    outcome: hold
    reason: x
  - id: bad_outcome
    event_types: [withdrawal, teleport]
    condition: is_new_address
    outcome: maybe
    reason: "{nope} USD"
"""


def test_every_problem_is_reported_with_rule_line_and_column() -> None:
    with pytest.raises(RulesetError) as caught:
        load_ruleset(BAD, with_default_lists=False)
    found = {(p.rule_id, p.line, p.column): p.message for p in caught.value.problems}
    assert found[("unknown_field", 6, 36)] == "unknown field or feature 'no_such_feature'"
    assert "cannot compare str with num" in found[("mismatch", 13, 11)]
    assert any(k[0] == "syntax" and k[1] == 18 and "syntax error" in v for k, v in found.items())
    assert "unknown function 'evil'" in found[("unknown_function", 23, 16)]
    assert "startswith() takes 2 argument(s), got 1" in found[("arity", 28, 16)]
    messages = [m for (rule, _, _), m in found.items() if rule == "bad_outcome"]
    assert any("unknown outcome 'maybe'" in m for m in messages)
    assert any("unknown event type 'teleport'" in m for m in messages)
    assert any("reason quotes unknown field 'nope'" in m for m in messages)
    assert "<ruleset>:6:36: rule unknown_field:" in str(caught.value)


@pytest.mark.parametrize(
    "condition",
    [
        '__import__("os").system("true")',
        "to_address.lower() == 1",
        "(lambda: True)()",
        "[x for x in known_addresses]",
        "amount_usd ** 2 > 1",
        "amount_usd == None",
        'to_address in list("nope")',
        "amount_usd",
    ],
)
def test_anything_outside_the_subset_is_refused(condition: str) -> None:
    with pytest.raises(RulesetError):
        one_rule(condition)


def test_duplicate_ids_and_empty_rules_are_refused() -> None:
    text = 'name: d\nversion: "1"\nrules:\n'
    rule = "  - {id: a, event_types: [login], condition: success, outcome: allow, reason: x}\n"
    with pytest.raises(RulesetError, match="duplicate rule id 'a'"):
        load_ruleset(text + rule + rule, with_default_lists=False)
    with pytest.raises(RulesetError, match="non-empty list"):
        load_ruleset('name: d\nversion: "1"\nrules: []\n', with_default_lists=False)


def test_null_semantics_match_sql() -> None:
    assert not hits("amount_usd > 10", {})  # null comparison is not true
    assert not hits("not (amount_usd > 10)", {})  # nor is its negation
    assert hits("amount_usd > 10 or is_new_address", {"is_new_address": True})
    assert not hits("amount_usd > 10 and is_new_address", {"is_new_address": True})
    assert hits("amount_usd is None", {})
    assert hits("coalesce(address_age_hours, 1000) > 100", {})
    assert not hits(
        "amount_usd / customer_withdrawal_count_24h > 1", {"amount_usd": "5", "customer_withdrawal_count_24h": 0}
    )


def test_arithmetic_chains_and_decimal_strings() -> None:
    assert hits("9000 <= amount_usd < 10000", {"amount_usd": "9999.99"})
    assert not hits("9000 <= amount_usd < 10000", {"amount_usd": "10000"})
    assert hits(
        "customer_withdrawal_sum_usd_24h + amount_usd * 2 >= 300",
        {"amount_usd": "100", "customer_withdrawal_sum_usd_24h": 100.0},
    )
    assert hits("-amount_usd < -1", {"amount_usd": "2"})
    assert hits('feature("is_new_device")', {"is_new_device": True})


def test_string_helpers_and_literal_lists() -> None:
    row = {"to_address": "bc1qXYZ", "memo": ""}
    assert hits('startswith(lower(to_address), "bc1qx")', row)
    assert hits('endswith(upper(to_address), "XYZ") and len(to_address) == 7', row)
    assert hits('contains(to_address, "qX") and len(memo) == 0', row)
    assert hits('to_address not in ["a", "b"]', row)
    assert not hits('to_address in ["a", "b"]', row)


def test_named_lists_match_evm_addresses_case_insensitively() -> None:
    listed = "0x8589427373D6D84E98730D7795D8f6f8731FDA16"
    assert hits('to_address in list("bad")', {"to_address": listed.lower()}, bad=[listed])
    assert hits('to_address in list("bad")', {"to_address": listed.upper().replace("0X", "0x")}, bad=[listed])
    # Base58 addresses are case-sensitive.
    assert not hits('to_address in list("bad")', {"to_address": "1abc"}, bad=["1ABC"])


def test_default_sanctioned_list_is_the_ofac_snapshot() -> None:
    with pytest.raises(RulesetError, match="unknown named list 'sanctioned_addresses'"):
        one_rule('to_address in list("sanctioned_addresses")')  # defaults are off in one_rule
    ruleset = load_ruleset(
        'name: s\nversion: "1"\nrules:\n  - {id: s, event_types: [withdrawal], '
        'condition: to_address in list("sanctioned_addresses"), outcome: freeze, reason: x}\n'
    )
    assert len(ruleset.lists["sanctioned_addresses"]) > 600
    tornado = "0x8589427373D6D84E98730D7795D8f6f8731FDA16"  # Tornado Cash, on the SDN list since 2022
    assert [h.rule_id for h in ruleset.evaluate({"type": "withdrawal", "to_address": tornado}, {})] == ["s"]


def test_address_ends_helpers() -> None:
    known = "0xA1b2c3d4e5f60718293a4b5c6d7e8f9012345678"
    poison = "0xa1b2c3000000000000000000000000000aa45678"
    assert prefix_suffix_match(known, poison) == 6 + 5  # case-insensitive, 0x not counted
    assert max_ends_match(poison, [known, poison]) == 11  # the identical address itself does not count
    assert max_ends_match(known, []) == 0
    assert max_ends_match(None, [known]) is None
    assert hits(
        "shares_ends_with_known_address(to_address, known_addresses)",
        {"to_address": poison, "known_addresses": [known]},
    )
    near = "0xa1bf" + "0" * 32 + "0978"  # 3 + 2 characters
    assert prefix_suffix_match(known, near) == 5
    assert not hits(
        "shares_ends_with_known_address(to_address, known_addresses)", {"to_address": near, "known_addresses": [known]}
    )


def test_hits_carry_reasons_explanations_and_versions() -> None:
    ruleset = load_ruleset(
        """name: x
version: "7"
rules:
  - id: big
    version: 3
    event_types: [withdrawal]
    condition: amount_usd >= 10000 and is_new_address
    outcome: hold
    score: 40
    reason: "{amount_usd} USD to an address added {address_age_hours} h ago"
  - id: fresh
    event_types: [withdrawal]
    condition: address_age_hours < 1
    outcome: hold
    score: 5
    reason: "fresh address {to_address}"
  - id: any
    event_types: [withdrawal]
    condition: amount_usd > 0
    outcome: challenge
    reason: "some amount"
""",
        with_default_lists=False,
    )
    verdict = ruleset.verdict_for(
        {"type": "withdrawal", "amount_usd": "12500.00", "to_address": "bc1q"},
        {"is_new_address": True, "address_age_hours": 0.5},
    )
    assert verdict.outcome is Outcome.HOLD
    assert verdict.reasons == ["12500 USD to an address added 0.5 h ago", "fresh address bc1q"]  # ties keep both
    assert verdict.score == 45
    assert [h.rule_id for h in verdict.hits] == ["big", "fresh", "any"]
    big = verdict.hits[0]
    assert big.rule_version == 3
    assert big.explanation["value"] is True
    leaves = big.explanation["args"][0]["args"]
    assert leaves == [{"expr": "amount_usd", "value": 12500.0}, {"expr": "10000", "value": 10000.0}]
    record = verdict.to_dict()
    assert record["ruleset_version"] == "7" and record["fingerprint"] == ruleset.fingerprint
    assert ruleset.verdict_for({"type": "login"}, {}).outcome is Outcome.ALLOW


def test_fingerprint_is_canonical() -> None:
    a = one_rule("amount_usd > 10")
    b = one_rule("amount_usd   >   10")
    c = one_rule("amount_usd > 11")
    assert a.fingerprint == b.fingerprint != c.fingerprint
    assert len(a.fingerprint) == 64
