"""One canonical form of an address: the row form and the Polars form give the same answers."""

from __future__ import annotations

import polars as pl

from warden.chain.addresses import address_format, canonical_address, canonical_address_expr

CASES = {
    "0x52908400098527886E0F7030069857D2E4169EE7": "0x52908400098527886e0f7030069857d2e4169ee7",
    " 0x52908400098527886e0f7030069857d2e4169ee7 ": "0x52908400098527886e0f7030069857d2e4169ee7",
    "0X52908400098527886E0F7030069857D2E4169EE7": "0x52908400098527886e0f7030069857d2e4169ee7",
    "BC1QXY2KGDYGJRSQTZQ2N0YRF2493P83KKFJHX0WLH": "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh",
    "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh": "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh",
    "bc1qXY2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh": "bc1qXY2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh",  # mixed: invalid, kept
    "1BoatSLRHtKNngkdXEeobR76b53LETtpyT": "1BoatSLRHtKNngkdXEeobR76b53LETtpyT",  # base58 is case-sensitive
    "TBqt7TSvFCX8dbjABhW2naHCu9rxJJY6iY": "TBqt7TSvFCX8dbjABhW2naHCu9rxJJY6iY",
    "0x1234": "0x1234",  # too short for EVM: compared exactly
}


def test_canonical_forms() -> None:
    for raw, canonical in CASES.items():
        assert canonical_address(raw) == canonical, raw


def test_the_polars_form_agrees_with_the_row_form() -> None:
    frame = pl.DataFrame({"a": list(CASES)})
    assert frame.select(canonical_address_expr(pl.col("a")))["a"].to_list() == [canonical_address(a) for a in CASES]


def test_formats() -> None:
    assert address_format("0x52908400098527886E0F7030069857D2E4169EE7") == "evm"
    assert address_format("bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh") == "bech32"
    assert address_format("1BoatSLRHtKNngkdXEeobR76b53LETtpyT") == "exact"
