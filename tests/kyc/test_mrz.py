import datetime as dt

import pytest

from warden.kyc.mrz import (
    MrzCheckDigitError,
    MrzDateError,
    MrzError,
    MrzFormat,
    MrzFormatError,
    check_digit,
    parse_mrz,
)
from warden.kyc.mrz_compose import compose_td1, compose_td3

# ICAO 9303 specimen zones (Parts 4-7): every check digit in them holds under the 7-3-1 rule
SPECIMENS = {
    MrzFormat.TD3: ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"],
    MrzFormat.TD1: [
        "I<UTOD231458907<<<<<<<<<<<<<<<",
        "7408122F1204159UTO<<<<<<<<<<<6",
        "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
    ],
    MrzFormat.TD2: ["I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6"],
    MrzFormat.MRVA: ["V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L8988901C4XXX4009078F96121096ZE184226B<<<<<<"],
    MrzFormat.MRVB: ["V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "L8988901C4XXX4009078F9612109<<<<<<<<"],
}


def test_check_digit_rule():
    assert check_digit("L898902C3") == "6"
    assert check_digit("740812") == "2"
    assert check_digit("120415") == "9"
    assert check_digit("ZE184226B<<<<<") == "1"
    assert check_digit("<<<<<") == "0"


@pytest.mark.parametrize("fmt", list(SPECIMENS))
def test_icao_specimens_parse(fmt):
    rec = parse_mrz(SPECIMENS[fmt])
    assert rec.format is fmt
    assert rec.issuing_state == "UTO"
    assert rec.surname == "ERIKSSON" and rec.given_names == "ANNA MARIA"
    assert rec.sex == "F"
    assert rec.corrections == ()


def test_td3_fields():
    rec = parse_mrz("\n".join(SPECIMENS[MrzFormat.TD3]))
    assert rec.document_number == "L898902C3"
    assert rec.birth_date == dt.date(1974, 8, 12)
    assert rec.expiry_date == dt.date(2012, 4, 15)
    assert rec.optional_data == "ZE184226B"
    assert rec.nationality == "UTO"


def test_td1_fields():
    rec = parse_mrz(SPECIMENS[MrzFormat.TD1])
    assert rec.document_number == "D23145890"
    assert rec.document_code == "I"


def _flip(line: str, col: int) -> str:
    c = line[col]
    new = str((int(c) + 1) % 10) if c.isdigit() else ("B" if c != "B" else "C")
    return line[:col] + new + line[col + 1 :]


# every check-digit position of each specimen: changing it must be refused, with or without correction
DIGITS = {
    MrzFormat.TD3: [(1, 9), (1, 19), (1, 27), (1, 42), (1, 43)],
    MrzFormat.TD1: [(0, 14), (1, 6), (1, 14), (1, 29)],
    MrzFormat.TD2: [(1, 9), (1, 19), (1, 27), (1, 35)],
    MrzFormat.MRVA: [(1, 9), (1, 19), (1, 27)],
    MrzFormat.MRVB: [(1, 9), (1, 19), (1, 27)],
}


@pytest.mark.parametrize(("fmt", "pos"), [(f, p) for f, ps in DIGITS.items() for p in ps])
@pytest.mark.parametrize("correct", [False, True])
def test_wrong_check_digit_never_accepted(fmt, pos, correct):
    lines = list(SPECIMENS[fmt])
    lines[pos[0]] = _flip(lines[pos[0]], pos[1])
    with pytest.raises(MrzCheckDigitError) as err:
        parse_mrz(lines, correct=correct)
    if not correct:
        assert (err.value.line, err.value.column) == (pos[0] + 1, pos[1] + 1)
    assert err.value.code == "mrz_check_digit"


def test_changed_data_field_refused():
    lines = list(SPECIMENS[MrzFormat.TD3])
    lines[1] = lines[1][:13] + "750812" + lines[1][19:]  # birth year altered, digit left alone
    with pytest.raises(MrzCheckDigitError) as err:
        parse_mrz(lines, correct=True)
    assert err.value.field == "birth_date" and err.value.column == 20


def test_ocr_confusions_corrected_where_digit_decides():
    lines = list(SPECIMENS[MrzFormat.TD3])
    # O for 0 in the expiry date and the composite; 8 read as B in the birth date; I for 1 in a check digit
    lines[1] = "L898902C36UTO74O8I22F12O4159ZE184226B<<<<<1O"
    lines[1] = lines[1][:14] + "4" + lines[1][15:]
    rec = parse_mrz(lines, correct=True)
    assert rec.lines == tuple(SPECIMENS[MrzFormat.TD3])
    assert {c.field for c in rec.corrections} == {"birth_date", "expiry_date", "composite"}
    with pytest.raises(MrzError):
        parse_mrz(lines)  # without correction the same zone is refused


def test_visa_without_composite_only_forced_corrections():
    lines = list(SPECIMENS[MrzFormat.MRVA])
    lines[1] = lines[1].replace("L8988901C4", "L8988901C5")  # wrong digit; a swap could 'fix' it, nothing confirms
    with pytest.raises(MrzCheckDigitError):
        parse_mrz(lines, correct=True)
    lines = list(SPECIMENS[MrzFormat.MRVA])
    lines[1] = lines[1].replace("4009078", "4OO9O78")  # letters where only digits may stand: forced
    assert parse_mrz(lines, correct=True).birth_date == dt.date(1940, 9, 7)


def test_document_number_confusion_corrected():
    lines = list(SPECIMENS[MrzFormat.TD1])
    lines[0] = lines[0].replace("D23145890", "D2314589O")
    rec = parse_mrz(lines, correct=True)
    assert rec.document_number == "D23145890"
    assert len(rec.corrections) == 1


def test_digit_in_letters_only_field():
    lines = list(SPECIMENS[MrzFormat.TD3])
    lines[0] = lines[0].replace("ERIKSSON", "ERIKSS0N")
    with pytest.raises(MrzFormatError):
        parse_mrz(lines)  # names are letters only
    rec = parse_mrz(lines, correct=True)
    assert rec.surname == "ERIKSSON"  # a digit there has one legal reading, taken and recorded
    assert [(c.field, c.read, c.corrected) for c in rec.corrections] == [("name", "0", "O")]


@pytest.mark.parametrize(
    ("lines", "exc", "line", "column"),
    [
        (["P<UTO"], MrzFormatError, None, None),
        ([SPECIMENS[MrzFormat.TD3][0], SPECIMENS[MrzFormat.TD3][1][:-1]], MrzFormatError, 2, None),
        ([SPECIMENS[MrzFormat.TD3][0].replace("ANNA", "AN-A"), SPECIMENS[MrzFormat.TD3][1]], MrzFormatError, 1, 18),
    ],
)
def test_format_errors_have_positions(lines, exc, line, column):
    with pytest.raises(exc) as err:
        parse_mrz(lines)
    assert err.value.line == line and err.value.column == column


def test_invalid_date_with_valid_digit():
    line2 = "L898902C36UTO7413322F1204159ZE184226B<<<<<1"
    line2 = line2[:19] + check_digit("741332") + line2[20:]
    line2 += check_digit(line2[0:10] + line2[13:20] + line2[21:43])
    with pytest.raises(MrzDateError) as err:
        parse_mrz([SPECIMENS[MrzFormat.TD3][0], line2])
    assert err.value.field == "birth_date"


def test_composed_zones_round_trip():
    kw = dict(
        issuing_state="D", surname="Müller-Lüdenscheidt", given_names="Jean Paul", nationality="D",
        birth_date=dt.date(1990, 2, 28), sex="M", expiry_date=dt.date(2031, 7, 1),
    )  # fmt: skip
    rec = parse_mrz(compose_td3(document_number="C01X00T47", personal_number="12345", **kw))
    assert rec.format is MrzFormat.TD3 and rec.surname == "MLLER LDENSCHEIDT" and rec.given_names == "JEAN PAUL"
    rec1 = parse_mrz(compose_td1(document_number="T22000129", **kw))
    assert rec1.format is MrzFormat.TD1 and rec1.document_number == "T22000129"
    long = parse_mrz(compose_td1(document_number="AB1234567890XY", **kw))
    assert long.document_number == "AB1234567890XY"


def test_ambiguous_correction_refused():
    # I->1 and 8->B both make the digit hold and the composite cannot tell them apart: nothing is guessed
    lines = list(SPECIMENS[MrzFormat.TD1])
    lines[0] = lines[0].replace("D23145890", "D23I45890")
    with pytest.raises(MrzCheckDigitError):
        parse_mrz(lines, correct=True)
