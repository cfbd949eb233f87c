"""A small labelled event generator for the fraud model's tests and its shipped default model.

A stop-gap beside the full simulator (`warden simulate`): normal customers with realistic noise (new
phones, travel, password resets, withdrawals to shared exchange addresses), account takeovers (new device
and often new country, credential change, drain to a new address) and coached scams (pig butchering and
impersonation: grooming deposits, then withdrawals to collection addresses shared across victims).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from warden.events.models import EVENT_ADAPTER, AnyEvent

COUNTRIES = ("DE", "FR", "GB", "NL", "ES", "IT", "PL", "SE", "US", "BR", "TR", "JP")


@dataclass
class Labelled:
    events: list[AnyEvent] = field(default_factory=list)
    labels: list[dict[str, str]] = field(default_factory=list)


class _Gen:
    def __init__(self, seed: int, start: datetime, days: int) -> None:
        self.rng = random.Random(seed)
        self.start = start
        self.days = days
        self.raw: list[dict[str, Any]] = []
        self.labels: list[dict[str, str]] = []
        self.n = 0
        self.shared_exchange_addresses = [self.address() for _ in range(15)]

    def address(self) -> str:
        return "0x" + "".join(self.rng.choice("0123456789abcdef") for _ in range(40))

    def emit(self, kind: str, customer: str, when: datetime, **fields: Any) -> str:
        self.n += 1
        event_id = f"ev-{self.n:08d}"
        self.raw.append({"event_id": event_id, "type": kind, "customer_id": customer, "occurred_at": when, **fields})
        return event_id

    def money(self, usd: float) -> dict[str, str]:
        usd = max(usd, 1.0)
        return {"asset": "USDT", "network": "ethereum", "amount": f"{usd:.2f}", "amount_usd": f"{usd:.2f}"}

    def at(self, day: float) -> datetime:
        return self.start + timedelta(seconds=round(day * 86_400, 3))

    def normal(self, customer: str, until: float | None = None) -> dict[str, Any]:
        """A customer's ordinary life; returns the profile scenarios build on."""
        rng = self.rng
        home = rng.choice(COUNTRIES)
        devices = [f"dev-{customer}-0"]
        ip = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}"
        own = [self.address() for _ in range(rng.randint(1, 2))]
        if rng.random() < 0.3:
            own.append(rng.choice(self.shared_exchange_addresses))
        joined = rng.uniform(0, self.days * 0.3)
        end = self.days if until is None else until
        scale = rng.lognormvariate(6, 1.0)
        self.emit("login", customer, self.at(joined), device_id=devices[0], ip=ip, country=home, success=True)
        for address in own:
            self.emit(
                "address_book_change",
                customer,
                self.at(joined + 0.01),
                action="add",
                address=address,
                network="ethereum",
            )
        day = joined + rng.uniform(0.05, 2)
        while day < end:
            r = rng.random()
            if r < 0.03:  # a new phone or laptop
                devices.append(f"dev-{customer}-{len(devices)}")
            country = home if rng.random() > 0.05 else rng.choice(COUNTRIES)
            device = rng.choice(devices[-2:])
            if rng.random() < 0.05:
                self.emit("login", customer, self.at(day), device_id=device, ip=ip, country=country, success=False)
            self.emit("login", customer, self.at(day + 0.001), device_id=device, ip=ip, country=country, success=True)
            action = rng.random()
            if action < 0.35:
                self.emit(
                    "deposit",
                    customer,
                    self.at(day + 0.01),
                    to_address=f"dep-{customer}",
                    **self.money(scale * rng.uniform(0.3, 2)),
                )
            elif action < 0.6:
                self.emit(
                    "trade",
                    customer,
                    self.at(day + 0.01),
                    side=rng.choice(("buy", "sell")),
                    base_asset="BTC",
                    quote_asset="USDT",
                    amount="0.01",
                    amount_usd=f"{scale:.2f}",
                )
            elif action < 0.85:
                if rng.random() < 0.05:
                    self.emit(
                        "profile_change", customer, self.at(day + 0.005), field="password", device_id=device, ip=ip
                    )
                destination = rng.choice(own)
                if rng.random() < 0.08:  # a one-off new destination
                    destination = self.address()
                self.emit(
                    "withdrawal",
                    customer,
                    self.at(day + 0.02),
                    to_address=destination,
                    device_id=device,
                    ip=ip,
                    **self.money(scale * rng.uniform(0.2, 1.5)),
                )
            day += rng.expovariate(1 / 2.5)
        return {"home": home, "devices": devices, "ip": ip, "own": own, "scale": scale, "joined": joined}

    def account_takeover(self, customer: str, scenario: str, attacker: dict[str, Any]) -> None:
        rng = self.rng
        hit = rng.uniform(self.days * 0.45, self.days * 0.95)
        profile = self.normal(customer, until=hit)
        self.labels.append(_label("customer", customer, "fraud", "account_takeover", scenario))
        country = attacker["country"] if rng.random() < 0.7 else profile["home"]
        for i in range(rng.choice((0, 0, 2, 5))):
            self.emit(
                "login",
                customer,
                self.at(hit - 0.01 + i * 0.0005),
                device_id=attacker["device"],
                ip=attacker["ip"],
                country=country,
                success=False,
            )
        self.emit(
            "login",
            customer,
            self.at(hit),
            device_id=attacker["device"],
            ip=attacker["ip"],
            country=country,
            success=True,
        )
        t = hit + rng.uniform(0.002, 0.05)
        if rng.random() < 0.6:
            self.emit(
                "profile_change",
                customer,
                self.at(t),
                field=rng.choice(("password", "2fa", "email")),
                device_id=attacker["device"],
                ip=attacker["ip"],
            )
            t += rng.uniform(0.001, 0.02)
        if rng.random() < 0.5:
            self.emit(
                "address_book_change",
                customer,
                self.at(t),
                action="add",
                address=attacker["address"],
                network="ethereum",
                device_id=attacker["device"],
                ip=attacker["ip"],
            )
            t += rng.uniform(0.001, 0.01)
        for _ in range(rng.choice((1, 1, 2, 3))):
            event_id = self.emit(
                "withdrawal",
                customer,
                self.at(t),
                to_address=attacker["address"],
                device_id=attacker["device"],
                ip=attacker["ip"],
                **self.money(profile["scale"] * rng.uniform(1, 4)),
            )
            self.labels.append(_label("event", event_id, "fraud", "account_takeover", scenario))
            t += rng.uniform(0.001, 0.03)

    def coached_scam(self, customer: str, scenario: str, typology: str, collection: list[str]) -> None:
        rng = self.rng
        hook = rng.uniform(self.days * 0.3, self.days * 0.7)
        profile = self.normal(customer, until=hook)
        self.labels.append(_label("customer", customer, "scam_victim", typology, scenario))
        device = profile["devices"][-1]
        if typology == "impersonation" and rng.random() < 0.6:  # coached to install a "security app"
            device = f"dev-{customer}-remote"
        day = hook
        amount = profile["scale"] * rng.uniform(0.5, 1.5)
        for step in range(rng.randint(3, 6)):
            self.emit(
                "login",
                customer,
                self.at(day),
                device_id=device,
                ip=profile["ip"],
                country=profile["home"],
                success=True,
            )
            self.emit(
                "deposit",
                customer,
                self.at(day + 0.01),
                to_address=f"dep-{customer}",
                channel="fiat",
                **self.money(amount),
            )
            if typology == "impersonation" and step == 0 and rng.random() < 0.5:
                self.emit(
                    "profile_change",
                    customer,
                    self.at(day + 0.015),
                    field=rng.choice(("password", "phone")),
                    device_id=device,
                    ip=profile["ip"],
                )
            if rng.random() < 0.6:
                self.emit(
                    "address_book_change",
                    customer,
                    self.at(day + 0.02),
                    action="add",
                    address=collection[step % len(collection)],
                    network="ethereum",
                )
            event_id = self.emit(
                "withdrawal",
                customer,
                self.at(day + 0.03),
                to_address=collection[step % len(collection)],
                device_id=device,
                ip=profile["ip"],
                **self.money(amount * rng.uniform(0.85, 1.0)),
            )
            self.labels.append(_label("event", event_id, "scam_victim", typology, scenario))
            amount *= rng.uniform(1.3, 2.5)
            day += rng.uniform(1, 5)


