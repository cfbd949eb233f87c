"""An exchange's own lists as simple CSV.

Watch list: header `id,name,kind,program,dob,country,aliases,address` (only id and name required; aliases
and addresses separated by `;`). Allowlist of known false positives: header `customer_id,entry_id,reason`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from warden.screening.errors import ListFormatError
from warden.screening.loaders.common import read_text, strip_gz, version_date
from warden.screening.models import ENTRY_KINDS, AddressRecord, Alias, EntryKind, ListEntry, ListSnapshot, file_sha256

ALLOWLIST_HEADER = ("customer_id", "entry_id")


@dataclass(frozen=True)
class AllowEntry:
    """A (customer, list entry) pair an analyst cleared as a false positive."""

    customer_id: str
    entry_id: str
    reason: str


def _reader(path: Path) -> tuple[str, csv.DictReader[str]]:
    text = read_text(path)
    return text, csv.DictReader(io.StringIO(text))


def load_allowlist(path: Path) -> list[AllowEntry]:
    _, reader = _reader(path)
    out = []
    for row in reader:
        customer, entry = (row.get("customer_id") or "").strip(), (row.get("entry_id") or "").strip()
        if not customer or not entry:
            raise ListFormatError(str(path), str(reader.line_num), "customer_id and entry_id are required")
        out.append(AllowEntry(customer, entry, (row.get("reason") or "").strip()))
    return out


def load_internal(path: Path) -> ListSnapshot:
    text, reader = _reader(path)
    name = "internal:" + strip_gz(path.name).removesuffix(".csv")
    if not {"id", "name"} <= set(reader.fieldnames or []):
        raise ListFormatError(str(path), "1", "header must have at least the columns id,name")
    snapshot = ListSnapshot(name, str(path), version_date(path), sha256=file_sha256(text.encode()))
    for row in reader:
        line = str(reader.line_num)
        entry_id, primary = (row.get("id") or "").strip(), (row.get("name") or "").strip()
        if not entry_id or not primary:
            raise ListFormatError(str(path), line, "id and name are required")
        kind = (row.get("kind") or "person").strip().lower()
        if kind not in ENTRY_KINDS:
            raise ListFormatError(str(path), line, f"kind must be one of {', '.join(ENTRY_KINDS)}, not {kind!r}")
        dob = (row.get("dob") or "").strip()
        if dob and not dob[:4].isdigit():
            raise ListFormatError(str(path), line, f"dob must start with a year (YYYY or YYYY-MM-DD), not {dob!r}")
        aliases = [Alias(primary)] + [
            Alias(a.strip(), "aka") for a in (row.get("aliases") or "").split(";") if a.strip()
        ]
        addresses = tuple(a.strip() for a in (row.get("address") or "").split(";") if a.strip())
        program = (row.get("program") or "").strip()
        kind_value: EntryKind = kind  # type: ignore[assignment]
        snapshot.entries.append(
            ListEntry(
                id=entry_id,
                list_name=name,
                kind=kind_value,
                aliases=tuple(aliases),
                programs=(program,) if program else (),
                birth_years=(int(dob[:4]),) if dob else (),
                birth_dates=(dob,) if dob else (),
                countries=tuple(c.strip() for c in (row.get("country") or "").split(";") if c.strip()),
                addresses=addresses,
            )
        )
        for address in addresses:
            snapshot.addresses.append(AddressRecord(address, "?", name, "internal", name, primary, entry_id))
    if not snapshot.entries:
        raise ListFormatError(str(path), "2", "no rows")
    return snapshot
