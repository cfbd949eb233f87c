"""Sanctioned digital-currency addresses: `sanctioned_addresses_<ASSET>.txt` (one a line) or `.json` (an array).

A folder loads every file in it; when both the .txt and .json of an asset are there, the .txt is used.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from warden.screening.errors import ListFormatError
from warden.screening.loaders.common import read_text, strip_gz, version_date
from warden.screening.models import AddressRecord, ListSnapshot, file_sha256

LIST_NAME = "ofac-crypto"
_FILE = re.compile(r"sanctioned_addresses_([A-Z0-9]+)\.(txt|json)$")
_ADDRESS = re.compile(r"^[A-Za-z0-9:._-]{20,128}$")


def is_crypto_file(path: Path) -> bool:
    return bool(_FILE.search(strip_gz(path.name)))


def _files(path: Path) -> list[Path]:
    if not path.is_dir():
        return [path]
    files = sorted(p for p in path.iterdir() if is_crypto_file(p))
    txt_assets = {_FILE.search(strip_gz(p.name)).group(1) for p in files if strip_gz(p.name).endswith(".txt")}  # type: ignore[union-attr]
    return [p for p in files if strip_gz(p.name).endswith(".txt") or _asset(p) not in txt_assets]


def _asset(path: Path) -> str:
    found = _FILE.search(strip_gz(path.name))
    if not found:
        raise ListFormatError(str(path), "0", "file name is not sanctioned_addresses_<ASSET>.txt or .json")
    return found.group(1)


def load_crypto(path: Path) -> ListSnapshot:
    files = _files(path)
    if not files:
        raise ListFormatError(str(path), "0", "no sanctioned_addresses_<ASSET>.txt/.json files here")
    snapshot = ListSnapshot(LIST_NAME, str(path), version_date(files[0]))
    digest = []
    for file in files:
        asset = _asset(file)
        text = read_text(file)
        digest.append(file_sha256(text.encode()))
        for position, address in _addresses(file, text):
            if not _ADDRESS.match(address):
                raise ListFormatError(str(file), position, f"not a crypto address: {address!r}")
            snapshot.addresses.append(AddressRecord(address, asset, LIST_NAME, "sanctioned", "OFAC SDN"))
    snapshot.sha256 = file_sha256("".join(digest).encode())
    return snapshot


def _addresses(file: Path, text: str) -> list[tuple[str, str]]:
    if strip_gz(file.name).endswith(".txt"):
        return [(str(n), line.strip()) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ListFormatError(str(file), f"{exc.lineno}:{exc.colno}", f"bad JSON: {exc.msg}") from None
    if not isinstance(data, list):
        raise ListFormatError(str(file), "$", "expected a JSON array of addresses")
    out: list[tuple[str, str]] = []
    for i, item in enumerate(data):
        if not isinstance(item, str):
            raise ListFormatError(str(file), f"$[{i}]", f"expected a string, found {type(item).__name__}")
        out.append((f"$[{i}]", item.strip()))
    return out
