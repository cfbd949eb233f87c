"""Pick the loader for a file or folder by its name and first bytes."""

from __future__ import annotations

from pathlib import Path

from warden.screening.errors import ListFormatError
from warden.screening.loaders.common import find_sibling, read_bytes, read_text, strip_gz
from warden.screening.loaders.crypto import is_crypto_file, load_crypto
from warden.screening.loaders.ftm import load_ftm
from warden.screening.loaders.internal import load_internal
from warden.screening.loaders.labels import is_labels_file, load_labels
from warden.screening.loaders.ofac_advanced import load_ofac_advanced
from warden.screening.loaders.ofac_csv import load_ofac_csv
from warden.screening.loaders.un_xml import load_un_xml
from warden.screening.models import ListSnapshot


def load_path(path: Path) -> ListSnapshot:
    """Load one list version; raises ListFormatError (with file and position) when it is malformed."""
    if not path.exists():
        raise ListFormatError(str(path), "0", "no such file or folder")
    if path.is_dir():
        if find_sibling(path, "sdn.csv") is not None:
            return load_ofac_csv(path)
        if any(is_crypto_file(p) for p in path.iterdir()):
            return load_crypto(path)
        if any(is_labels_file(p) for p in path.rglob("*.csv*")):
            return load_labels(path)
        raise ListFormatError(str(path), "0", "no known list files in this folder")
    name = strip_gz(path.name).lower()
    if name.endswith(".xml"):
        head = read_bytes(path)[:4096]
        return load_ofac_advanced(path) if b"<Sanctions" in head or b":Sanctions" in head else load_un_xml(path)
    if is_crypto_file(path):
        return load_crypto(path)
    if name.endswith((".json", ".jsonl", ".ftm.json")):
        return load_ftm(path)
    if name.endswith(".csv"):
        if name in {"sdn.csv", "sdn_advanced.csv"} or read_text(path)[:12].split(",")[0].strip().isdigit():
            return load_ofac_csv(path)
        if is_labels_file(path):
            return load_labels(path)
        return load_internal(path)
    raise ListFormatError(str(path), "0", "unknown list format (expected .csv, .xml, .json, .jsonl, maybe .gz)")
