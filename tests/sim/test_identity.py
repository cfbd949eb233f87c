"""KYC submissions: valid ICAO 9303 MRZs (checked with an independent check-digit function) and diverse names."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from warden.sim.mrz import check_digit, td1, td3

if TYPE_CHECKING:
    from tests.sim.conftest import Run


def icao_check(field: str) -> int:
    """Independent ICAO 9303 check digit: values 0-9, A=10..Z=35, '<'=0; weights 7,3,1 repeating."""
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return sum((0 if ch == "<" else alphabet.index(ch)) * (7, 3, 1)[i % 3] for i, ch in enumerate(field)) % 10


def test_check_digit_matches_the_icao_specimen() -> None:
    # ICAO 9303 part 4 specimen: document L898902C3 check 6, birth 740812 check 2, expiry 120415 check 9
    assert (icao_check("L898902C3"), icao_check("740812"), icao_check("120415")) == (6, 2, 9)
    assert check_digit("L898902C3") == "6"


def _verify_td3(lines: list[str]) -> None:
    upper, lower = lines
    assert len(upper) == len(lower) == 44 and upper.startswith("P<")
    assert int(lower[9]) == icao_check(lower[0:9])
    assert int(lower[19]) == icao_check(lower[13:19])
    assert int(lower[27]) == icao_check(lower[21:27])
    assert int(lower[42]) == icao_check(lower[28:42])
    assert int(lower[43]) == icao_check(lower[0:10] + lower[13:20] + lower[21:43])


def _verify_td1(lines: list[str]) -> None:
    upper, middle, names = lines
    assert len(upper) == len(middle) == len(names) == 30 and upper.startswith("I<")
    assert int(upper[14]) == icao_check(upper[5:14])
    assert int(middle[6]) == icao_check(middle[0:6])
    assert int(middle[14]) == icao_check(middle[8:14])
    assert int(middle[29]) == icao_check(upper[5:30] + middle[0:7] + middle[8:15] + middle[18:29])


def test_every_mrz_has_valid_check_digits(small_run: Run) -> None:
    kinds = set()
    for event in small_run.events:
        if event["type"] != "kyc_submission" or "mrz" not in event:
            continue
        lines = event["mrz"].split("\n")
        assert all(re.fullmatch(r"[A-Z0-9<]+", line) for line in lines), event["mrz"]
        (_verify_td3 if event["document_type"] == "passport" else _verify_td1)(lines)
        kinds.add(event["document_type"])
    assert kinds == {"passport", "id_card"}


def test_mrz_transliterates_names_and_dates() -> None:
    from datetime import date

    passport = td3("D", "Müller-Lüdenscheidt", "Jürgen", "C01X00T47", "D", date(1964, 8, 12), "M", date(2030, 1, 1))
    assert passport.split("\n")[0].startswith("P<D<<MULLER<LUDENSCHEIDT<<JURGEN<")
    card = td1("UKR", "Шевченко", "Олена", "A1234567", "UKR", date(1990, 2, 3), "F", date(2031, 5, 6))
    assert card.split("\n")[2].startswith("SHEVCHENKO<<OLENA<")
    assert card.split("\n")[1].startswith("900203")


def test_names_come_from_many_cultures_and_scripts(small_run: Run) -> None:
    kyc = [e for e in small_run.events if e["type"] == "kyc_submission"]
    assert len({e["nationality"] for e in kyc}) >= 15
    assert any(not e["full_name"].isascii() for e in kyc)
    assert any(
        re.search(r"[\u0400-\u04ff\u0600-\u06ff\u4e00-\u9fff\uac00-\ud7af\u3040-\u30ff]", e["full_name"]) for e in kyc
    )
    assert len({e["email"] for e in kyc}) >= 0.9 * len(kyc)
