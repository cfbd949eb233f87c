"""One screener per process for callers outside the API (the decision engine's rule functions, KYC, batch jobs).

`current_screener(data_dir)` opens the active lists once (from the on-disk cache when it is fresh) and hands
back the same screener afterwards; `reset()` drops it, e.g. after `warden lists update`.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from warden.screening.matcher import DEFAULT_THRESHOLD, NameQuery
from warden.screening.screener import Screener, open_screener

_lock = threading.Lock()
_current: dict[str, Screener] = {}


def current_screener(data_dir: Path | None = None) -> Screener:
    key = str(data_dir)
    screener = _current.get(key)
    if screener is None:
        with _lock:
            screener = _current.get(key)
            if screener is None:
                screener = _current[key] = open_screener(data_dir)
    return screener


def reset() -> None:
    with _lock:
        _current.clear()


def address_hits(address: str, data_dir: Path | None = None) -> list[dict[str, Any]]:
    """Hits for a deposit or withdrawal address (sanctions and address-intelligence labels)."""
    hits: list[dict[str, Any]] = current_screener(data_dir).screen_address(address)["hits"]
    return hits


def name_hits(
    name: str, birth_year: int | None = None, kind: str | None = "person", data_dir: Path | None = None
) -> list[dict[str, Any]]:
    """Hits at the default threshold for a KYC or counterparty name."""
    result = current_screener(data_dir).screen_name(NameQuery(name, kind, birth_year), DEFAULT_THRESHOLD)
    hits: list[dict[str, Any]] = result["hits"]
    return hits
