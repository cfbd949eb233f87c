"""The screener both faces share: one per process, built (or read from the on-disk cache) on first use."""

from __future__ import annotations

import threading

from starlette.requests import HTTPConnection

from warden.screening.screener import Screener, open_screener

_lock = threading.Lock()


def screener_for(request: HTTPConnection) -> Screener:
    """The app's screener, made once under a lock (two first requests build it once)."""
    screener: Screener | None = getattr(request.app.state, "screener", None)
    if screener is None:
        with _lock:
            screener = getattr(request.app.state, "screener", None)
            if screener is None:
                screener = request.app.state.screener = open_screener(request.app.state.settings.data_dir)
    return screener
