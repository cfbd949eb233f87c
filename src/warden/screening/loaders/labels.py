"""Address-intelligence labels (forta-network/labelled-datasets CSVs): phishing, exploit and heist addresses.

The file kind is recognised by its header; a folder loads every CSV below it.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from warden.screening.errors import ListFormatError
from warden.screening.loaders.common import read_text, strip_gz, version_date
from warden.screening.models import AddressRecord, ListSnapshot, file_sha256

LIST_NAME = "address-labels"
_EVM = re.compile(r"^0x[0-9a-fA-F]{40}$")
# header column holding the address -> how the file names its tag and category
_ADDRESS_COLUMNS = ("address", "banned_address", "contract_address")


def is_labels_file(path: Path) -> bool:
    if not strip_gz(path.name).endswith(".csv"):
        return False
    first = read_text(path).split("\n", 1)[0]
    return first.split(",")[0].strip() in _ADDRESS_COLUMNS


def _category(tag: str, label: str, file_name: str, source: str) -> str:
    for kind in ("heist", "exploit", "phish"):  # the list a record came from says the most
        if kind in source.lower():
            return "phishing" if kind == "phish" else kind
    text = f"{tag} {label}".lower()
    if "phish" in text or "phishing" in file_name:
        return "phishing"
    if "heist" in text or "hack" in text:
        return "heist"
    return "exploit"


def load_labels(path: Path) -> ListSnapshot:
    files = sorted(p for p in path.rglob("*.csv*") if is_labels_file(p)) if path.is_dir() else [path]
    if not files:
        raise ListFormatError(str(path), "0", "no address-label CSV files here")
    snapshot = ListSnapshot(LIST_NAME, str(path), version_date(files[0]))
    digests = []
    chain = {"1": "ethereum", "10": "optimism"}
    for file in files:
        text = read_text(file)
        digests.append(file_sha256(text.encode()))
        reader = csv.DictReader(io.StringIO(text))
        column = next((c for c in _ADDRESS_COLUMNS if c in (reader.fieldnames or [])), None)
        if column is None:
            raise ListFormatError(str(file), "1", f"no address column (one of {', '.join(_ADDRESS_COLUMNS)})")
        network = chain.get(file.parent.name, "evm")
        for row in reader:
            address = (row.get(column) or "").strip()
            if not _EVM.match(address):
                raise ListFormatError(str(file), str(reader.line_num), f"not an EVM address: {address!r}")
            tag = (row.get("etherscan_tag") or row.get("wallet_tag") or row.get("contract_tag") or "").strip()
            tag = tag or (row.get("contract_creator_tag") or "").strip()
            label = (row.get("etherscan_labels") or row.get("contract_creator_etherscan_label") or "").strip()
            source = (row.get("data_source") or row.get("source") or "forta labelled-datasets").strip()
            snapshot.addresses.append(
                AddressRecord(address, network, LIST_NAME, _category(tag, label, file.name, source), source, tag)
            )
    snapshot.sha256 = file_sha256("".join(digests).encode())
    return snapshot
