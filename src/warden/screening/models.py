"""Plain typed values for list entries, list snapshots and screening hits."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Literal

EntryKind = Literal["person", "entity", "vessel", "aircraft"]
AliasKind = Literal["primary", "aka", "fka", "weak", "original-script"]
ENTRY_KINDS: tuple[str, ...] = ("person", "entity", "vessel", "aircraft")


@dataclass(frozen=True)
class Alias:
    name: str
    kind: AliasKind = "primary"


@dataclass(frozen=True)
class ListEntry:
    """One listed person, entity, vessel or aircraft; `id` is the list's own identifier."""

    id: str
    list_name: str
    kind: EntryKind
    aliases: tuple[Alias, ...]
    programs: tuple[str, ...] = ()
    birth_years: tuple[int, ...] = ()
    birth_dates: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.aliases[0].name


@dataclass(frozen=True)
class AddressRecord:
    """A listed or labelled crypto address."""

    address: str
    asset: str
    list_name: str
    category: str  # "sanctioned", "phishing", "exploit", "heist", ...
    source: str
    tag: str = ""
    entry_id: str = ""


@dataclass
class ListSnapshot:
    """One version of one list as loaded from its files."""

    list_name: str
    source: str
    version_date: str
    entries: list[ListEntry] = field(default_factory=list)
    addresses: list[AddressRecord] = field(default_factory=list)
    sha256: str = ""

    @property
    def counts(self) -> dict[str, int]:
        return {
            "entries": len(self.entries),
            "names": sum(len(e.aliases) for e in self.entries),
            "addresses": len(self.addresses),
        }


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
