"""Genuine documents that were refused for the reader's or a signal's mistake, not the document's: a document
number read with OCR confusions the check digits cannot see, and a low-noise photo's repeated glyphs taken for
copied regions."""

from __future__ import annotations

import datetime as dt

import pytest

from warden.kyc import tamper
from warden.kyc.documents import dataset
from warden.kyc.mrz import MrzCheckDigitError, parse_mrz
from warden.kyc.mrz_compose import compose_td1
from warden.kyc.mrz_refit import refit_number

# genuine(7, 17): the Spanish ID card's number OOM923714 read as 00M923714; 'OO' -> '00' changes the 7-3-1
# weighted sum by 240, so the number's digit and the composite hold for both readings
MISREAD = ["I<ESP00M9237140<<<<<<<<<<<<<<<", "6404091F3005039ESP<<<<<<<<<<<6", "XAVIER<<HUGO<<<<<<<<<<<<<<<<<<"]


def test_the_state_format_puts_cancelling_confusions_right() -> None:
    read = parse_mrz(MISREAD, correct=True)
    assert read.document_number == "00M923714"  # every check digit holds as read
    refit = refit_number(read)
    assert refit.document_number == "OOM923714"
    assert [(c.column, c.read, c.corrected) for c in refit.corrections] == [(6, "0", "O"), (7, "0", "O")]
    assert refit.lines[0].startswith("I<ESPOOM923714")


def test_a_number_is_left_alone_where_the_format_or_the_digits_disagree() -> None:
    # one confusion alone changes the check digit, which refuses the reading outright
    lines = compose_td1(
        issuing_state="ESP", surname="XAVIER", given_names="HUGO", document_number="O1M923714",
        nationality="ESP", birth_date=dt.date(1964, 4, 9), sex="F", expiry_date=dt.date(2030, 5, 3),
    )  # fmt: skip
    single = [lines[0].replace("O1M923714", "01M923714", 1), lines[1], lines[2]]
    with pytest.raises(MrzCheckDigitError):
        parse_mrz(single)
    exact = parse_mrz(list(lines))
    assert refit_number(exact) is exact  # a number that fits its format is never touched
    foreign = parse_mrz(list(compose_td1(
        issuing_state="UTO", surname="XAVIER", given_names="HUGO", document_number="00M923714",
        nationality="UTO", birth_date=dt.date(1964, 4, 9), sex="F", expiry_date=dt.date(2030, 5, 3),
    )))  # fmt: skip
    assert refit_number(foreign) is foreign  # no format known for the state: nothing to decide by


def test_repeated_glyphs_of_a_low_noise_photo_are_not_a_copy_move() -> None:
    front = dataset.genuine(7, 15).pages["front"]  # sensor-noise level about 0.5 grey levels
    _, signals = tamper.tamper_signals(front)
    copy = next(s for s in signals if s.code == "copy_move")
    assert not copy.fired, copy.detail
