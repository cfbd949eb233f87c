"""ICAO 9303 machine-readable zones: TD1, TD2, TD3, MRV-A and MRV-B.

Written in the project (the PyPI `mrz` package is GPL). A zone is parsed into an `MrzRecord` only when every
check digit (and the composite, where the format has one) holds; a wrong check digit is never accepted.

OCR confuses 0/O, 1/I, 5/S, 8/B and 2/Z. `parse_mrz(..., correct=True)` tries those swaps inside a field
that a check digit covers and keeps a swap only when exactly one minimal set of swaps makes that check digit
(and then the composite) hold: the check digit decides, never a guess. Fields without a check digit (names,
states, sex) are left as read.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from enum import StrEnum

FILLER = "<"
ALLOWED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<")
WEIGHTS = (7, 3, 1)

# OCR confusions, both ways: the swap is tried only where a check digit can decide it.
CONFUSIONS: dict[str, str] = {
    "0": "O",
    "O": "0",
    "1": "I",
    "I": "1",
    "5": "S",
    "S": "5",
    "8": "B",
    "B": "8",
    "2": "Z",
    "Z": "2",
}
# the most positions of one field tried at once (2**n candidates): bounds the work on garbage input
MAX_SWAP_POSITIONS = 10


class MrzFormat(StrEnum):
    TD1 = "TD1"  # ID card: 3 lines x 30
    TD2 = "TD2"  # ID card: 2 lines x 36
    TD3 = "TD3"  # passport: 2 lines x 44
    MRVA = "MRV-A"  # visa, full size: 2 lines x 44
    MRVB = "MRV-B"  # visa, small: 2 lines x 36


SHAPES: dict[tuple[int, int], tuple[MrzFormat, ...]] = {
    (3, 30): (MrzFormat.TD1,),
    (2, 36): (MrzFormat.TD2, MrzFormat.MRVB),
    (2, 44): (MrzFormat.TD3, MrzFormat.MRVA),
}


class MrzError(ValueError):
    """A zone that cannot be accepted. `code` is stable for callers; `line`/`column` are 1-based positions."""

    code = "mrz_invalid"

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None, field: str | None = None):
        where = f"line {line}" + (f", column {column}" if column is not None else "") if line is not None else ""
        super().__init__(f"{where}: {message}" if where else message)
        self.line = line
        self.column = column
        self.field = field


class MrzFormatError(MrzError):
    """Wrong number of lines, wrong line length or a character outside A-Z 0-9 <."""

    code = "mrz_format"


class MrzCheckDigitError(MrzError):
    """A check digit (or the composite) does not match its field."""

    code = "mrz_check_digit"

    def __init__(self, field: str, expected: str, found: str, *, line: int, column: int):
        super().__init__(
            f"check digit of {field} is {found!r}, the field gives {expected!r}", line=line, column=column, field=field
        )
        self.expected = expected
        self.found = found


class MrzDateError(MrzError):
    """A date field that is not a calendar date."""

    code = "mrz_date"


def char_value(c: str) -> int:
    if "0" <= c <= "9":
        return ord(c) - 48
    if "A" <= c <= "Z":
        return ord(c) - 55
    if c == FILLER:
        return 0
    raise MrzFormatError(f"character {c!r} is not allowed in an MRZ")


def check_digit(data: str) -> str:
    """The ICAO 9303 check digit of `data`: weights 7-3-1, A-Z = 10..35, '<' = 0, sum mod 10."""
    return str(sum(char_value(c) * WEIGHTS[i % 3] for i, c in enumerate(data)) % 10)


def digit_matches(data: str, digit: str) -> bool:
    # an all-filler optional field may carry '<' instead of '0' as its check digit (ICAO 9303-4 4.2.2.2)
    if digit == FILLER:
        return set(data) <= {FILLER}
    return digit.isdigit() and check_digit(data) == digit


@dataclass(frozen=True)
class Correction:
    field: str
    line: int
    column: int  # 1-based
    read: str
    corrected: str


@dataclass(frozen=True)
class MrzRecord:
    format: MrzFormat
    document_code: str
    issuing_state: str
    surname: str
    given_names: str
    document_number: str
    nationality: str
    birth_date: dt.date
    sex: str  # M, F or X ('<' read as X: unspecified)
    expiry_date: dt.date | None
    optional_data: str
    optional_data_2: str
    lines: tuple[str, ...]
    corrections: tuple[Correction, ...] = field(default=())

    def as_dict(self) -> dict[str, object]:
        return {
            "format": self.format.value,
            "document_code": self.document_code,
            "issuing_state": self.issuing_state,
            "surname": self.surname,
            "given_names": self.given_names,
            "document_number": self.document_number,
            "nationality": self.nationality,
            "birth_date": self.birth_date.isoformat(),
            "sex": self.sex,
            "expiry_date": self.expiry_date.isoformat() if self.expiry_date else None,
            "optional_data": self.optional_data,
            "optional_data_2": self.optional_data_2,
            "lines": list(self.lines),
            "corrections": [c.__dict__ for c in self.corrections],
        }


@dataclass(frozen=True)
class _Span:
    """A field with a check digit: `line` index (0-based), data [start:end), digit at `digit_at`."""

    name: str
    line: int
    start: int
    end: int
    digit_at: int
    numeric: bool  # dates: only digits are valid, so a letter there must be a confusion


def split_lines(text: str | list[str] | tuple[str, ...]) -> list[str]:
    """Lines of an MRZ from text or a list: blank lines dropped, spaces removed, upper-cased."""
    raw = text.splitlines() if isinstance(text, str) else list(text)
    return [ln.replace(" ", "").strip().upper() for ln in raw if ln.strip()]


def detect_format(lines: list[str]) -> MrzFormat:
    shape = (len(lines), len(lines[0]) if lines else 0)
    formats = SHAPES.get(shape)
    if formats is None:
        raise MrzFormatError(
            f"{len(lines)} line(s) of {shape[1]} characters: an MRZ has 3x30 (TD1), 2x36 (TD2, MRV-B) or 2x44 (TD3, MRV-A)"
        )
    for i, ln in enumerate(lines):
        if len(ln) != shape[1]:
            raise MrzFormatError(f"{len(ln)} characters, expected {shape[1]}", line=i + 1)
    if len(formats) == 1:
        return formats[0]
    visa = lines[0][0] == "V"
    return formats[1] if visa else formats[0]


def _check_charset(lines: list[str]) -> None:
    for i, ln in enumerate(lines):
        for j, c in enumerate(ln):
            if c not in ALLOWED:
                raise MrzFormatError(f"character {c!r} is not allowed in an MRZ", line=i + 1, column=j + 1)


def _spans(fmt: MrzFormat, lines: list[str]) -> tuple[list[_Span], list[tuple[int, int, int]] | None, tuple[int, int]]:
    """Check-digit fields, the composite's (line, start, end) pieces and its digit position, per format."""
    if fmt is MrzFormat.TD1:
        doc_end, doc_digit = 14, 14
        if lines[0][14] == FILLER and lines[0][15] != FILLER:
            # long document number: it overflows into the optional field; its check digit ends the overflow
            overflow = lines[0][15:30].rstrip(FILLER)
            doc_end, doc_digit = 15 + len(overflow) - 1, 15 + len(overflow) - 1
        spans = [
            _Span("document_number", 0, 5, doc_end, doc_digit, False),
            _Span("birth_date", 1, 0, 6, 6, True),
            _Span("expiry_date", 1, 8, 14, 14, True),
        ]
        return spans, [(0, 5, 30), (1, 0, 7), (1, 8, 15), (1, 18, 29)], (1, 29)
    spans = [
        _Span("document_number", 1, 0, 9, 9, False),
        _Span("birth_date", 1, 13, 19, 19, True),
        _Span("expiry_date", 1, 21, 27, 27, True),
    ]
    if fmt is MrzFormat.TD3:
        spans.append(_Span("personal_number", 1, 28, 42, 42, False))
        return spans, [(1, 0, 10), (1, 13, 20), (1, 21, 43)], (1, 43)
    if fmt is MrzFormat.TD2:
        return spans, [(1, 0, 10), (1, 13, 20), (1, 21, 35)], (1, 35)
    return spans, None, (0, 0)  # visas carry no composite


