"""Assets, networks, daily prices and address formats of the simulated exchange."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from warden.sim.encoding import BASE58_RIPPLE, base58, base58check, bech32, eip55


@dataclass(frozen=True, slots=True)
class AssetSpec:
    ticker: str
    price_usd: float  # price on day 0; prices then follow a daily random walk
    volatility: float  # daily log-return standard deviation
    places: int  # decimal places amounts are quantized to
    networks: tuple[tuple[str, float], ...]  # (network, share of on-chain movements)


ASSETS: dict[str, AssetSpec] = {
    spec.ticker: spec
    for spec in (
        AssetSpec("BTC", 94_000.0, 0.025, 8, (("bitcoin", 1.0),)),
        AssetSpec("ETH", 3_300.0, 0.035, 8, (("ethereum", 1.0),)),
        AssetSpec("USDT", 1.0, 0.0, 2, (("tron", 0.55), ("ethereum", 0.30), ("bsc", 0.15))),
        AssetSpec("USDC", 1.0, 0.0, 2, (("ethereum", 0.6), ("solana", 0.4))),
        AssetSpec("SOL", 180.0, 0.045, 6, (("solana", 1.0),)),
        AssetSpec("XRP", 2.2, 0.04, 6, (("ripple", 1.0),)),
        AssetSpec("ATOM", 6.5, 0.045, 6, (("cosmos", 1.0),)),
        AssetSpec("TRX", 0.25, 0.03, 6, (("tron", 1.0),)),
        AssetSpec("LTC", 100.0, 0.035, 8, (("litecoin", 1.0),)),
        AssetSpec("BNB", 650.0, 0.03, 8, (("bsc", 1.0),)),
    )
}
# Share of crypto movements per asset (stablecoins dominate exchange flows).
ASSET_MIX: tuple[tuple[str, float], ...] = (
    ("USDT", 0.38), ("BTC", 0.22), ("ETH", 0.16), ("USDC", 0.07), ("SOL", 0.06),
    ("XRP", 0.05), ("TRX", 0.02), ("LTC", 0.02), ("ATOM", 0.01), ("BNB", 0.01),
)  # fmt: skip
FIAT: dict[str, tuple[float, str]] = {"USD": (1.0, "ach"), "EUR": (1.08, "sepa"), "GBP": (1.27, "faster_payments")}
MEMO_NETWORKS = frozenset({"ripple", "cosmos"})  # the exchange uses one address per network plus a memo/tag
EVM_NETWORKS = frozenset({"ethereum", "bsc"})
CENT = Decimal("0.01")


class PriceBook:
    """Deterministic daily USD prices: a geometric random walk per asset from its day-0 price."""

    def __init__(self, rng: np.random.Generator, days: int) -> None:
        self._prices: dict[str, list[Decimal]] = {}
        self._floats: dict[str, np.ndarray] = {}
        for ticker, spec in ASSETS.items():
            steps = rng.normal(0.0, spec.volatility, size=days + 1) if spec.volatility else np.zeros(days + 1)
            path = spec.price_usd * np.exp(np.cumsum(steps) - steps[0])
            self._floats[ticker] = path
            places = 2 if path[0] >= 1 else 4
            self._prices[ticker] = [Decimal(f"{p:.{places}f}") for p in path]
        for ticker, (rate, _) in FIAT.items():
            self._floats[ticker] = np.full(days + 1, rate)
            self._prices[ticker] = [Decimal(f"{rate:.2f}")] * (days + 1)

    def price(self, ticker: str, day: int) -> Decimal:
        series = self._prices[ticker]
        return series[min(max(day, 0), len(series) - 1)]

    def price_float(self, ticker: str, day: int) -> float:
        series = self._floats[ticker]
        return float(series[min(max(day, 0), len(series) - 1)])


def places(ticker: str) -> int:
    spec = ASSETS.get(ticker)
    return spec.places if spec else 2


def amount_string(ticker: str, amount: float) -> str:
    """A positive decimal string quantized to the asset's places (never zero)."""
    digits = places(ticker)
    floor = 10.0**-digits
    return f"{max(amount, floor):.{digits}f}"


def usd_value(amount: str, price: Decimal) -> str:
    """The exchange's USD valuation, exact to the cent."""
    return format((Decimal(amount) * price).quantize(CENT), "f")


def random_address(rng: np.random.Generator, network: str, checksum_share: float = 0.0) -> str:
    """A well-formed address for `network` from random key material."""
    key = rng.bytes(32)
    if network == "bitcoin":
        kind = rng.random()
        if kind < 0.55:
            return bech32("bc", key[:20], witness_version=0)
        return base58check((b"\x00" if kind < 0.85 else b"\x05") + key[:20])
    if network == "litecoin":
        return bech32("ltc", key[:20], witness_version=0) if rng.random() < 0.5 else base58check(b"\x30" + key[:20])
    if network in EVM_NETWORKS:
        hex_address = "0x" + key[:20].hex()
        return eip55(hex_address) if checksum_share and rng.random() < checksum_share else hex_address
    if network == "tron":
        return base58check(b"\x41" + key[:20])
    if network == "solana":
        return base58(key)
    if network == "ripple":
        return base58check(b"\x00" + key[:20], BASE58_RIPPLE)
    if network == "cosmos":
        return bech32("cosmos", key[:20])
    raise ValueError(f"no address format for network {network!r}")


def tx_hash(rng: np.random.Generator, network: str) -> str:
    raw = rng.bytes(32)
    if network in EVM_NETWORKS:
        return "0x" + raw.hex()
    if network == "solana":
        return base58(raw + rng.bytes(32))
    if network in ("ripple", "cosmos"):
        return raw.hex().upper()
    return raw.hex()


def memo_for(network: str, tag: int) -> str:
    """XRP destination tags are numbers; Cosmos memos are free text, exchanges use digits too."""
    return str(tag) if network == "ripple" else f"{tag:010d}"
