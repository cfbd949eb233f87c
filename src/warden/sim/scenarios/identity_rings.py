"""Synthetic-identity rings: several customers onboarded within days of each other whose submissions share a
device, a phone (or one a digit apart), email variants of one mailbox (dots, plus tags, case) and document
numbers with small edits, under different names. Look-alike: households (see `lookalikes`)."""

from __future__ import annotations

from warden.sim.identity import make_person, mrz_for
from warden.sim.population import ip_in, new_device
from warden.sim.world import DAY, Customer, World

TYPOLOGY = "shared_identity"


def plan(world: World) -> list[list[Customer]]:
    rings = []
    for _ in range(world.config.scenario_count(6, minimum=2)):
        members = world.take(int(world.rng.integers(3, 7)), ("retail",), TYPOLOGY)
        shared = new_device(world, mobile=False)
        spread = min(5 * DAY, world.config.days * DAY // 3)  # onboarded within days of each other
        first = world.random_ts(world.start, world.end - spread - DAY)
        lead = members[0]
        for member in members:
            member.quiet = True
            if member is not lead:  # one operator in one place: same country, often the same connection
                member.country = lead.country
                member.home_ips = list(lead.home_ips) if world.rng.random() < 0.5 else [ip_in(world, lead.country.code)]
            member.onboarded = world.random_ts(first, first + spread)
            member.opening_usd = 0.0
            if world.rng.random() < 0.8:
                member.devices[0] = shared
        rings.append(members)
    return rings


def _email_variant(world: World, local: str, domain: str, i: int) -> str:
    style = i % 4
    if style == 0:
        return f"{local}@{domain}"
    if style == 1:
        cut = int(world.rng.integers(1, len(local)))
        return f"{local[:cut]}.{local[cut:]}@{domain}"
    if style == 2:
        return f"{local}+{int(world.rng.integers(1, 99))}@{domain}"
    return f"{local.capitalize()}@{domain}"


def _edit(world: World, number: str) -> str:
    """Change one character, keeping its class (digit stays digit, letter stays letter)."""
    pos = int(world.rng.integers(len(number)))
    ch = number[pos]
    pool = "0123456789" if ch.isdigit() else "ABCDEFGHJKLMNPRSTUVWXYZ"
    repl = pool[int(world.rng.integers(len(pool)))]
    return number[:pos] + repl + number[pos + 1 :]


def inject(world: World, rings: list[list[Customer]]) -> None:
    for members in rings:
        scenario = world.next_scenario("syn")
        lead = members[0]
        local = lead.kyc["email"].split("@")[0].replace(".", "").replace("_", "").split("+")[0].lower()
        domain = "gmail.com"
        base_number, base_phone = lead.kyc["document_number"], lead.kyc["phone"]
        for i, member in enumerate(members):
            person = make_person(world.rng, member.country)  # a different invented name on each account
            document_type = lead.kyc["document_type"]
            number = base_number if i == 0 else _edit(world, base_number)
            phone = base_phone if world.rng.random() < 0.5 else base_phone[:-1] + str(int(world.rng.integers(10)))
            member.kyc.update(
                full_name=person.full_name, date_of_birth=person.date_of_birth.isoformat(),
                nationality=member.country.code, document_country=member.country.code,
                document_type=document_type, document_number=number, email=_email_variant(world, local, domain, i),
                phone=phone, device_id=member.devices[0].device_id,
            )  # fmt: skip
            if world.rng.random() < 0.5:
                member.kyc["address"] = lead.kyc["address"]
            member.kyc.pop("mrz", None)
            mrz = mrz_for(person, document_type, number, lead.kyc["_expiry"])
            if mrz:
                member.kyc["mrz"] = mrz
            world.log.label_customer(member.customer_id, "synthetic_identity", TYPOLOGY, scenario)
