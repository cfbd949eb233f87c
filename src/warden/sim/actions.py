"""Event makers shared by normal behaviour and the scenarios: each appends one contract event to the log."""

from __future__ import annotations

import math
from typing import Any

from warden.sim.assets import ASSETS, FIAT, MEMO_NETWORKS, amount_string, memo_for, random_address, tx_hash, usd_value
from warden.sim.world import Customer, Device, World


def login(world: World, c: Customer, ts: int, device: Device, ip: str, country: str, success: bool = True) -> int:
    return world.log.add(
        ts,
        {"type": "login", "customer_id": c.customer_id, "device_id": device.device_id, "ip": ip,
         "country": country, "success": success, "user_agent": device.user_agent},
    )  # fmt: skip


def deposit_address(world: World, c: Customer, network: str) -> tuple[str, str | None]:
    """The address (and memo) the exchange issued to this customer for `network`."""
    if network in MEMO_NETWORKS:
        return world.exchange_addresses[network], memo_for(network, c.memo_tag)
    key = "evm" if network in ("ethereum", "bsc") else network  # one EVM address serves both chains
    if key not in c.deposit_addresses:
        c.deposit_addresses[key] = random_address(world.rng, network)
    return c.deposit_addresses[key], None


def crypto_deposit(
    world: World, c: Customer, ts: int, asset: str, network: str, usd: float,
    from_address: str | None = None, to_address: str | None = None, memo: str | None = "auto",
) -> int:  # fmt: skip
    day = world.day_of(ts)
    amount = amount_string(asset, usd / world.prices.price_float(asset, day))
    value = usd_value(amount, world.prices.price(asset, day))
    own_address, own_memo = deposit_address(world, c, network)
    payload: dict[str, Any] = {
        "type": "deposit", "customer_id": c.customer_id, "asset": asset, "network": network, "amount": amount,
        "amount_usd": value, "to_address": to_address or own_address,
        "from_address": from_address or random_address(world.rng, network),
        "tx_hash": tx_hash(world.rng, network), "channel": "crypto",
    }  # fmt: skip
    chosen_memo = own_memo if memo == "auto" else memo
    if chosen_memo is not None:
        payload["memo"] = chosen_memo
    c.flows.append((ts, float(value)))
    return world.log.add(ts, payload)


def fiat_deposit(world: World, c: Customer, ts: int, usd: float, card: bool = False, exact: bool = False) -> int:
    currency = c.country.currency
    rate, rail = FIAT[currency]
    local = max(usd / rate, 1.0)
    amount = f"{local if exact else _round_like_a_person(world, local):.2f}"
    value = usd_value(amount, world.prices.price(currency, world.day_of(ts)))
    c.flows.append((ts, float(value)))
    return world.log.add(
        ts,
        {"type": "deposit", "customer_id": c.customer_id, "asset": currency, "network": "card" if card else rail,
         "amount": amount, "amount_usd": value, "to_address": c.bank_ref, "channel": "card" if card else "fiat"},
    )  # fmt: skip


def below_threshold_usd(world: World, c: Customer, lo: float = 8_000, hi: float = 9_950) -> float:
    """A USD value whose amount in the customer's currency is a round sum (step 50) between `lo` and `hi` USD."""
    rate = FIAT[c.country.currency][0]
    steps = int(world.rng.integers(math.ceil(lo / rate / 50), math.floor(hi / rate / 50) + 1))
    return steps * 50 * rate


def _round_like_a_person(world: World, value: float) -> float:
    """Most bank and card top-ups are round sums (50, 200, 1,500); some are exact amounts."""
    if world.rng.random() < 0.35:
        return value
    step = 10.0 if value < 200 else 50.0 if value < 2_000 else 500.0
    return max(step, round(value / step) * step)


def withdrawal(
    world: World, c: Customer, ts: int, asset: str, network: str, usd: float, to_address: str,
    device: Device | None, ip: str | None, memo: str | None = None,
) -> int:  # fmt: skip
    day = world.day_of(ts)
    amount = amount_string(asset, usd / world.prices.price_float(asset, day))
    value = usd_value(amount, world.prices.price(asset, day))
    payload: dict[str, Any] = {
        "type": "withdrawal", "customer_id": c.customer_id, "asset": asset, "network": network, "amount": amount,
        "amount_usd": value, "to_address": to_address,
    }  # fmt: skip
    if memo is None and network in MEMO_NETWORKS:
        memo = str(int(world.rng.integers(1, 4_000_000_000)))  # the receiving exchange's tag
    if memo is not None:
        payload["memo"] = memo
    if device is not None:
        payload["device_id"] = device.device_id
    if ip is not None:
        payload["ip"] = ip
    c.flows.append((ts, -float(value)))
    return world.log.add(ts, payload)


def transfer(world: World, sender: Customer, receiver: Customer, ts: int, asset: str, usd: float) -> int:
    day = world.day_of(ts)
    amount = amount_string(asset, usd / world.prices.price_float(asset, day))
    value = usd_value(amount, world.prices.price(asset, day))
    sender.flows.append((ts, -float(value)))
    receiver.flows.append((ts, float(value)))
    return world.log.add(
        ts,
        {"type": "transfer", "customer_id": sender.customer_id, "counterparty_id": receiver.customer_id,
         "asset": asset, "amount": amount, "amount_usd": value},
    )  # fmt: skip


def trade(world: World, c: Customer, ts: int, side: str, base: str, quote: str, usd: float) -> int:
    day = world.day_of(ts)
    price = world.prices.price(base, day)
    amount = amount_string(base, usd / world.prices.price_float(base, day))
    return world.log.add(
        ts,
        {"type": "trade", "customer_id": c.customer_id, "side": side, "base_asset": base, "quote_asset": quote,
         "amount": amount, "amount_usd": usd_value(amount, price), "price": format(price, "f")},
    )  # fmt: skip


def address_add(
    world: World, c: Customer, ts: int, network: str, address: str, device: Device | None, ip: str | None,
    label: str | None = None,
) -> int:  # fmt: skip
    c.address_book.setdefault(network, []).append(address)
    c.saved_at.setdefault(address, ts)
    payload: dict[str, Any] = {
        "type": "address_book_change", "customer_id": c.customer_id, "action": "add", "address": address,
        "network": network,
    }  # fmt: skip
    if label:
        payload["label"] = label
    if device is not None:
        payload["device_id"] = device.device_id
        payload["ip"] = ip
    return world.log.add(ts, payload)


def address_remove(world: World, c: Customer, ts: int, network: str, address: str, device: Device) -> int:
    c.address_book[network].remove(address)
    return world.log.add(
        ts,
        {"type": "address_book_change", "customer_id": c.customer_id, "action": "remove", "address": address,
         "network": network, "device_id": device.device_id},
    )  # fmt: skip


def profile_change(world: World, c: Customer, ts: int, field: str, device: Device | None, ip: str | None) -> int:
    payload: dict[str, Any] = {"type": "profile_change", "customer_id": c.customer_id, "field": field}
    if device is not None:
        payload["device_id"] = device.device_id
        payload["ip"] = ip
    return world.log.add(ts, payload)


def network_for(world: World, asset: str) -> str:
    networks = ASSETS[asset].networks
    if len(networks) == 1:
        return networks[0][0]
    draw, total = world.rng.random(), 0.0
    for network, share in networks:
        total += share
        if draw < total:
            return network
    return networks[-1][0]