def _candidates(
    text: str, numeric: bool, digit_pos: int | None, optional_swaps: bool = True
) -> list[tuple[str, tuple[int, ...]]]:
    """Every variant of `text` from confusion swaps, fewest swaps first, with the swapped positions."""
    forced = []  # a letter in a numeric field has one reading only
    optional = []
    chars = list(text)
    for i, c in enumerate(text):
        only_digit = numeric or i == digit_pos
        if only_digit and c.isalpha():
            if c in CONFUSIONS:
                forced.append(i)
        elif c in CONFUSIONS and not (only_digit and CONFUSIONS[c].isalpha()):
            optional.append(i)
    if not optional_swaps:
        optional = []
    if len(optional) > MAX_SWAP_POSITIONS:
        optional = optional[:MAX_SWAP_POSITIONS]
    base = chars[:]
    for i in forced:
        base[i] = CONFUSIONS[text[i]]
    out = []
    for k in range(len(optional) + 1):
        for combo in itertools.combinations(optional, k):
            cand = base[:]
            for i in combo:
                cand[i] = CONFUSIONS[text[i]]
            out.append(("".join(cand), tuple(sorted((*forced, *combo)))))
    return out


def _span_options(line: str, span: _Span, optional_swaps: bool) -> list[str]:
    """The readings of a span (data + digit) with the fewest swaps that make its check digit hold.

    A swap of a character that is valid where it stands (a 0 that may be an O) changes the field's meaning, so
    it is tried only when a composite digit will decide between the options; a letter in a digits-only place
    has one reading only."""
    text = line[span.start : span.end] + line[span.digit_at]
    digit_pos = len(text) - 1
    best: list[tuple[str, tuple[int, ...]]] = []
    for cand, swapped in _candidates(text, span.numeric, digit_pos, optional_swaps):
        if best and len(swapped) > len(best[0][1]):
            break
        if all(c in ALLOWED for c in cand) and digit_matches(cand[:-1], cand[-1]):
            best.append((cand, swapped))
    return [cand for cand, _ in best]


