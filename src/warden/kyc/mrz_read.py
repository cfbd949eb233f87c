"""Find the machine-readable zone among OCR'd lines of a document photo and parse it.

OCR returns lines in any order, with stray characters ('«' for '<<', spaces) and sometimes one filler too
many or too few. Lines that look like an MRZ are grouped by position, their filler runs are fitted to the
ICAO line length, and the zone is parsed with check-digit-decided correction. Only a zone whose check digits
all hold is returned; otherwise the result says why.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from warden.kyc.mrz import MrzError, MrzRecord, parse_mrz
from warden.kyc.mrz_refit import refit_number
from warden.kyc.ocr import TextLine

LENGTHS = (30, 36, 44)
_LOOKALIKES = {"«": "<<", "‹": "<", "〈": "<", "く": "<", "＜": "<", "(": "<", "{": "<", "[": "<"}
_NOT_MRZ = re.compile(r"[^A-Z0-9<]")


@dataclass(frozen=True)
class MrzReading:
    record: MrzRecord | None
    lines: tuple[str, ...]  # the zone as read (after fitting), empty when none was found
    error_code: str | None = None  # mrz_not_found, mrz_format, mrz_check_digit, mrz_date
    error: str | None = None


def normalise(text: str) -> str:
    text = text.upper()
    for a, b in _LOOKALIKES.items():
        text = text.replace(a, b)
    return _NOT_MRZ.sub("", text)


def looks_like_mrz(text: str) -> bool:
    return len(text) >= 26 and (text.count("<") >= 2 or len(text) >= 30)


def fit_length(line: str, target: int) -> str:
    """Pad or trim fillers in the longest run of '<' (OCR miscounts long runs) to reach `target`."""
    if len(line) == target:
        return line
    runs = [(m.end() - m.start(), m.start()) for m in re.finditer(r"<+", line)]
    if not runs:
        return line[:target] if len(line) > target else line + "<" * (target - len(line))
    size, start = max(runs)
    if len(line) < target:
        return line[: start + size] + "<" * (target - len(line)) + line[start + size :]
    cut = min(len(line) - target, size)
    line = line[:start] + line[start + cut :]
    return line[:target]


def _target(n: int) -> int | None:
    best = min(LENGTHS, key=lambda t: abs(t - n))
    return best if abs(best - n) <= 4 else None


def find_mrz(lines: list[TextLine]) -> MrzReading:
    cands = []
    for ln in lines:
        text = normalise(ln.text)
        if looks_like_mrz(text):
            cands.append((ln.box[1], ln, text))
    if not cands:
        return MrzReading(None, (), "mrz_not_found", "no line that looks like a machine-readable zone")
    cands.sort(key=lambda c: c[0])
    last_error: MrzReading | None = None
    # try groups of 3 then 2 consecutive lines (top to bottom), the bottom-most zone last
    for size in (3, 2):
        for group in _groups(cands, size):
            target = _target(round(sum(len(t) for _, _, t in group) / size))
            if target is None or (size == 3) != (target == 30):
                continue
            zone = tuple(fit_length(t, target) for _, _, t in group)
            try:
                record = refit_number(parse_mrz(list(zone), correct=True))
                return MrzReading(record, zone)
            except MrzError as exc:
                if last_error is None or exc.code == "mrz_check_digit":
                    last_error = MrzReading(None, zone, exc.code, str(exc))
    if last_error is not None:
        return last_error
    return MrzReading(None, tuple(t for _, _, t in cands), "mrz_format", "lines that look like an MRZ do not form one")


def _groups(cands: list[tuple[float, TextLine, str]], size: int) -> list[list[tuple[float, TextLine, str]]]:
    out = []
    for start in range(len(cands) - size + 1):
        group = cands[start : start + size]
        heights = [c[1].height for c in group]
        gaps = [b[0] - a[0] for a, b in itertools.pairwise(group)]
        # consecutive lines of one zone sit about one line apart
        if all(0 < g < 3.5 * max(heights) for g in gaps):
            out.append(group)
    return out
