"""The OFAC SDN legacy CSV quartet: sdn.csv (required), add.csv, alt.csv, sdn_comments.csv (optional, gzip ok).

No header; `-0-` is the null marker. Aliases, dates of birth, nationalities and digital-currency addresses
are also read from the Remarks column, because the 2024 snapshot ships without alt.csv.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from pathlib import Path

from warden.screening.errors import ListFormatError
from warden.screening.loaders.common import find_sibling, read_text, version_date
from warden.screening.models import Alias, AliasKind, EntryKind, ListEntry, ListSnapshot, file_sha256

LIST_NAME = "ofac-sdn"
NULL = "-0-"
_AKA = re.compile(r"\b([afn])\.k\.a\.,?\s*'([^']+)'", re.IGNORECASE)
_DOB = re.compile(r"\bDOB\s+(?:circa\s+)?((?:\d{1,2}\s+)?(?:[A-Z][a-z]{2}\s+)?(\d{4}))")
_COUNTRY = re.compile(r"\b(?:nationality|citizen)\s+([A-Z][A-Za-z ,.'-]+?)(?=;|\.$|$)")
_CURRENCY = re.compile(r"Digital Currency Address - ([A-Z0-9]+)\s+([A-Za-z0-9]+)")
_KINDS: dict[str, EntryKind] = {"individual": "person", "vessel": "vessel", "aircraft": "aircraft"}


def _cell(value: str) -> str:
    value = value.strip()
    return "" if value == NULL else value


def display_name(raw: str, kind: EntryKind) -> str:
    """'ABBAS, Abu' -> 'Abu ABBAS' for people; the legacy file writes 'LAST, First'."""
    if kind == "person" and raw.count(",") == 1:
        last, first = (part.strip() for part in raw.split(","))
        return f"{first} {last}".strip()
    return raw


def _rows(path: Path, width: int) -> list[tuple[int, list[str]]]:
    text = read_text(path)
    reader = csv.reader(io.StringIO(text))
    rows: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            if not row or (len(row) == 1 and not row[0].strip()) or row[0].startswith("\x1a"):
                continue  # blank lines and the DOS end-of-file marker in older files
            if len(row) != width:
                raise ListFormatError(str(path), str(reader.line_num), f"expected {width} columns, found {len(row)}")
            if not row[0].strip().isdigit():
                raise ListFormatError(str(path), str(reader.line_num), f"ent_num is not a number: {row[0]!r}")
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise ListFormatError(str(path), str(reader.line_num), f"bad CSV: {exc}") from None
    return rows


def load_ofac_csv(path: Path) -> ListSnapshot:
    """`path` is sdn.csv(.gz) or the folder holding the quartet."""
    sdn = find_sibling(path, "sdn.csv") if path.is_dir() else path
    if sdn is None:
        raise ListFormatError(str(path), "0", "no sdn.csv or sdn.csv.gz in this folder")
    folder = sdn.parent
    raw = sdn.read_bytes()
    comments: dict[str, str] = {}
    if (comments_path := find_sibling(folder, "sdn_comments.csv")) is not None:
        comments = {r[0].strip(): r[1] for _, r in _rows(comments_path, 2)}
    alt: dict[str, list[Alias]] = defaultdict(list)
    if (alt_path := find_sibling(folder, "alt.csv")) is not None:
        for _, r in _rows(alt_path, 5):
            alias_kind: AliasKind = "weak" if _cell(r[2]).lower() == "nka" else "aka"
            if _cell(r[2]).lower() == "fka":
                alias_kind = "fka"
            if _cell(r[3]):
                alt[r[0].strip()].append(Alias(_cell(r[3]), alias_kind))
    countries: dict[str, set[str]] = defaultdict(set)
    if (add_path := find_sibling(folder, "add.csv")) is not None:
        for _, r in _rows(add_path, 6):
            if _cell(r[4]):
                countries[r[0].strip()].add(_cell(r[4]))
    snapshot = ListSnapshot(LIST_NAME, str(path), version_date(sdn), sha256=file_sha256(raw))
    for _line, r in _rows(sdn, 12):
        snapshot.entries.append(_entry(r, alt, countries, comments))
    if not snapshot.entries:
        raise ListFormatError(str(sdn), "1", "no entries")
    return snapshot


def _entry(
    r: list[str], alt: dict[str, list[Alias]], countries: dict[str, set[str]], comments: dict[str, str]
) -> ListEntry:
    ent_num = r[0].strip()
    kind = _KINDS.get(_cell(r[2]).lower(), "entity")
    remarks = _cell(r[11]) + comments.get(ent_num, "")
    aliases = [Alias(display_name(_cell(r[1]), kind), "primary")]
    seen = {aliases[0].name.lower()}
    for match in _AKA.finditer(remarks):
        found = Alias(display_name(match.group(2), kind), "fka" if match.group(1).lower() == "f" else "aka")
        if found.name.lower() not in seen:
            seen.add(found.name.lower())
            aliases.append(found)
    for alias in alt.get(ent_num, []):
        name = display_name(alias.name, kind)
        if name.lower() not in seen:
            seen.add(name.lower())
            aliases.append(Alias(name, alias.kind))
    dobs = _DOB.findall(remarks)
    found_countries = set(countries.get(ent_num, set()))
    found_countries.update(c.strip() for c in _COUNTRY.findall(remarks))
    return ListEntry(
        id=ent_num,
        list_name=LIST_NAME,
        kind=kind,
        aliases=tuple(aliases),
        programs=tuple(p.strip() for p in _cell(r[3]).split("] [") if p.strip()),
        birth_years=tuple(sorted({int(year) for _, year in dobs})),
        birth_dates=tuple(full for full, _ in dobs),
        countries=tuple(sorted(found_countries)),
        addresses=tuple(addr for _, addr in _CURRENCY.findall(remarks)),
    )