def _date(value: str, *, line: int, column: int, field: str, expiry: bool, today: dt.date) -> dt.date:
    if not value.isdigit():
        raise MrzDateError(f"{field} {value!r} is not YYMMDD", line=line, column=column, field=field)
    yy, mm, dd = int(value[:2]), int(value[2:4]), int(value[4:6])
    century = 2000
    if expiry:
        # expiry is at most a few decades away; anything far beyond that is last century
        if 2000 + yy > today.year + 50:
            century = 1900
    elif 2000 + yy > today.year:
        century = 1900  # a birth date lies in the past
    try:
        return dt.date(century + yy, mm, dd)
    except ValueError as exc:
        raise MrzDateError(f"{field} {value!r} is not a calendar date", line=line, column=column, field=field) from exc


def _name(field_text: str) -> tuple[str, str]:
    primary, _, secondary = field_text.partition("<<")
    return primary.replace(FILLER, " ").strip(), secondary.replace(FILLER, " ").strip()


def parse_mrz(
    text: str | list[str] | tuple[str, ...], *, correct: bool = False, today: dt.date | None = None
) -> MrzRecord:
    """Parse and validate a machine-readable zone; raises an `MrzError` subclass on anything wrong."""
    today = today or dt.date.today()
    lines = split_lines(text)
    fmt = detect_format(lines)
    if correct:
        lines = _correct(fmt, lines)
        lines = _letters_only(fmt, lines)
    _check_charset(lines)
    for name, ln, a, b in _alpha_spans(fmt):
        for j, c in enumerate(lines[ln][a:b]):
            if c.isdigit():
                raise MrzFormatError(f"digit {c!r} in {name}, which is letters only", line=ln + 1, column=a + j + 1)
    corrections: list[Correction] = []
    if correct:
        corrections = _diff(fmt, split_lines(text), lines)
    spans, composite, composite_at = _spans(fmt, lines)
    for span in spans:
        data, digit = lines[span.line][span.start : span.end], lines[span.line][span.digit_at]
        if not digit_matches(data, digit):
            raise MrzCheckDigitError(span.name, check_digit(data), digit, line=span.line + 1, column=span.digit_at + 1)
    if composite is not None:
        data = "".join(lines[ln][a:b] for ln, a, b in composite)
        digit = lines[composite_at[0]][composite_at[1]]
        if not digit_matches(data, digit) or digit == FILLER:
            raise MrzCheckDigitError(
                "composite", check_digit(data), digit, line=composite_at[0] + 1, column=composite_at[1] + 1
            )
    return _record(fmt, lines, spans, corrections, today)


