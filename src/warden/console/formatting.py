"""How numbers read on console pages."""

from __future__ import annotations

from typing import Any


def readable_number(value: Any) -> Any:
    """Floats to four significant digits (425.04136574074073 -> 425); anything else as it is."""
    return f"{value:.4g}" if isinstance(value, float) else value
