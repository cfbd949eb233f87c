"""What a condition may read: the shared feature catalogue, the event fields, and a few rule-only extras.

Rules see four kinds of value: numbers (every int, float and duration feature is a float here, so the row
and the Polars evaluator do the same arithmetic), strings, booleans and lists of strings. Any value may be null.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from warden.features.catalog import EVENT_FIELDS, FEATURES, FeatureSpec

Kind = Literal["num", "str", "bool", "list"]

_KIND_OF: dict[str, Kind] = {"int": "num", "float": "num", "duration_hours": "num", "bool": "bool", "str": "str"}


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    kind: Kind
    nullable: bool
    source: Literal["feature", "event"]
    description: str


def _from_catalog(name: str, spec: FeatureSpec, source: Literal["feature", "event"]) -> FieldSpec:
    return FieldSpec(name, _KIND_OF[spec.type], spec.nullable, source, spec.description)


# Fields rules need that are not (yet) in the shared catalogue.
_EXTRAS: tuple[FieldSpec, ...] = (
    FieldSpec("event_id", "str", False, "event", "the event's id"),
    FieldSpec("customer_id", "str", False, "event", "the customer the event belongs to"),
    FieldSpec("base_asset", "str", True, "event", "trade base asset"),
    FieldSpec("quote_asset", "str", True, "event", "trade quote asset"),
    FieldSpec("document_type", "str", True, "event", "KYC document type"),
    FieldSpec("document_country", "str", True, "event", "KYC document country"),
    FieldSpec(
        "hours_since_api_key_change",
        "num",
        True,
        "feature",
        "hours since the customer last created or changed an API key (profile_change field api_key)",
    ),
    FieldSpec(
        "sanctions_name_score",
        "num",
        True,
        "feature",
        "kyc_submission: best name-screening score of full_name against the sanctions lists (0 = no candidate)",
    ),
    FieldSpec(
        "sanctions_name_match",
        "str",
        True,
        "feature",
        "kyc_submission: the best-matching list entry, as 'NAME (list id)'",
    ),
    FieldSpec(
        "known_addresses",
        "list",
        True,
        "feature",
        "destinations the customer used or had in the address book before t (for address-poisoning checks)",
    ),
)


def _build() -> dict[str, FieldSpec]:
    fields = {name: _from_catalog(name, spec, "event") for name, spec in EVENT_FIELDS.items()}
    fields.update({name: _from_catalog(name, spec, "feature") for name, spec in FEATURES.items()})
    for extra in _EXTRAS:
        fields.setdefault(extra.name, extra)
    return fields


FIELDS: dict[str, FieldSpec] = _build()

EVENT_TYPES: frozenset[str] = frozenset(
    {
        "login",
        "deposit",
        "withdrawal",
        "transfer",
        "trade",
        "address_book_change",
        "profile_change",
        "kyc_submission",
    }
)
