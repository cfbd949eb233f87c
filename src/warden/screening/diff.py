"""What changed between two versions of a list: entries and addresses added, removed (delistings) and changed."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

from warden.chain.addresses import canonical_address
from warden.screening.models import ListEntry, ListSnapshot


@dataclass(frozen=True)
class Item:
    item_id: str
    item_kind: str  # entry | address
    name: str
    fingerprint: str


@dataclass
class ListDiff:
    list_name: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _fingerprint(entry: ListEntry) -> str:
    payload = json.dumps([entry.kind, [a.name for a in entry.aliases], entry.programs, entry.birth_years], default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def snapshot_items(snapshot: ListSnapshot) -> dict[str, Item]:
    items = {e.id: Item(e.id, "entry", e.name, _fingerprint(e)) for e in snapshot.entries}
    for record in snapshot.addresses:
        key = canonical_address(record.address)
        items[key] = Item(
            key, "address", record.tag or record.asset, hashlib.sha256(record.category.encode()).hexdigest()
        )
    return items


def diff_items(list_name: str, old: dict[str, Item], new: dict[str, Item]) -> ListDiff:
    diff = ListDiff(list_name)
    diff.added = sorted(k for k in new if k not in old)
    diff.removed = sorted(k for k in old if k not in new)
    diff.changed = sorted(k for k in new if k in old and old[k].fingerprint != new[k].fingerprint)
    diff.unchanged = len(new) - len(diff.added) - len(diff.changed)
    return diff
