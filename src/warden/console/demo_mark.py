"""Whether the console serves the demo's store: the header links the demo's own page only then."""

from __future__ import annotations

import time

from fastapi import Request

from warden.events.labels import has_simulator_labels

DEMO_CHECK_SECONDS = 60.0


def demo_running(request: Request) -> bool:
    """Whether this store holds the simulator's labels; asked at most once a minute per app."""
    state = request.app.state
    mark: tuple[bool, float] | None = getattr(state, "demo_mark", None)
    now = time.monotonic()
    if mark is None or now - mark[1] > DEMO_CHECK_SECONDS:
        with state.store.engine.connect() as conn:
            mark = (has_simulator_labels(conn), now)
        state.demo_mark = mark
    return mark[0]
