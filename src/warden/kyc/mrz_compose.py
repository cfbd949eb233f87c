"""Writing machine-readable zones (TD3 passports, TD1 ID cards) with correct check digits: the rendered
document set and the tests build their zones here, from the same rules `warden.kyc.mrz` checks."""

from __future__ import annotations

import datetime as dt
import re

from warden.kyc.mrz import FILLER, check_digit

_NOT_MRZ = re.compile(r"[^A-Z0-9<]")


def mrz_text(value: str) -> str:
    """Upper-case, spaces and hyphens to '<', anything else outside A-Z 0-9 dropped."""
    return _NOT_MRZ.sub("", value.upper().replace(" ", FILLER).replace("-", FILLER).replace("'", ""))


def _pad(value: str, width: int) -> str:
    value = mrz_text(value)[:width]
    return value + FILLER * (width - len(value))


def _name_field(surname: str, given_names: str, width: int) -> str:
    return _pad(f"{mrz_text(surname)}<<{mrz_text(given_names)}", width)


def _yymmdd(d: dt.date) -> str:
    return d.strftime("%y%m%d")


def compose_td3(
    *,
    document_code: str = "P",
    issuing_state: str,
    surname: str,
    given_names: str,
    document_number: str,
    nationality: str,
    birth_date: dt.date,
    sex: str,
    expiry_date: dt.date,
    personal_number: str = "",
) -> tuple[str, str]:
    line1 = _pad(document_code, 2) + _pad(issuing_state, 3) + _name_field(surname, given_names, 39)
    doc = _pad(document_number, 9)
    dob, exp = _yymmdd(birth_date), _yymmdd(expiry_date)
    personal = _pad(personal_number, 14)
    personal_digit = check_digit(personal) if personal_number else FILLER
    body = (
        doc + check_digit(doc) + _pad(nationality, 3) + dob + check_digit(dob) + _pad(sex, 1)
        + exp + check_digit(exp) + personal + personal_digit
    )  # fmt: skip
    composite = check_digit(body[0:10] + body[13:20] + body[21:43])
    return line1, body + composite


def compose_td1(
    *,
    document_code: str = "I",
    issuing_state: str,
    surname: str,
    given_names: str,
    document_number: str,
    nationality: str,
    birth_date: dt.date,
    sex: str,
    expiry_date: dt.date,
    optional_data: str = "",
    optional_data_2: str = "",
) -> tuple[str, str, str]:
    number = mrz_text(document_number)
    if len(number) <= 9:
        doc = _pad(number, 9)
        line1 = _pad(document_code, 2) + _pad(issuing_state, 3) + doc + check_digit(doc) + _pad(optional_data, 15)
    else:  # long numbers overflow into the optional field, followed by their check digit
        overflow = number[9:] + check_digit(number)
        line1 = _pad(document_code, 2) + _pad(issuing_state, 3) + number[:9] + FILLER + _pad(overflow, 15)
    dob, exp = _yymmdd(birth_date), _yymmdd(expiry_date)
    body = (
        dob
        + check_digit(dob)
        + _pad(sex, 1)
        + exp
        + check_digit(exp)
        + _pad(nationality, 3)
        + _pad(optional_data_2, 11)
    )
    composite = check_digit(line1[5:30] + body[0:7] + body[8:15] + body[18:29])
    line3 = _name_field(surname, given_names, 30)
    return line1, body + composite, line3
