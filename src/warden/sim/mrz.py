"""ICAO 9303 machine-readable zones: TD3 (passports, 2x44) and TD1 (identity cards, 3x30) with check digits."""

from __future__ import annotations

import re
from datetime import date

from anyascii import anyascii

_WEIGHTS = (7, 3, 1)


def check_digit(field: str) -> str:
    """ICAO 9303 part 3 check digit: digits as themselves, A-Z as 10-35, '<' as 0, weights 7-3-1."""
    total = 0
    for i, ch in enumerate(field):
        value = int(ch) if ch.isdigit() else (ord(ch) - 55 if "A" <= ch <= "Z" else 0)
        total += value * _WEIGHTS[i % 3]
    return str(total % 10)


def mrz_text(text: str) -> str:
    """Transliterate to the MRZ alphabet: upper-case A-Z, digits, and '<' for spaces, hyphens and apostrophes."""
    ascii_text = anyascii(text).upper()
    ascii_text = re.sub(r"[^A-Z0-9]+", "<", ascii_text.replace("'", ""))
    return ascii_text.strip("<")


def _name_field(surname: str, given: str, width: int) -> str:
    return (mrz_text(surname) + "<<" + mrz_text(given)).ljust(width, "<")[:width]


def _yymmdd(day: date) -> str:
    return day.strftime("%y%m%d")


def td3(
    state: str, surname: str, given: str, number: str, nationality: str, birth: date, sex: str, expiry: date
) -> str:
    line1 = "P<" + state.ljust(3, "<") + _name_field(surname, given, 39)
    doc = number.ljust(9, "<")[:9]
    personal = "<" * 14
    doc_part = doc + check_digit(doc)
    birth_part = _yymmdd(birth) + check_digit(_yymmdd(birth))
    expiry_part = _yymmdd(expiry) + check_digit(_yymmdd(expiry))
    personal_part = personal + check_digit(personal)
    composite = check_digit(doc_part + birth_part + expiry_part + personal_part)
    line2 = doc_part + nationality.ljust(3, "<") + birth_part + sex + expiry_part + personal_part + composite
    return line1 + "\n" + line2


def td1(
    state: str, surname: str, given: str, number: str, nationality: str, birth: date, sex: str, expiry: date
) -> str:
    doc = number.ljust(9, "<")[:9]
    upper = "I<" + state.ljust(3, "<") + doc + check_digit(doc) + "<" * 15
    birth_part = _yymmdd(birth) + check_digit(_yymmdd(birth))
    expiry_part = _yymmdd(expiry) + check_digit(_yymmdd(expiry))
    middle_no_check = birth_part + sex + expiry_part + nationality.ljust(3, "<") + "<" * 11
    composite = check_digit(upper[5:30] + birth_part + expiry_part + middle_no_check[18:29])
    lower = _name_field(surname, given, 30)
    return upper + "\n" + middle_no_check + composite + "\n" + lower
