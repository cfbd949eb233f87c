"""Named lists for `x in list("name")`: the OFAC sanctioned crypto addresses shipped with Warden (read through
screening's own loader), and any list a caller or the ruleset file provides. Addresses are put in their
canonical form (`warden.chain.addresses`) once, here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache

from warden.rules.compiler import normalize_list
from warden.screening.defaults import DEFAULT_LISTS
from warden.screening.loaders.crypto import LIST_NAME, load_crypto


@lru_cache(maxsize=1)
def sanctioned_addresses() -> frozenset[str]:
    """Every address on the OFAC SDN digital-currency lists (2024-09-27 snapshot), all assets together."""
    return normalize_list(record.address for record in load_crypto(DEFAULT_LISTS[LIST_NAME]).addresses)


def default_lists() -> dict[str, frozenset[str]]:
    return {"sanctioned_addresses": sanctioned_addresses()}


def merge_lists(*sources: Mapping[str, Iterable[str]] | None) -> dict[str, frozenset[str]]:
    """Later sources replace earlier lists of the same name."""
    merged: dict[str, frozenset[str]] = {}
    for source in sources:
        for name, items in (source or {}).items():
            merged[name] = normalize_list(items)
    return merged
