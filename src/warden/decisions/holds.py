"""A hold follows the customer: while a held withdrawal waits for review, the customer's next withdrawals wait
with it. An account taken over or a victim being coached sends several withdrawals in a row; catching the
first and letting the rest go defeats the hold.

The window is the review time of a held withdrawal's case (the medium case SLA, three days): after it the
reviewer has decided, and their decision, not this memory, governs. So the window runs from a hold decided
on its own (by the rules or the model); a withdrawal held only because it followed one joins that wait and does
not extend it. Renewing it would hold a merchant who withdraws every day for good after a single hold (on
one exchange, two customers' 74 later withdrawals: 0.2 % of normal withdrawals held became 1.3 %). State is
per engine (per process).
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from warden.rules.outcome import Outcome

HOLD_FOLLOWS_FOR = timedelta(days=3)
_WINDOW_US = int(HOLD_FOLLOWS_FOR.total_seconds() * 1_000_000)


class HoldMemory:
    """The last time each customer had a withdrawal held or stronger."""

    def __init__(self, window_us: int = _WINDOW_US) -> None:
        self.window_us = window_us
        self._last: dict[str, int] = {}

    def held_since(self, customer: str, ts: int) -> int | None:
        """When the customer's open hold began, if one is within the window before `ts`."""
        last = self._last.get(customer)
        return last if last is not None and 0 <= ts - last <= self.window_us else None

    def remember(self, customer: str, ts: int) -> None:
        self._last[customer] = ts

    def forget(self, customer: str) -> None:
        """The customer's hold was lifted (a step-up verification passed): their next withdrawals are decided
        on their own again."""
        self._last.pop(customer, None)


def follow_holds(customers: np.ndarray, ts: np.ndarray, is_withdrawal: np.ndarray, outcome: np.ndarray) -> np.ndarray:
    """The engine's rule over a whole history at once: a withdrawal within the window after one of the same
    customer's withdrawals was held on its own (`outcome`, before following) is held too."""
    out = outcome.copy()
    hold = int(Outcome.HOLD)
    rows = np.flatnonzero(is_withdrawal)
    if rows.size == 0:
        return out
    order = rows[np.lexsort((ts[rows], customers[rows]))]
    last_customer, last_hold = None, None
    for i in order.tolist():
        customer = customers[i]
        if customer != last_customer:
            last_customer, last_hold = customer, None
        if outcome[i] >= hold:
            last_hold = ts[i]
        elif last_hold is not None and ts[i] - last_hold <= _WINDOW_US:
            out[i] = hold
    return out
