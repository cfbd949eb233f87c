"""The demo's simulated sanctioned withdrawals and hack-linked deposits use real listed addresses: all are caught."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from warden.screening.matcher import DEFAULT_THRESHOLD, NameQuery
from warden.screening.screener import Screener, open_screener
from warden.sim.refdata import hack_addresses, sanctioned_addresses


@lru_cache(maxsize=1)
def _screener() -> Screener:
    return open_screener(None)  # the shipped lists, built once for this module


def address_hits(address: str) -> list[dict[str, Any]]:
    hits: list[dict[str, Any]] = _screener().screen_address(address)["hits"]
    return hits


def name_hits(name: str, birth_year: int) -> list[dict[str, Any]]:
    hits: list[dict[str, Any]] = _screener().screen_name(NameQuery(name, "person", birth_year), DEFAULT_THRESHOLD)[
        "hits"
    ]
    return hits


def test_simulated_sanctioned_and_hack_addresses_are_caught() -> None:
    sanctioned = sanctioned_addresses()
    assert sanctioned
    missed = [a for a, _, _ in sanctioned if not any(h["category"] == "sanctioned" for h in address_hits(a))]
    assert missed == []
    hacks = hack_addresses()
    missed_hacks = [
        a for a, _, kind in hacks if not any(h["category"] in {"heist", "exploit"} for h in address_hits(a))
    ]
    assert hacks and missed_hacks == []


def test_kyc_name_screening_helper() -> None:
    assert name_hits("Eric Badege", birth_year=1971)[0]["score"] >= 0.99
    assert name_hits("Peter Jones", birth_year=1971) == []
