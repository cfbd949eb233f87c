"""Addresses are well formed for their network (checked with independent decoders)."""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING

import numpy as np

from warden.sim.assets import random_address
from warden.sim.encoding import eip55, keccak256
from warden.sim.refdata import sanctioned_addresses

if TYPE_CHECKING:
    from tests.sim.conftest import Run

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58check_payload(address: str, alphabet: str = B58) -> bytes:
    number = 0
    for ch in address:
        number = number * 58 + alphabet.index(ch)
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    raw = b"\0" * (len(address) - len(address.lstrip(alphabet[0]))) + raw
    payload, checksum = raw[:-4], raw[-4:]
    assert hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] == checksum, address
    return payload


def bech32_valid(address: str) -> bool:
    charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
    hrp, _, data = address.rpartition("1")
    values = [charset.index(c) for c in data]
    chk = 1
    for v in [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp] + values:
        top, chk = chk >> 25, (chk & 0x1FFFFFF) << 5 ^ v
        for i, g in enumerate((0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)):
            chk ^= g if (top >> i) & 1 else 0
    return chk == 1


def test_keccak_and_eip55_match_published_vectors() -> None:
    assert keccak256(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    assert eip55("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed") == "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
    assert eip55("0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359") == "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359"


def check(network: str, address: str) -> None:
    if network == "bitcoin":
        if address.startswith("bc1"):
            assert bech32_valid(address) and len(address) in (42, 62)  # P2WPKH, or P2WSH in the OFAC list
        else:
            assert b58check_payload(address)[0] in (0x00, 0x05)
    elif network in ("ethereum", "bsc"):
        assert re.fullmatch(r"0x[0-9a-fA-F]{40}", address)
        assert address == address.lower() or address == eip55(address)
    elif network == "tron":
        assert address.startswith("T") and b58check_payload(address)[0] == 0x41
    elif network == "solana":
        assert re.fullmatch(r"[1-9A-HJ-NP-Za-km-z]{32,44}", address)
    elif network == "ripple":
        assert (
            address.startswith("r")
            and len(b58check_payload(address, "rpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65jkm8oFqi1tuvAxyz")) == 21
        )
    elif network == "cosmos":
        assert address.startswith("cosmos1") and bech32_valid(address)
    elif network == "litecoin":
        assert (
            bech32_valid(address) if address.startswith("ltc1") else b58check_payload(address)[0] in (0x30, 0x32, 0x05)
        )


def test_generated_addresses_decode_for_every_network() -> None:
    rng = np.random.default_rng(0)
    for network in ("bitcoin", "ethereum", "bsc", "tron", "solana", "ripple", "cosmos", "litecoin"):
        for _ in range(30):
            check(network, random_address(rng, network, checksum_share=0.5))


def test_every_listed_sanctioned_address_fits_its_network() -> None:
    rows = sanctioned_addresses()
    assert len(rows) > 600
    for address, _asset, network in rows:
        check(network, address)


def test_addresses_in_the_simulated_events_fit_their_network(small_run: Run) -> None:
    mistaken = {r["entity_id"] for r in small_run.labels if r["typology"] == "wrong_network"}
    checked = 0
    for event in small_run.events:
        if event["type"] == "address_book_change":
            check(event["network"], event["address"])
        elif event["type"] in ("deposit", "withdrawal") and event.get("channel", "crypto") == "crypto":
            if event["event_id"] not in mistaken:
                check(event["network"], event["to_address"])
        else:
            continue
        checked += 1
    assert checked > 500