def _apply(lines: list[str], span: _Span, reading: str) -> list[str]:
    out = lines[:]
    ln = list(out[span.line])
    ln[span.start : span.end] = reading[:-1]
    ln[span.digit_at] = reading[-1]
    out[span.line] = "".join(ln)
    return out


def _composite_holds(lines: list[str], composite: list[tuple[int, int, int]], at: tuple[int, int]) -> bool:
    data = "".join(lines[ln][a:b] for ln, a, b in composite)
    digit = lines[at[0]][at[1]]
    if digit in CONFUSIONS and digit.isalpha():
        digit = CONFUSIONS[digit]
    return all(c in ALLOWED for c in data) and digit.isdigit() and check_digit(data) == digit


def _correct(fmt: MrzFormat, lines: list[str]) -> list[str]:
    """Apply the confusion swaps that the check digits decide; anything undecided is left as read."""
    spans, composite, composite_at = _spans(fmt, lines)
    options: list[list[str]] = []
    for span in spans:
        data, digit = lines[span.line][span.start : span.end], lines[span.line][span.digit_at]
        ok = all(c in ALLOWED for c in data + digit) and digit_matches(data, digit)
        if ok and not (span.numeric and not data.isdigit()):
            options.append([data + digit])
            continue
        found = _span_options(lines[span.line], span, optional_swaps=composite is not None)
        options.append(found or [data + digit])
    if composite is None:
        # no composite: only one-reading (forced) fixes were tried, so each span has at most one option
        for span, opts in zip(spans, options, strict=True):
            if len(opts) == 1:
                lines = _apply(lines, span, opts[0])
        return lines
    passing = []
    for combo in itertools.islice(itertools.product(*options), 256):
        cand = lines
        for span, reading in zip(spans, combo, strict=True):
            cand = _apply(cand, span, reading)
        if _composite_holds(cand, composite, composite_at):
            passing.append(cand)
    if len(passing) != 1:
        return lines  # none or several readings fit: the check digits do not decide, so nothing is changed
    fixed = passing[0]
    c_line, c_at = composite_at
    digit = fixed[c_line][c_at]
    if digit in CONFUSIONS and digit.isalpha():
        fixed[c_line] = fixed[c_line][:c_at] + CONFUSIONS[digit] + fixed[c_line][c_at + 1 :]
    return fixed


# fields where ICAO 9303 allows letters and '<' only (names, states): a digit there has one legal reading
_DIGIT_TO_LETTER = {"0": "O", "1": "I", "5": "S", "8": "B", "2": "Z"}


