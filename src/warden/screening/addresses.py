"""Exact crypto-address screening. EVM addresses compare case-insensitively (the mixed case is only a
checksum); bech32 addresses are valid in all-lower or all-upper case, so those fold too; base58 and every
other format compare exactly, so a look-alike that shares only its first and last characters never hits."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from warden.screening.models import AddressRecord

_EVM = re.compile(r"^0x[0-9a-fA-F]{40}$")
_BECH32 = re.compile(r"^(bc|tb|ltc|bcrt)1[02-9ac-hj-np-z]{6,87}$", re.IGNORECASE)


def address_key(address: str) -> str:
    address = address.strip()
    if _EVM.match(address):
        return address.lower()
    if _BECH32.match(address) and (address.islower() or address.isupper()):
        return address.lower()
    return address


def address_format(address: str) -> str:
    address = address.strip()
    if _EVM.match(address):
        return "evm"
    if _BECH32.match(address):
        return "bech32"
    return "exact"


@dataclass
class AddressIndex:
    by_key: dict[str, list[AddressRecord]] = field(default_factory=dict)
    owner: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # key -> (list, entry id, name)

    def add(self, record: AddressRecord) -> None:
        self.by_key.setdefault(address_key(record.address), []).append(record)

    def link(self, address: str, list_name: str, entry_id: str, name: str) -> None:
        self.owner.setdefault(address_key(address), (list_name, entry_id, name))

    def screen(self, address: str) -> list[dict[str, Any]]:
        key = address_key(address)
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
