"""The bounds an event's values must keep, checked at the boundary (API and ingest) before anything else runs.

The contract says what a value looks like; these say how large or how far off it may be, so that a crafted
value cannot overflow the engine's sums, a store's columns or the memory of `format(Decimal)`:

- amounts are decimal strings, checked for length and shape before any `Decimal` is built, with at most
  `MAX_SCALE` digits after the point and no more than `WARDEN_MAX_AMOUNT`;
- times lie between `WARDEN_EVENT_MAX_AGE_DAYS` before now and `WARDEN_EVENT_MAX_FUTURE_S` after it;
- identifiers carry no control, bidirectional-override or zero-width characters (they are shown to analysts).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from warden.settings import SettingsError, get_settings

# Digits after the point: 18 covers the smallest unit of every common chain (wei); the stores keep 18 exactly.
MAX_SCALE = 18
# Longer than any amount that passes the bounds below; refused before the text is even matched.
MAX_AMOUNT_CHARS = 48
# Whole digits the stores keep (Numeric(38, 18)): a WARDEN_MAX_AMOUNT above this would overflow them.
MAX_WHOLE_DIGITS = 38 - MAX_SCALE

DEFAULT_MAX_AMOUNT = Decimal("1000000000000000000")  # 1e18: above any asset's total supply in its unit
DEFAULT_MAX_AGE_DAYS = 7305  # 20 years of history
DEFAULT_MAX_FUTURE_S = 86_400  # clocks a day ahead; nothing from next year

# ASCII digits only: `\d` in Python also matches other scripts' digits, which `Decimal` would accept.
UNSIGNED_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?")

# Characters an identifier must not carry: C0/C1 controls (NUL included), DEL, zero-width characters, the
# bidirectional marks, embeddings, overrides and isolates, the word joiner family and the byte-order mark.
# Written with \xHH and \uHHHH only, which Python, Rust (pydantic) and ECMA (JSON Schema) regexes all read.
UNSAFE_CHARS = r"\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
SAFE_TEXT_PATTERN = rf"^[^{UNSAFE_CHARS}]*$"
UNSAFE_CHAR = re.compile(f"[{UNSAFE_CHARS}]")


@dataclass(frozen=True, slots=True)
class InputBounds:
    max_amount: Decimal = DEFAULT_MAX_AMOUNT
    max_age: timedelta = timedelta(days=DEFAULT_MAX_AGE_DAYS)
    max_future: timedelta = timedelta(seconds=DEFAULT_MAX_FUTURE_S)


_bounds: InputBounds | None = None


def input_bounds() -> InputBounds:
    """The bounds in force: those configured by `configure_bounds`, else read once from the settings."""
    global _bounds
    if _bounds is None:
        try:
            settings = get_settings()
        except SettingsError:
            return InputBounds()  # the command that reads settings reports the error itself
        _bounds = bounds_from(settings.max_amount, settings.event_max_age_days, settings.event_max_future_s)
    return _bounds


def bounds_from(max_amount: Decimal, max_age_days: int, max_future_s: int) -> InputBounds:
    return InputBounds(max_amount, timedelta(days=max_age_days), timedelta(seconds=max_future_s))


def configure_bounds(bounds: InputBounds | None) -> None:
    """Set the bounds for this process (the server and the CLI do, from their settings); None: read again."""
    global _bounds
    _bounds = bounds
