"""The OFAC advanced XML (`sdn_advanced.xml`, also the SDN_ENHANCED export), namespace-agnostic.

Each DistinctParty is one entry (id = FixedRef, the same number as the legacy `ent_num`); names come from
Identity/Alias/DocumentedName parts, the kind from PartySubType/PartyType, dates of birth and digital-currency
addresses from Features whose FeatureType names them, programs from the SanctionsEntry measures.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from warden.screening.errors import ListFormatError
from warden.screening.loaders.common import read_bytes, version_date
from warden.screening.models import AddressRecord, Alias, AliasKind, EntryKind, ListEntry, ListSnapshot, file_sha256

LIST_NAME = "ofac-sdn"


def _strip_namespaces(root: ET.Element) -> None:
    for element in root.iter():
        if "}" in element.tag:
            element.tag = element.tag.split("}", 1)[1]


def _values(root: ET.Element, group: str, tag: str) -> dict[str, ET.Element]:
    return {v.get("ID", ""): v for v in root.iterfind(f"ReferenceValueSets/{group}/{tag}")}


def _text(node: ET.Element | None) -> str:
    return " ".join((node.text or "").split()) if node is not None else ""


def load_ofac_advanced(path: Path) -> ListSnapshot:
    data = read_bytes(path)
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        line, column = exc.position
        raise ListFormatError(str(path), f"{line}:{column}", f"bad XML: {str(exc).split(':', 1)[0]}") from None
    _strip_namespaces(root)
    if root.tag != "Sanctions":
        raise ListFormatError(str(path), f"/{root.tag}", "root element is not Sanctions (OFAC advanced XML)")
    issued = root.find("DateOfIssue")
    date = version_date(path)
    if issued is not None and _text(issued.find("Year")):
        date = f"{_text(issued.find('Year'))}-{int(_text(issued.find('Month')) or 1):02d}-{int(_text(issued.find('Day')) or 1):02d}"
    subtypes = _values(root, "PartySubTypeValues", "PartySubType")
    party_types = {k: _text(v) for k, v in _values(root, "PartyTypeValues", "PartyType").items()}
    features = {k: _text(v) for k, v in _values(root, "FeatureTypeValues", "FeatureType").items()}
    alias_types = {k: _text(v) for k, v in _values(root, "AliasTypeValues", "AliasType").items()}
    programs: dict[str, list[str]] = {}
    for entry in root.iterfind("SanctionsEntries/SanctionsEntry"):
        comments = [_text(m.find("Comment")) for m in entry.iterfind("SanctionsMeasure")]
        programs[entry.get("ProfileID", "")] = [c for c in comments if c]
    snapshot = ListSnapshot(LIST_NAME, str(path), date, sha256=file_sha256(data))
    for position, party in enumerate(root.iterfind("DistinctParties/DistinctParty"), start=1):
        where = f"/Sanctions/DistinctParties/DistinctParty[{position}]"
        entry_id, profile = party.get("FixedRef"), party.find("Profile")
        if not entry_id or profile is None:
            raise ListFormatError(str(path), where, "DistinctParty needs a FixedRef and a Profile")
        subtype = subtypes.get(profile.get("PartySubTypeID", ""))
        kind = _kind(_text(subtype), party_types.get(subtype.get("PartyTypeID", "") if subtype is not None else "", ""))
        aliases = _aliases(profile, alias_types)
        if not aliases:
            raise ListFormatError(str(path), f"{where}/Profile/Identity", f"party {entry_id} has no name")
        years: set[int] = set()
        addresses: list[str] = []
        for feature in profile.iterfind("Feature"):
            name = features.get(feature.get("FeatureTypeID", ""), "")
            if name.lower() == "birthdate":
                years.update(int(_text(y)) for y in feature.iter("Year") if _text(y).isdigit())
            elif name.startswith("Digital Currency Address - "):
                asset = name.rsplit(" ", 1)[1]
                for detail in feature.iter("VersionDetail"):
                    if _text(detail):
                        addresses.append(_text(detail))
                        snapshot.addresses.append(
                            AddressRecord(
                                _text(detail),
                                asset,
                                "ofac-crypto",
                                "sanctioned",
                                "OFAC SDN advanced",
                                entry_id=entry_id,
                            )
                        )
        snapshot.entries.append(
            ListEntry(
                entry_id,
                LIST_NAME,
                kind,
                tuple(aliases),
                tuple(programs.get(profile.get("ID", ""), [])),
                tuple(sorted(years)),
                (),
                (),
                tuple(addresses),
            )
        )
    if not snapshot.entries:
        raise ListFormatError(str(path), "/Sanctions/DistinctParties", "no DistinctParty elements")
    return snapshot


def _kind(subtype: str, party_type: str) -> EntryKind:
    if subtype.lower() in {"vessel", "aircraft"}:
        return "vessel" if subtype.lower() == "vessel" else "aircraft"
    return "person" if party_type.lower() == "individual" else "entity"


def _aliases(profile: ET.Element, alias_types: dict[str, str]) -> list[Alias]:
    out: list[Alias] = []
    seen: set[str] = set()
    for identity in profile.iterfind("Identity"):
        for alias in identity.iterfind("Alias"):
            label = alias_types.get(alias.get("AliasTypeID", ""), "").lower()
            kind: AliasKind = "primary" if alias.get("Primary") == "true" else ("fka" if "f.k.a" in label else "aka")
            if alias.get("LowQuality") == "true":
                kind = "weak"
            for documented in alias.iterfind("DocumentedName"):
                name = " ".join(_text(v) for v in documented.iter("NamePartValue") if _text(v))
                if name and name.lower() not in seen:
                    seen.add(name.lower())
                    out.append(Alias(name, kind))
    out.sort(key=lambda a: a.kind != "primary")  # the primary name first: it is the entry's display name
    return out
