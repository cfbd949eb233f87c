"""The event contract: models, committed JSON Schema, examples."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from warden.events.examples import EXAMPLES
from warden.events.models import EVENT_ADAPTER, EVENT_TYPES
from warden.events.schema import committed_schema_path, render_schema

REPO = Path(__file__).resolve().parents[2]


def test_committed_schema_matches_the_models() -> None:
    committed = committed_schema_path(REPO).read_text()
    assert committed == render_schema(), "schemas/ drifted from the models: run `warden schema > schemas/...`"


def test_every_contract_type_has_a_model_and_an_example() -> None:
    contract = REPO.parent / "shared" / "contracts" / "events.md"
    expected = {
        "login",
        "deposit",
        "withdrawal",
        "transfer",
        "trade",
        "address_book_change",
        "profile_change",
        "kyc_submission",
    }
    assert set(EVENT_TYPES) == expected == set(EXAMPLES)
    if contract.exists():  # beside the checkout in development and CI
        for name in expected:
            assert f"`{name}`" in contract.read_text()


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_examples_validate_and_round_trip(kind: str) -> None:
    event = EVENT_ADAPTER.validate_python(EXAMPLES[kind])
    assert event.type == kind
    again = EVENT_ADAPTER.validate_json(event.model_dump_json())
    assert again == event


def test_time_is_stored_as_utc() -> None:
    event = EVENT_ADAPTER.validate_python(EXAMPLES["deposit"])  # +01:00 in the example
    dumped = json.loads(event.model_dump_json())
    assert dumped["occurred_at"] == "2026-03-02T07:20:00Z"


def test_amounts_are_exact_decimals_and_floats_are_refused() -> None:
    event = EVENT_ADAPTER.validate_python(EXAMPLES["withdrawal"])
    assert event.amount == Decimal("2500.00")  # type: ignore[union-attr]
    bad = copy.deepcopy(EXAMPLES["withdrawal"]) | {"amount": 2500.1}
    with pytest.raises(ValidationError) as info:
        EVENT_ADAPTER.validate_python(bad)
    assert info.value.errors()[0]["loc"][-1] == "amount"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("occurred_at", "2026-03-02T09:00:00"),  # no offset
        ("asset", "usdt"),  # tickers are upper case
        ("network", "Tron"),  # networks are lower case
        ("event_id", ""),
        ("customer_id", "x" * 129),
        ("type", "teleport"),
    ],
)
def test_contract_violations_are_refused(field: str, value: str) -> None:
    bad = copy.deepcopy(EXAMPLES["withdrawal"]) | {field: value}
    with pytest.raises(ValidationError):
        EVENT_ADAPTER.validate_python(bad)


def test_unknown_fields_are_kept_but_optional_fields_stay_optional() -> None:
    minimal = {k: v for k, v in EXAMPLES["login"].items() if k != "user_agent"} | {"risk_hint": "vip"}
    event = EVENT_ADAPTER.validate_python(minimal)
    assert event.user_agent is None  # type: ignore[union-attr]
    assert json.loads(event.model_dump_json())["risk_hint"] == "vip"


def test_kyc_phone_must_be_e164() -> None:
    bad = copy.deepcopy(EXAMPLES["kyc_submission"]) | {"phone": "0151 2345678"}
    with pytest.raises(ValidationError):
        EVENT_ADAPTER.validate_python(bad)


def test_every_example_in_the_docs_validates() -> None:
    text = (REPO / "docs" / "events.md").read_text()
    blocks = [block.split("```", 1)[0] for block in text.split("```json\n")[1:]]
    assert len(blocks) == len(EXAMPLES)
    for block in blocks:
        EVENT_ADAPTER.validate_json(block)
