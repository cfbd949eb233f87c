"""The customer base: segments, countries, people, devices, IPs, social circles, onboarding KYC and history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from warden.sim import actions
from warden.sim.assets import ASSET_MIX, MEMO_NETWORKS, random_address
from warden.sim.identity import (
    COUNTRIES,
    COUNTRY_WEIGHTS,
    Country,
    document_number,
    email_for,
    make_person,
    mrz_for,
    phone_for,
    pick,
    postal_address,
)
from warden.sim.world import DAY, Customer, Device, World


@dataclass(frozen=True, slots=True)
class Segment:
    name: str
    share: float
    median_usd: float
    sessions_per_day: float
    weekend_factor: float
    hours: tuple[float, ...]  # relative activity per local hour 0..23


_EVENING = (1, 0.5, 0.3, 0.2, 0.2, 0.3, 0.8, 1.5, 2, 2, 2, 2.2, 2.8, 2.5, 2.2, 2.2, 2.4, 2.8, 3.5, 4.5, 5, 4.8, 3.5, 2)
_TRADER = (2, 1.5, 1, 0.8, 0.8, 1, 1.5, 2.5, 3.5, 4, 4, 4, 3.8, 3.8, 4, 4.2, 4.5, 4.5, 4, 4, 4, 3.8, 3.2, 2.5)
_OFFICE = (0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.5, 4, 5, 5, 5, 4, 4.5, 5, 5, 4.5, 3, 1.5, 1, 0.8, 0.5, 0.3, 0.2)
SEGMENTS: dict[str, Segment] = {
    s.name: s
    for s in (
        Segment("retail", 0.735, 120.0, 0.45, 1.35, _EVENING),
        Segment("trader", 0.18, 1_200.0, 2.2, 0.9, _TRADER),
        Segment("whale", 0.025, 40_000.0, 0.9, 0.8, _TRADER),
        Segment("merchant", 0.05, 300.0, 1.0, 0.4, _OFFICE),
        Segment("otc", 0.01, 25_000.0, 1.6, 0.3, _OFFICE),
    )
}
MOBILE_AGENTS = ("WardenApp/5.12.1 (iOS 18.1; iPhone15,3)", "WardenApp/5.12.0 (Android 14; SM-S918B)",
                 "WardenApp/5.11.4 (Android 13; Redmi Note 12)", "WardenApp/5.12.1 (iOS 17.6; iPhone13,2)")  # fmt: skip
DESKTOP_AGENTS = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0", "Mozilla/5.0 (Macintosh; Mac OS X 14_6) Safari/605.1",
                  "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Edg/131.0")  # fmt: skip
NEW_CUSTOMER_SHARE = 0.15


def new_device(world: World, mobile: bool | None = None) -> Device:
    is_mobile = world.rng.random() < 0.6 if mobile is None else mobile
    agent = pick(world.rng, MOBILE_AGENTS if is_mobile else DESKTOP_AGENTS)
    return Device("dv_" + world.rng.bytes(6).hex(), agent)


def is_mobile(device: Device) -> bool:
    return device.user_agent.startswith("WardenApp")


def ip_in(world: World, country: str) -> str:
    a, b = world.ip_prefixes[country][int(world.rng.integers(len(world.ip_prefixes[country])))]
    return f"{a}.{b}.{int(world.rng.integers(0, 256))}.{int(world.rng.integers(1, 255))}"


def _ip_prefixes(rng: np.random.Generator) -> dict[str, list[tuple[int, int]]]:
    private = {0, 10, 100, 127, 169, 172, 192, 198, 203}
    firsts = [a for a in range(1, 224) if a not in private]
    return {c.code: [(int(rng.choice(firsts)), int(rng.integers(0, 256))) for _ in range(6)] for c in COUNTRIES}


def build_population(world: World) -> None:
    rng, cfg = world.rng, world.config
    world.ip_prefixes = _ip_prefixes(rng)
    world.exchange_addresses = {n: random_address(rng, n) for n in sorted(MEMO_NETWORKS)}
    ids = rng.choice(10_000_000, size=cfg.customers, replace=False)
    names = list(SEGMENTS)
    shares = np.array([SEGMENTS[n].share for n in names])
    segments = rng.choice(len(names), size=cfg.customers, p=shares / shares.sum())
    countries = rng.choice(len(COUNTRIES), size=cfg.customers, p=COUNTRY_WEIGHTS)
    tags = rng.choice(900_000_000, size=cfg.customers, replace=False) + 100_000_000
    for i in range(cfg.customers):
        world.customers.append(_customer(world, i, f"cus_{int(ids[i]):07d}", names[int(segments[i])],
                                         COUNTRIES[int(countries[i])], int(tags[i])))  # fmt: skip
    _social_graph(world)


def _customer(world: World, index: int, customer_id: str, segment: str, country: Country, tag: int) -> Customer:
    rng = world.rng
    if rng.random() < NEW_CUSTOMER_SHARE:
        onboarded = world.random_ts(world.start, world.end - 2 * DAY)
    else:
        onboarded = world.start - int(rng.integers(20 * DAY, 1_500 * DAY))
    person = make_person(rng, country)
    devices = [new_device(world, mobile=True)] if rng.random() < 0.7 else [new_device(world, mobile=False)]
    for _ in range(int(rng.choice([0, 1, 2], p=[0.45, 0.4, 0.15]))):
        devices.append(new_device(world))
    weights = np.array([w for _, w in ASSET_MIX])
    favourites = rng.choice(len(ASSET_MIX), size=int(rng.integers(1, 5)), replace=False, p=weights / weights.sum())
    median = SEGMENTS[segment].median_usd * float(rng.lognormal(0.0, 0.7))
    return Customer(
        index=index, customer_id=customer_id, segment=segment, country=country, person=person, onboarded=onboarded,
        activity=float(rng.lognormal(-0.1, 0.55)), median_usd=median, devices=devices,
        home_ips=[ip_in(world, country.code) for _ in range(int(rng.integers(1, 3)))],
        email=email_for(rng, person), phone=phone_for(rng, country), bank_ref="ref:WDN" + rng.bytes(5).hex().upper(),
        memo_tag=tag, favourite_assets=[ASSET_MIX[int(i)][0] for i in favourites],
        opening_usd=0.0 if onboarded >= world.start else median * float(rng.lognormal(2.0, 0.8)),
    )  # fmt: skip


def _social_graph(world: World) -> None:
    """Small friend circles within a country, and the merchants people pay."""
    rng = world.rng
    by_country: dict[str, list[Customer]] = {}
    for c in world.customers:
        if c.segment in ("retail", "trader") and rng.random() < 0.55:
            by_country.setdefault(c.country.code, []).append(c)
    for members in by_country.values():
        order = rng.permutation(len(members))
        start = 0
        while start < len(order):
            size = int(rng.integers(3, 7))
            circle = [members[int(i)] for i in order[start : start + size]]
            for member in circle:
                member.circle = [m.index for m in circle if m is not member]
            start += size
    merchants = [c.index for c in world.customers if c.segment == "merchant"]
    if merchants:
        for c in world.customers:
            if c.segment == "retail" and rng.random() < 0.3:
                c.merchants = [merchants[int(i)] for i in rng.integers(0, len(merchants), size=int(rng.integers(1, 3)))]


def prepare_kyc(world: World, c: Customer) -> None:
    """The onboarding submission (emitted later, so identity-ring scenarios can rework it first)."""
    rng = world.rng
    document_type = str(rng.choice(["passport", "id_card", "driving_licence"], p=[0.55, 0.35, 0.10]))
    number = document_number(rng, document_type)
    onboard_day = datetime.fromtimestamp(c.onboarded, UTC).date()
    expiry = onboard_day + timedelta(days=int(rng.integers(200, 3_600)))
    c.kyc = {
        "full_name": c.person.full_name, "date_of_birth": c.person.date_of_birth.isoformat(),
        "nationality": c.country.code, "document_type": document_type, "document_number": number,
        "document_country": c.country.code, "email": c.email, "phone": c.phone,
        "address": postal_address(rng, c.country), "device_id": c.devices[0].device_id, "ip": c.home_ips[0],
    }  # fmt: skip
    mrz = mrz_for(c.person, document_type, number, expiry)
    if mrz:
        c.kyc["mrz"] = mrz
    c.kyc["_expiry"] = expiry  # kept for rings that re-issue documents; dropped on emission


def emit_kyc(world: World, c: Customer) -> int:
    payload = {"type": "kyc_submission", "customer_id": c.customer_id}
    payload.update({k: v for k, v in c.kyc.items() if not k.startswith("_")})
    return world.log.add(c.onboarded, payload)


def emit_history(world: World, c: Customer) -> None:
    """Addresses saved before the window, so withdrawals early in the window have a known destination."""
    if c.onboarded >= world.start or (c.segment == "retail" and world.rng.random() < 0.2):
        return
    for asset in c.favourite_assets[: int(world.rng.integers(1, 3))]:
        network = actions.network_for(world, asset)
        when = world.random_ts(c.onboarded + DAY, world.start - DAY)
        address = random_address(world.rng, network, checksum_share=0.3)
        actions.address_add(world, c, when, network, address, c.devices[0], c.home_ips[0], label=_label(world))


def _label(world: World) -> str | None:
    return (
        pick(world.rng, ("Ledger", "my wallet", "cold storage", "MetaMask", "Trust", "savings"))
        if world.rng.random() < 0.6
        else None
    )
