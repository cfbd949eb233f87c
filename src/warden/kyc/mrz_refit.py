"""A document number read with OCR confusions that its check digits cannot see, put right by the issuing
state's number format (`formats.py`).

The check digit weighs positions 7-3-1 with letters worth 10-35, so some pairs of confusions cancel: 'OO'
read as '00' changes the sum by 24x7 + 24x3 = 240, a multiple of 10, and the composite repeats those weights.
Both readings then pass every digit; `mrz.parse_mrz(correct=True)` keeps what was read. Where the state's
format says which positions hold letters and which digits, each character in a place its class forbids is
swapped for its one confusable counterpart, and the zone is parsed again strictly: the reading is kept only
if every check digit still holds and the number now fits. Otherwise the record stays as read (and
`doc_number_format` sends it to review)."""

from __future__ import annotations

from dataclasses import replace

from warden.kyc.formats import number_format
from warden.kyc.mrz import Correction, MrzError, MrzFormat, MrzRecord, parse_mrz

CONFUSABLE = {"0": "O", "O": "0", "1": "I", "I": "1", "5": "S", "S": "5", "8": "B", "B": "8", "2": "Z", "Z": "2"}
NUMBER_AT = {  # (line index, first column) of the document number field
    MrzFormat.TD1: (0, 5),
    MrzFormat.TD2: (1, 0),
    MrzFormat.TD3: (1, 0),
    MrzFormat.MRVA: (1, 0),
    MrzFormat.MRVB: (1, 0),
}


def refit_number(rec: MrzRecord) -> MrzRecord:
    fmt = number_format(rec.issuing_state, rec.document_code)
    number = rec.document_number
    if fmt is None or fmt.matches(number):
        return rec
    allowed = [chars for chars, count in fmt.parts for _ in range(count)]
    if len(number) != len(allowed):
        return rec
    fixed = list(number)
    for i, c in enumerate(number):
        if c not in allowed[i]:
            alt = CONFUSABLE.get(c)
            if alt is None or alt not in allowed[i]:
                return rec  # not an OCR confusion: the number is what it is
            fixed[i] = alt
    line, start = NUMBER_AT[rec.format]
    lines = list(rec.lines)
    lines[line] = lines[line][:start] + "".join(fixed) + lines[line][start + len(number) :]
    try:
        refit = parse_mrz(lines)
    except MrzError:
        return rec
    if not fmt.matches(refit.document_number):
        return rec
    swaps = tuple(
        Correction("document_number", line + 1, start + i + 1, a, b)
        for i, (a, b) in enumerate(zip(number, fixed, strict=True))
        if a != b
    )
    return replace(refit, corrections=rec.corrections + swaps)
