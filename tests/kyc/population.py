"""A small generated KYC population for identity tests: unrelated customers, rings and benign look-alikes."""

from __future__ import annotations

import json
import random
import string
from datetime import date, timedelta
from pathlib import Path
from typing import Any

FIRST = ["anna", "maria", "lukas", "jonas", "sofia", "omar", "wei", "yuki", "ivan", "lea", "noah", "mila", "arjun"]
LAST = ["keller", "rossi", "novak", "tanaka", "garcia", "okafor", "larsen", "dubois", "silva", "nowak", "haas"]


def _rand(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def person(rng: random.Random, i: int) -> dict[str, Any]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    dob = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 50))
    return {
        "event_id": f"ev_{i:06d}",
        "type": "kyc_submission",
        "occurred_at": "2025-01-01T00:00:00Z",
        "customer_id": f"cu_{i:06d}",
        "full_name": f"{first.title()} {last.title()}",
        "date_of_birth": dob.isoformat(),
        "nationality": "DE",
        "document_type": "passport",
        "document_number": _rand(rng, string.ascii_uppercase + string.digits, 9),
        "document_country": "DE",
        "email": f"{_rand(rng, string.ascii_lowercase, 8)}@example.org",
        "phone": "+49" + _rand(rng, string.digits, 10),
        "address": f"{rng.randrange(1, 300)} {_rand(rng, string.ascii_lowercase, 7)} street",
        "device_id": "dv_" + _rand(rng, "0123456789abcdef", 16),
        "ip": ".".join(str(rng.randrange(1, 255)) for _ in range(4)),
    }


def population(seed: int = 3, n: int = 300) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """(submissions, customer -> scenario) with three rings and two households and namesakes as decoys."""
    rng = random.Random(seed)
    rows = [person(rng, i) for i in range(n)]
    truth: dict[str, str] = {}
    # Ring A: one device, birth dates a day or a year apart, different names.
    base = date(1990, 5, 17)
    for k, i in enumerate(range(0, 4)):
        rows[i]["device_id"] = "dv_ring_a"
        rows[i]["date_of_birth"] = (base + timedelta(days=k % 2) if k < 3 else base.replace(year=1991)).isoformat()
        truth[rows[i]["customer_id"]] = "ring-a"
    # Ring B: e-mail variants (dots, +tags, another domain) and a document number transposed / a digit apart.
    for k, (i, mail) in enumerate(
        zip(range(4, 7), ["x.trader77@gmail.com", "xtrader77+b@gmail.com", "xtrader.77@mail.example"], strict=True)
    ):
        rows[i]["email"] = mail
        rows[i]["document_number"] = ["ZK1234567", "ZK1243567", "ZK1234568"][k]
        truth[rows[i]["customer_id"]] = "ring-b"
    # Ring C: a name with typos and one phone a digit apart, same /24 network, otherwise different.
    for k, i in enumerate(range(7, 10)):
        rows[i]["full_name"] = ["Dmitri Volkov", "Dmitry Volkov", "Dmitri Volkv"][k]
        rows[i]["phone"] = ["+4915112345678", "+4915112345679", "+4915112345678"][k]
        rows[i]["ip"] = f"203.0.113.{10 + k}"
        truth[rows[i]["customer_id"]] = "ring-c"
    # Households: same address and IP, the same surname, different devices, documents and birth dates.
    for h, members in enumerate([range(20, 24), range(24, 27)]):
        for i in members:
            rows[i]["address"] = f"{h + 1} shared lane"
            rows[i]["ip"] = f"198.51.100.{h + 1}"
            rows[i]["full_name"] = f"{rng.choice(FIRST).title()} Haas"
    # Namesakes with name-spelt mailboxes at different providers (and one whole-name clash in a household).
    for i, mail in zip(
        range(30, 33), ["mila.novak@a.example", "milanovak@b.example", "mila.novak@c.example"], strict=True
    ):
        rows[i]["full_name"] = "Mila Novak"
        rows[i]["email"] = mail
    rows[23]["full_name"] = rows[22]["full_name"]
    return rows, truth


def write_events(path: Path, rows: list[dict[str, Any]], extra_lines: list[str] | None = None) -> Path:
    lines = [json.dumps(r) for r in rows] + list(extra_lines or [])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_labels(path: Path, truth: dict[str, str]) -> Path:
    out = ["entity_type,entity_id,label,typology,scenario_id"]
    out += [f"customer,{c},synthetic_identity,shared_identity,{s}" for c, s in sorted(truth.items())]
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path
