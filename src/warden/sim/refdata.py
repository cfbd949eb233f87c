"""Real public addresses the scenarios use: OFAC-sanctioned addresses and hack-linked (heist/exploit) addresses,
read from the data Warden ships under `warden/screening/data` (sources and licences in its README)."""

from __future__ import annotations

import csv
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

_DATA = Path(str(files("warden.screening"))) / "data"
SANCTIONED_DIR = _DATA / "crypto-addresses-2024-09-27"
HACK_LABELS = _DATA / "address-labels" / "forta" / "labels" / "1" / "etherscan_malicious_labels.csv"

# OFAC asset code -> (ticker, network) for the assets the simulated exchange lists.
_OFAC_ASSETS = {"XBT": ("BTC", "bitcoin"), "ETH": ("ETH", "ethereum"), "TRX": ("TRX", "tron"),
                "XRP": ("XRP", "ripple"), "LTC": ("LTC", "litecoin"), "BSC": ("BNB", "bsc"),
                "USDC": ("USDC", "ethereum")}  # fmt: skip


@lru_cache(maxsize=1)
def sanctioned_addresses() -> tuple[tuple[str, str, str], ...]:
    """(address, ticker, network) for each sanctioned address on a listed asset; USDT by address format."""
    rows: list[tuple[str, str, str]] = []
    for path in sorted(SANCTIONED_DIR.glob("sanctioned_addresses_*.txt")):
        code = path.stem.rsplit("_", 1)[1]
        for line in path.read_text(encoding="utf-8").split():
            address = line.strip()
            if code == "USDT":
                network = "ethereum" if address.startswith("0x") else "tron" if address.startswith("T") else ""
                if network:
                    rows.append((address, "USDT", network))
            elif code in _OFAC_ASSETS and _fits(address, _OFAC_ASSETS[code][1]):
                rows.append((address, *_OFAC_ASSETS[code]))
    return tuple(rows)


def _fits(address: str, network: str) -> bool:
    if network in ("ethereum", "bsc"):
        return address.startswith("0x") and len(address) == 42
    if network == "tron":
        return address.startswith("T")
    if network == "bitcoin":  # the OFAC XBT list also holds a Tron address filed under the wrong asset
        return address.startswith(("1", "3", "bc1"))
    return True


@lru_cache(maxsize=1)
def hack_addresses() -> tuple[tuple[str, str, str], ...]:
    """(address, wallet tag, "heist"/"exploit") from the Etherscan heist and exploit lists."""
    rows = []
    with open(HACK_LABELS, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            source = row.get("data_source") or ""
            if source in ("etherscan-heist-list", "etherscan-exploit-list"):
                rows.append((row["banned_address"], row["wallet_tag"], source.split("-")[1]))
    return tuple(rows)