def _label(entity_type: str, entity_id: str, label: str, typology: str, scenario: str) -> dict[str, str]:
    return {
        "entity_type": entity_type,
        "entity_id": entity_id,
        "label": label,
        "typology": typology,
        "scenario_id": scenario,
    }


def generate(
    seed: int = 7,
    customers: int = 300,
    takeovers: int = 30,
    scams: int = 30,
    days: int = 90,
    start: datetime = datetime(2026, 1, 1, tzinfo=UTC),
) -> Labelled:
    """Events in time order (validated against the contract) and their ground-truth labels."""
    gen = _Gen(seed, start, days)
    for i in range(customers):
        gen.normal(f"c{i:05d}")
    for i in range(takeovers):
        ring = i // 3  # attackers reuse a device and a cash-out address for a few victims
        attacker = {
            "device": f"atk-dev-{seed}-{ring}",
            "ip": f"185.1.{ring % 256}.7",
            "country": gen.rng.choice(COUNTRIES),
            "address": f"0xatk{seed:04d}{ring:032d}",
        }
        gen.account_takeover(f"ato{i:04d}", f"ato-{ring}", attacker)
    for i in range(scams):
        group = i // 4  # one scam operation collects from several victims
        typology = "pig_butchering" if group % 2 == 0 else "impersonation"
        collection = [f"0xscm{seed:04d}{group:030d}{k:02d}" for k in range(2)]
        gen.coached_scam(f"scam{i:04d}", f"scam-{group}", typology, collection)
    gen.raw.sort(key=lambda r: (r["occurred_at"], r["event_id"]))  # datetimes, not strings
    events = [EVENT_ADAPTER.validate_python(r) for r in gen.raw]
    return Labelled(events=events, labels=gen.labels)
