"""The UN Security Council consolidated list XML (INDIVIDUALS / ENTITIES), gzip ok.

The reference number (e.g. `QDi.226`) is the entry id. Names in their original script are kept as aliases
so a query typed in that script matches exactly.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from warden.screening.errors import ListFormatError
from warden.screening.loaders.common import read_bytes, version_date
from warden.screening.models import Alias, AliasKind, EntryKind, ListEntry, ListSnapshot, file_sha256

LIST_NAME = "un-consolidated"
_NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")


def _text(node: ET.Element | None) -> str:
    return (node.text or "").strip() if node is not None else ""


def load_un_xml(path: Path) -> ListSnapshot:
    data = read_bytes(path)
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        line, column = exc.position
        reason = str(exc).split(":", 1)[0]  # the message repeats the position; keep only the reason
        raise ListFormatError(str(path), f"{line}:{column}", f"bad XML: {reason}") from None
    if root.tag != "CONSOLIDATED_LIST":
        raise ListFormatError(str(path), f"/{root.tag}", "root element is not CONSOLIDATED_LIST")
    generated = root.get("dateGenerated", "")[:10] or version_date(path)
    snapshot = ListSnapshot(LIST_NAME, str(path), generated, sha256=file_sha256(data))
    groups: tuple[tuple[str, str, EntryKind], ...] = (
        ("INDIVIDUALS", "INDIVIDUAL", "person"),
        ("ENTITIES", "ENTITY", "entity"),
    )
    for group, tag, kind in groups:
        for position, node in enumerate(root.iterfind(f"{group}/{tag}"), start=1):
            snapshot.entries.append(_entry(node, kind, f"/CONSOLIDATED_LIST/{group}/{tag}[{position}]", str(path)))
    if not snapshot.entries:
        raise ListFormatError(str(path), "/CONSOLIDATED_LIST", "no INDIVIDUAL or ENTITY elements")
    return snapshot


def _entry(node: ET.Element, kind: EntryKind, where: str, path: str) -> ListEntry:
    ref = _text(node.find("REFERENCE_NUMBER"))
    if not ref:
        raise ListFormatError(path, f"{where}/REFERENCE_NUMBER", "missing reference number")
    name = " ".join(part for part in (_text(node.find(p)) for p in _NAME_PARTS) if part)
    if not name:
        raise ListFormatError(path, f"{where}/FIRST_NAME", f"entry {ref} has no name")
    aliases = [Alias(name, "primary")]
    seen = {name.lower()}
    original = _text(node.find("NAME_ORIGINAL_SCRIPT"))
    if original:
        aliases.append(Alias(original, "original-script"))
        seen.add(original.lower())
    for alias_node in node.iterfind(f"{node.tag}_ALIAS"):
        alias_name = _text(alias_node.find("ALIAS_NAME"))
        if not alias_name or alias_name.lower() in seen:
            continue
        seen.add(alias_name.lower())
        quality = _text(alias_node.find("QUALITY")).lower()
        alias_kind: AliasKind = "weak" if quality == "low" else ("fka" if quality == "f.k.a." else "aka")
        aliases.append(Alias(alias_name, alias_kind))
    years: set[int] = set()
    dates: list[str] = []
    for dob in node.iterfind("INDIVIDUAL_DATE_OF_BIRTH"):
        for tag in ("DATE", "YEAR", "FROM_YEAR", "TO_YEAR"):
            value = _text(dob.find(tag))
            if value[:4].isdigit():
                years.add(int(value[:4]))
                if tag == "DATE":
                    dates.append(value[:10])
        if _text(dob.find("FROM_YEAR"))[:4].isdigit() and _text(dob.find("TO_YEAR"))[:4].isdigit():
            years.update(range(int(_text(dob.find("FROM_YEAR"))[:4]), int(_text(dob.find("TO_YEAR"))[:4]) + 1))
    countries = {_text(v) for v in node.iterfind("NATIONALITY/VALUE") if _text(v)}
    return ListEntry(
        id=ref,
        list_name=LIST_NAME,
        kind=kind,
        aliases=tuple(aliases),
        programs=(_text(node.find("UN_LIST_TYPE")),) if _text(node.find("UN_LIST_TYPE")) else (),
        birth_years=tuple(sorted(years)),
        birth_dates=tuple(dates),
        countries=tuple(sorted(countries)),
    )
