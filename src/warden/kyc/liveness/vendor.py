"""The slot for a certified presentation-attack-detection vendor (ISO/IEC 30107-3 tested, e.g. iBeta
level 1 or 2). Off by default: Warden ships no certified PAD, and its own passive signals are heuristics.

An adapter receives the capture as the page sent it and returns the vendor's verdict with its evidence;
the verifier adds it to the result (a vendor failure fails liveness; a vendor error is a reason, not a pass).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class VendorVerdict:
    passed: bool
    score: float  # the vendor's bona fide score, higher = more likely live
    reasons: tuple[str, ...] = ()
    vendor: str = ""
    certification: str = ""  # e.g. "ISO/IEC 30107-3, iBeta level 2, letter 2025-..."
    extra: dict[str, float] = field(default_factory=dict)


class PADVendor(Protocol):
    name: str

    def assess(self, capture: dict[str, object]) -> VendorVerdict: ...
