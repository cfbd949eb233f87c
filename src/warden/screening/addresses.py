"""Exact crypto-address screening, in the canonical form of `warden.chain.addresses` (EVM and one-case bech32
fold to lower case; every other format compares exactly, so a look-alike never hits)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from warden.chain.addresses import address_format, canonical_address
from warden.screening.models import AddressRecord


@dataclass
class AddressIndex:
    by_key: dict[str, list[AddressRecord]] = field(default_factory=dict)
    owner: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # key -> (list, entry id, name)

    def add(self, record: AddressRecord) -> None:
        self.by_key.setdefault(canonical_address(record.address), []).append(record)

    def link(self, address: str, list_name: str, entry_id: str, name: str) -> None:
        self.owner.setdefault(canonical_address(address), (list_name, entry_id, name))

    def screen(self, address: str) -> list[dict[str, Any]]:
        key = canonical_address(address)
        hits = []
        for record in self.by_key.get(key, []):
            owner = self.owner.get(key)
            hits.append(
                {
                    "id": record.address,
                    "score": 1.0,
                    "list": record.list_name,
                    "asset": record.asset,
                    "category": record.category,
                    "source": record.source,
                    "tag": record.tag,
                    "entry_id": record.entry_id or (owner[1] if owner else ""),
                    "entry_name": owner[2] if owner else "",
                    "explanation": {"match": "exact", "format": address_format(address), "compared_as": key},
                }
            )
        return hits

    def __len__(self) -> int:
        return len(self.by_key)
