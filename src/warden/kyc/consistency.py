"""Consistency of a document with itself and with what the customer declared: the machine-readable zone
against the declared data and against the visual zone (where OCR could read it), expiry, and the document
number's format for its issuing state. Each finding is its own reason code."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from anyascii import anyascii
from rapidfuzz import fuzz

from warden.kyc.formats import number_format
from warden.kyc.mrz import MrzRecord
from warden.kyc.mrz_compose import mrz_text

NAME_SIMILARITY = 85.0  # rapidfuzz ratio; below it two names are different names, not a typo
_FOLD = str.maketrans({"O": "0", "I": "1", "S": "5", "B": "8", "Z": "2", "Q": "0", "D": "0"})
_DATE = re.compile(r"(\d{2})[.\s/-]?(\d{2})[.\s/-]?(\d{4})")


@dataclass(frozen=True)
class Declared:
    surname: str
    given_names: str = ""
    birth_date: dt.date | None = None
    document_number: str | None = None
    nationality: str | None = None


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str  # "reject" (clear evidence) or "review"
    detail: str
    fields: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "severity": self.severity, "detail": self.detail, "fields": list(self.fields)}


def name_key(value: str) -> str:
    return " ".join(mrz_text(anyascii(value)).replace("<", " ").split())


def fold(value: str) -> str:
    """Characters OCR confuses mapped to one, for comparing numbers read from images."""
    return mrz_text(value).replace("<", "").translate(_FOLD)


def _same_name(a: str, b: str) -> bool:
    a, b = name_key(a), name_key(b)
    return a == b or fuzz.ratio(a, b) >= NAME_SIMILARITY


def against_declared(rec: MrzRecord, declared: Declared) -> list[Finding]:
    bad = []
    if not _same_name(rec.surname, declared.surname):
        bad.append("surname")
    if declared.given_names and not _same_name(rec.given_names, declared.given_names):
        bad.append("given_names")
    if declared.birth_date is not None and rec.birth_date != declared.birth_date:
        bad.append("birth_date")
    if declared.document_number and fold(declared.document_number) != fold(rec.document_number):
        bad.append("document_number")
    if declared.nationality and mrz_text(declared.nationality) != rec.nationality:
        bad.append("nationality")
    if not bad:
        return []
    return [
        Finding("mrz_declared_mismatch", "reject", f"document zone differs from declared {', '.join(bad)}", tuple(bad))
    ]


def against_viz(rec: MrzRecord, viz_lines: list[str]) -> list[Finding]:
    """Compare the zone with the visual zone's text. Fewer than four lines read: not readable, no finding."""
    if len(viz_lines) < 4:
        return []
    dates = set()
    for line in viz_lines:
        for m in _DATE.finditer(line.translate(_FOLD)):
            try:
                dates.add(dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1))))
            except ValueError:
                continue
    bad = []
    if len(dates) >= 2 and rec.birth_date not in dates:
        bad.append("birth_date")
    if rec.expiry_date is not None and len(dates) >= 2 and rec.expiry_date not in dates:
        bad.append("expiry_date")
    words = [name_key(line) for line in viz_lines]
    if rec.surname and not any(_same_name(rec.surname, w) for w in words if w):
        bad.append("surname")
    number = fold(rec.document_number)
    if number and not any(number in fold(line) for line in viz_lines):
        bad.append("document_number")
    if not bad:
        return []
    return [
        Finding(
            "viz_mrz_mismatch", "reject", f"visual zone differs from the document zone in {', '.join(bad)}", tuple(bad)
        )
    ]


def expiry(rec: MrzRecord, today: dt.date) -> list[Finding]:
    if rec.expiry_date is not None and rec.expiry_date < today:
        return [Finding("document_expired", "reject", f"expired on {rec.expiry_date.isoformat()}", ("expiry_date",))]
    return []


def number_format_finding(rec: MrzRecord) -> list[Finding]:
    fmt = number_format(rec.issuing_state, rec.document_code)
    if fmt is None or fmt.matches(rec.document_number):
        return []
    return [
        Finding(
            "doc_number_format",
            "review",
            f"document number {rec.document_number!r} does not follow the {rec.issuing_state} {fmt.note} format",
            ("document_number",),
        )
    ]
