"""Named lists for `x in list("name")`: the OFAC sanctioned crypto addresses shipped with Warden, and any
list a caller or the ruleset file provides. Addresses are normalised (EVM in lower case) once, here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

from warden.rules.compiler import normalize_list

SANCTIONS_DIR = Path(__file__).resolve().parents[1] / "screening" / "data" / "crypto-addresses-2024-09-27"


@lru_cache(maxsize=1)
def sanctioned_addresses() -> frozenset[str]:
    """Every address on the OFAC SDN digital-currency lists (2024-09-27 snapshot), all assets together."""
    addresses: set[str] = set()
    for path in sorted(SANCTIONS_DIR.glob("*.txt")):
        addresses.update(line.strip() for line in path.read_text().splitlines() if line.strip())
    return normalize_list(addresses)


def default_lists() -> dict[str, frozenset[str]]:
    return {"sanctioned_addresses": sanctioned_addresses()}


def merge_lists(*sources: Mapping[str, Iterable[str]] | None) -> dict[str, frozenset[str]]:
    """Later sources replace earlier lists of the same name."""
    merged: dict[str, frozenset[str]] = {}
    for source in sources:
        for name, items in (source or {}).items():
            merged[name] = normalize_list(items)
    return merged
