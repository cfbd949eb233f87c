"""Exact address screening: every listed address in any valid case; look-alikes never hit."""

from __future__ import annotations

from warden.chain.addresses import canonical_address as address_key
from warden.screening.defaults import DATA_DIR
from warden.screening.loaders.detect import load_path
from warden.screening.screener import Screener


def _flip_case(address: str) -> str:
    return address[:2] + address[2:].swapcase()


def test_every_listed_address_hits_in_any_valid_case(default_screener: Screener) -> None:
    listed = load_path(DATA_DIR / "crypto-addresses-2024-09-27").addresses
    missed = []
    for record in listed:
        variants = [record.address]
        if record.address.startswith("0x"):
            variants += [record.address.lower(), "0x" + record.address[2:].upper(), _flip_case(record.address)]
        elif record.address.lower().startswith(("bc1", "ltc1")) and record.address.islower():
            variants.append(record.address.upper())
        for variant in variants:
            hits = default_screener.screen_address(variant)["hits"]
            if not any(h["list"] == "ofac-crypto" and h["id"] == record.address for h in hits):
                missed.append(variant)
    assert missed == [] and len(listed) == 654


def test_look_alikes_sharing_first_and_last_characters_do_not_hit(default_screener: Screener) -> None:
    listed = load_path(DATA_DIR / "crypto-addresses-2024-09-27").addresses
    for record in listed[:200]:
        a = record.address
        middle = "".join("b" if c != "b" else "c" for c in a[6:-4])
        poisoned = a[:6] + middle + a[-4:]
        assert default_screener.screen_address(poisoned)["hits"] == [], poisoned


def test_base58_is_case_sensitive_and_labels_carry_category(default_screener: Screener) -> None:
    btc = "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h"
    hit = default_screener.screen_address(btc)["hits"][0]
    assert hit["entry_id"] == "25308" and hit["category"] == "sanctioned"
    assert default_screener.screen_address(btc.lower())["hits"] == []
    phishing = default_screener.screen_address("0x000000000532B45F47779FCE440748893B257865")["hits"]
    assert phishing and phishing[0]["category"] == "phishing" and phishing[0]["tag"] == "Fake_Phishing3901"


def test_address_key_rules() -> None:
    evm = "0x8589427373D6D84E98730D7795D8f6f8731FDA16"
    assert address_key(evm) == address_key(evm.lower()) == evm.lower()
    assert address_key("BC1QXY2KGDYGJRSQTZQ2N0YRF2493P83KKFJHX0WLH") == "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh"
    mixed = "bc1QXY2KGDYGJRSQTZQ2N0YRF2493P83KKFJHX0WLH"  # mixed-case bech32 is invalid: compared exactly
    assert address_key(mixed) == mixed