def _alpha_spans(fmt: MrzFormat) -> list[tuple[str, int, int, int]]:
    if fmt is MrzFormat.TD1:
        return [("issuing_state", 0, 2, 5), ("nationality", 1, 15, 18), ("name", 2, 0, 30)]
    return [("issuing_state", 0, 2, 5), ("name", 0, 5, len_of(fmt)), ("nationality", 1, 10, 13)]


def len_of(fmt: MrzFormat) -> int:
    return 44 if fmt in (MrzFormat.TD3, MrzFormat.MRVA) else 36 if fmt in (MrzFormat.TD2, MrzFormat.MRVB) else 30


def _letters_only(fmt: MrzFormat, lines: list[str]) -> list[str]:
    """A digit that OCR put in a letters-only field (0 for O in a name) has one legal reading: take it."""
    lines = lines[:]
    for _, ln, a, b in _alpha_spans(fmt):
        text = lines[ln]
        fixed = "".join(_DIGIT_TO_LETTER.get(c, c) for c in text[a:b])
        lines[ln] = text[:a] + fixed + text[b:]
    return lines


def _diff(fmt: MrzFormat, before: list[str], after: list[str]) -> list[Correction]:
    spans, _, _ = _spans(fmt, after)
    out = []
    for i, (a, b) in enumerate(zip(before, after, strict=True)):
        for j, (ca, cb) in enumerate(zip(a, b, strict=True)):
            if ca != cb:
                name = next(
                    (s.name for s in spans if s.line == i and (s.start <= j < s.end or j == s.digit_at)),
                    next((n for n, ln, a, e in _alpha_spans(fmt) if ln == i and a <= j < e), "composite"),
                )
                out.append(Correction(name, i + 1, j + 1, ca, cb))
    return out


def _record(
    fmt: MrzFormat, lines: list[str], spans: list[_Span], corrections: list[Correction], today: dt.date
) -> MrzRecord:
    doc = spans[0]
    document_number = lines[doc.line][doc.start : doc.end].replace(FILLER, "")
    if fmt is MrzFormat.TD1:
        l1, l2, l3 = lines
        surname, given = _name(l3)
        optional = l1[doc.end + 1 : 30] if doc.end > 14 else l1[15:30]
        head = dict(code=l1[0:2], state=l1[2:5], nat=l2[15:18], sex=l2[7], opt=optional, opt2=l2[18:29])
        dob_at, exp_at = (2, 1, 0), (2, 9, 8)
    else:
        l1, l2 = lines
        surname, given = _name(l1[5:])
        opt_end = {MrzFormat.TD3: 42, MrzFormat.TD2: 35, MrzFormat.MRVA: 44, MrzFormat.MRVB: 36}[fmt]
        head = dict(code=l1[0:2], state=l1[2:5], nat=l2[10:13], sex=l2[20], opt=l2[28:opt_end], opt2="")
        dob_at, exp_at = (2, 14, 13), (2, 22, 21)
    birth = lines[dob_at[0] - 1][dob_at[2] : dob_at[2] + 6]
    expiry_text = lines[exp_at[0] - 1][exp_at[2] : exp_at[2] + 6]
    birth_date = _date(birth, line=dob_at[0], column=dob_at[1], field="birth_date", expiry=False, today=today)
    expiry_date = (
        None
        if set(expiry_text) == {FILLER}
        else _date(expiry_text, line=exp_at[0], column=exp_at[1], field="expiry_date", expiry=True, today=today)
    )
    sex = head["sex"]
    return MrzRecord(
        format=fmt,
        document_code=head["code"].replace(FILLER, ""),
        issuing_state=head["state"].replace(FILLER, ""),
        surname=surname,
        given_names=given,
        document_number=document_number,
        nationality=head["nat"].replace(FILLER, ""),
        birth_date=birth_date,
        sex="X" if sex == FILLER else sex,
        expiry_date=expiry_date,
        optional_data=head["opt"].rstrip(FILLER),
        optional_data_2=head["opt2"].rstrip(FILLER),
        lines=tuple(lines),
        corrections=tuple(corrections),
    )
