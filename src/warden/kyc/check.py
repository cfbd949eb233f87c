"""The document check: the uploaded pages of one document -> outcome, reasons, evidence and versions.

Reads the machine-readable zone from whichever page carries it, the visual zone from the front, runs the
tamper signals on every page and the consistency checks. Outcome: `reject` on clear evidence (a zone that
contradicts the declared data or the visual zone, an expired document), `review` on anything heuristic or
unread (a tamper signal, a zone not found or whose check digits fail: never accepted), `approve` otherwise.
"""

from __future__ import annotations

import datetime as dt
import io
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from PIL import Image

from warden.kyc import consistency, tamper
from warden.kyc.consistency import Declared, Finding
from warden.kyc.mrz_read import MrzReading, find_mrz, normalise
from warden.kyc.ocr import TextLine, reader

CHECK_VERSION = "kyc-doc-1"
MRZ_ERRORS = {
    "mrz_not_found": "no machine-readable zone could be read",
    "mrz_format": "the machine-readable zone is malformed",
    "mrz_check_digit": "a check digit of the machine-readable zone does not hold",
    "mrz_date": "a date in the machine-readable zone is not a date",
}


@dataclass
class DocumentResult:
    outcome: str  # approve, review, reject
    findings: list[Finding]
    mrz: dict[str, object] | None
    signals: dict[str, list[dict[str, object]]]  # page -> tamper signals
    viz_lines: list[str]
    versions: dict[str, str]
    timings_ms: dict[str, float] = field(default_factory=dict)

    @property
    def reasons(self) -> list[str]:
        return sorted({f.code for f in self.findings})

    def as_dict(self) -> dict[str, object]:
        return {
            "outcome": self.outcome,
            "reasons": self.reasons,
            "findings": [f.as_dict() for f in self.findings],
            "mrz": self.mrz,
            "signals": self.signals,
            "viz_lines": self.viz_lines,
            "versions": self.versions,
            "timings_ms": self.timings_ms,
        }


def _open(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


def check_document(
    pages: dict[str, bytes],
    declared: Declared,
    *,
    today: dt.date | None = None,
    ocr: str = "rapidocr",
    read_viz: bool = True,
    thresholds: Mapping[str, float] | None = None,
) -> DocumentResult:
    """Check one document's pages ('front', optionally 'back'); `thresholds`: the tamper signals' thresholds of a
    refitted decision configuration (kyc/refit.py), the shipped ones otherwise."""
    today = today or dt.date.today()
    engine = reader(ocr)
    findings: list[Finding] = []
    signals: dict[str, list[dict[str, object]]] = {}
    timings: dict[str, float] = {}
    reading: MrzReading | None = None
    viz: list[str] = []
    for name in sorted(pages, key=lambda n: n != "back"):  # the back first: TD1 cards carry the zone there
        t0 = time.perf_counter()
        img, sigs = tamper.tamper_signals(pages[name], thresholds=thresholds)
        t1 = time.perf_counter()
        lines = engine.read(img, mrz_only=not (read_viz and name == "front"))
        t2 = time.perf_counter()
        timings[f"{name}_tamper"] = round((t1 - t0) * 1000, 1)
        timings[f"{name}_ocr"] = round((t2 - t1) * 1000, 1)
        signals[name] = [s.as_dict() for s in sigs]
        for s in sigs:
            if s.fired:
                findings.append(Finding(s.code, "review", f"{name}: {s.detail}"))
        found = find_mrz(lines)
        if (
            (found.record is not None and (reading is None or reading.record is None))
            or reading is None
            or (reading.record is None and found.error_code != "mrz_not_found")
        ):
            reading = found
        if name == "front":
            mrz_like = set(found.lines)
            viz = [ln.text for ln in lines if normalise(ln.text) not in mrz_like and not _mrz_shaped(ln)]
    assert reading is not None
    rec = reading.record
    if rec is None:
        code = reading.error_code or "mrz_not_found"
        findings.append(Finding(code, "review", f"{MRZ_ERRORS.get(code, code)}: {reading.error or ''}".rstrip(": ")))
    else:
        findings += consistency.against_declared(rec, declared)
        findings += consistency.against_viz(rec, viz)
        findings += consistency.expiry(rec, today)
        findings += consistency.number_format_finding(rec)
    outcome = "approve"
    if any(f.severity == "review" for f in findings):
        outcome = "review"
    if any(f.severity == "reject" for f in findings):
        outcome = "reject"
    return DocumentResult(
        outcome=outcome,
        findings=findings,
        mrz=rec.as_dict() if rec else ({"lines": list(reading.lines)} if reading.lines else None),
        signals=signals,
        viz_lines=viz,
        versions={"check": CHECK_VERSION, "tamper": tamper.TAMPER_VERSION, "ocr": engine.version},
        timings_ms=timings,
    )


def _mrz_shaped(line: TextLine) -> bool:
    return len(normalise(line.text)) >= 26 and "<" in line.text
