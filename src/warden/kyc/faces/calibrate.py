"""Face-match error rates from scored pairs: FNMR at a fixed FMR (ISO/IEC 19795-1 terms), with the pair
counts, and whether the counts can support the figure at all."""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def fnmr_at_fmr(genuine: list[float], impostor: list[float], fmr: float = 0.001) -> dict[str, Any]:
    """Scores are similarities (higher = more alike). The threshold is the lowest score that lets through
    at most `fmr` of the impostor pairs; FNMR is the share of genuine pairs below it.

    Measurable needs at least 3 / fmr impostor pairs (the rule of three: with zero false matches in n,
    the 95 % upper bound on FMR is about 3/n) and some genuine pairs."""
    g = np.asarray(genuine, dtype=np.float64)
    i = np.sort(np.asarray(impostor, dtype=np.float64))
    needed = math.ceil(3 / fmr)
    out: dict[str, Any] = {
        "fmr_target": fmr,
        "genuine_pairs": int(g.size),
        "impostor_pairs": int(i.size),
        "impostor_pairs_needed": needed,
        "measurable": bool(i.size >= needed and g.size > 0),
    }
    if i.size == 0 or g.size == 0:
        out.update(threshold=None, fnmr=None, fmr=None)
        return out
    allowed = math.floor(fmr * i.size)  # impostors allowed at or above the threshold
    threshold = float(np.nextafter(i[i.size - allowed - 1], np.inf)) if allowed < i.size else float(i[0])
    out.update(
        threshold=round(threshold, 6),
        fnmr=round(float((g < threshold).mean()), 6),
        fmr=round(float((i >= threshold).mean()), 6),
    )
    return out
