"""Helpers shared by the loaders: reading (optionally gzipped) files and dating a version."""

from __future__ import annotations

import gzip
import re
from datetime import UTC, datetime
from pathlib import Path

from warden.screening.errors import ListFormatError

_DATE_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")
_DATE_YM_IN_NAME = re.compile(r"(\d{4}-\d{2})(?!-\d)")


def read_bytes(path: Path) -> bytes:
    raw = path.read_bytes()
    if path.suffix == ".gz":
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise ListFormatError(str(path), "0", f"not a valid gzip file: {exc}") from None
    return raw


def read_text(path: Path) -> str:
    data = read_bytes(path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # The byte offset is the most precise position we have; turn it into a line number.
        line = data[: exc.start].count(b"\n") + 1
        raise ListFormatError(str(path), str(line), "not UTF-8 text") from None


def version_date(path: Path) -> str:
    """The list date: from a YYYY-MM-DD in the path (how the snapshots are named), else the file's mtime."""
    for part in (path.name, path.parent.name, path.parent.parent.name):
        found = _DATE_IN_NAME.search(part)
        if found:
            return found.group(1)
        found_ym = _DATE_YM_IN_NAME.search(part)
        if found_ym:
            return found_ym.group(1) + "-01"
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC).date().isoformat()


def strip_gz(name: str) -> str:
    return name[:-3] if name.endswith(".gz") else name


def find_sibling(folder: Path, stem: str) -> Path | None:
    for candidate in (folder / stem, folder / f"{stem}.gz"):
        if candidate.exists():
            return candidate
    return None
