"""OpenSanctions FollowTheMoney entities, one JSON object a line (`entities.ftm.json`).

Person, Organization, Company, LegalEntity, Vessel and Airplane become list entries; CryptoWallet becomes an
address record. Other schemata (addresses, sanctions, ownership links) are skipped.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from warden.screening.errors import ListFormatError
from warden.screening.loaders.common import read_text, version_date
from warden.screening.models import AddressRecord, Alias, EntryKind, ListEntry, ListSnapshot, file_sha256

LIST_NAME = "opensanctions"
_KINDS: dict[str, EntryKind] = {
    "Person": "person",
    "Organization": "entity",
    "Company": "entity",
    "LegalEntity": "entity",
    "PublicBody": "entity",
    "Vessel": "vessel",
    "Airplane": "aircraft",
}


def _strings(props: dict[str, Any], key: str, file: str, where: str) -> list[str]:
    value = props.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ListFormatError(file, f"{where}.properties.{key}", "expected a list of strings")
    return [v.strip() for v in value if v.strip()]


def load_ftm(path: Path) -> ListSnapshot:
    text = read_text(path)
    snapshot = ListSnapshot(LIST_NAME, str(path), version_date(path), sha256=file_sha256(text.encode()))
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{number}: $"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ListFormatError(str(path), f"{number}:{exc.colno}", f"bad JSON: {exc.msg}") from None
        if not isinstance(obj, dict) or not isinstance(obj.get("id"), str) or not isinstance(obj.get("schema"), str):
            raise ListFormatError(str(path), f"{where}.id", "each line needs string 'id' and 'schema'")
        props = obj.get("properties", {})
        if not isinstance(props, dict):
            raise ListFormatError(str(path), f"{where}.properties", "expected an object")
        schema = obj["schema"]
        if schema == "CryptoWallet":
            for key in _strings(props, "publicKey", str(path), where):
                currency = (_strings(props, "currency", str(path), where) or ["?"])[0]
                snapshot.addresses.append(
                    AddressRecord(key, currency, LIST_NAME, "sanctioned", "OpenSanctions", entry_id=obj["id"])
                )
            continue
        kind = _KINDS.get(schema)
        if kind is None:
            continue
        names = _strings(props, "name", str(path), where)
        if not names:
            raise ListFormatError(str(path), f"{where}.properties.name", f"{schema} {obj['id']} has no name")
        aliases = [Alias(names[0], "primary")] + [Alias(n, "aka") for n in names[1:]]
        aliases += [Alias(n, "aka") for n in _strings(props, "alias", str(path), where)]
        aliases += [Alias(n, "weak") for n in _strings(props, "weakAlias", str(path), where)]
        births = _strings(props, "birthDate", str(path), where)
        snapshot.entries.append(
            ListEntry(
                id=obj["id"],
                list_name=LIST_NAME,
                kind=kind,
                aliases=tuple(dict.fromkeys(aliases)),
                programs=tuple(_strings(props, "topics", str(path), where)),
                birth_years=tuple(sorted({int(b[:4]) for b in births if b[:4].isdigit()})),
                birth_dates=tuple(births),
                countries=tuple(
                    _strings(props, "nationality", str(path), where) + _strings(props, "country", str(path), where)
                ),
            )
        )
    if not snapshot.entries and not snapshot.addresses:
        raise ListFormatError(str(path), "1", "no entities of a screened schema")
    return snapshot
