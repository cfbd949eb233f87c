"""The embedded default: the dated list snapshot shipped inside the package, loaded with no setup."""

from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"

# list name -> shipped path (the newest snapshot of each; the 2021 OFAC quartet is kept for its alt.csv tests)
DEFAULT_LISTS: dict[str, Path] = {
    "ofac-sdn": DATA_DIR / "ofac-2024-05-03",
    "un-consolidated": DATA_DIR / "un-2026-02-27" / "UN_consolidated.xml.gz",
    "ofac-crypto": DATA_DIR / "crypto-addresses-2024-09-27",
    "address-labels": DATA_DIR / "address-labels",
}
# The forta folder carries no date in its name; its README dates the data to January 2023.
VERSION_DATES: dict[str, str] = {"address-labels": "2023-01-01"}
