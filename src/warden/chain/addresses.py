"""The one canonical form of a crypto address, for every comparison Warden makes (rules, screening, lists).

EVM addresses (0x + 40 hex) compare case-insensitively: the mixed case is only a checksum. Bech32 addresses are
valid in all-lower or all-upper case (never mixed), so those fold to lower case too. Base58 and every other
format are case-sensitive and compare exactly, so a look-alike that shares only its first and last characters
never matches. `canonical_address_expr` is the same rule for Polars columns (the vectorised rule evaluator);
tests hold the two to the same answers.
"""

from __future__ import annotations

import re

import polars as pl

_EVM = r"^0[xX][0-9a-fA-F]{40}$"
_BECH32 = r"^(?i)(bc|tb|ltc|bcrt)1[02-9ac-hj-np-z]{6,87}$"
_EVM_RE = re.compile(_EVM)
_BECH32_RE = re.compile(r"^(bc|tb|ltc|bcrt)1[02-9ac-hj-np-z]{6,87}$", re.IGNORECASE)


def address_format(address: str) -> str:
    """`evm`, `bech32` or `exact`: how the address is compared."""
    address = address.strip()
    if _EVM_RE.match(address):
        return "evm"
    if _BECH32_RE.match(address):
        return "bech32"
    return "exact"


def canonical_address(address: str) -> str:
    address = address.strip()
    if _EVM_RE.match(address):
        return address.lower()
    if _BECH32_RE.match(address) and (address.islower() or address.isupper()):
        return address.lower()
    return address


def canonical_address_expr(expr: pl.Expr) -> pl.Expr:
    """`canonical_address` over a Polars string column."""
    stripped = expr.str.strip_chars()
    lower = stripped.str.to_lowercase()
    one_case = (stripped == lower) | (stripped == stripped.str.to_uppercase())
    folds = stripped.str.contains(_EVM) | (stripped.str.contains(_BECH32) & one_case)
    return pl.when(folds).then(lower).otherwise(stripped)
