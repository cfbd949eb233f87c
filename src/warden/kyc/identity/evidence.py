"""Pairwise evidence that two KYC submissions are controlled by one person, in bits (Fellegi-Sunter).

Each agreement weighs log2(m / u): `u` is how often two *unrelated* customers agree this way, read from the
population's own frequencies, per value (a device on 6 accounts is weaker evidence than one on 2; a popular
IP or a household address weighs little); `m` is how often a ring's accounts agree this way, a prior about
fraudsters' habits (documented in M_PRIORS), not fitted to any data set.

Attributes come in two kinds. Person attributes (device, e-mail, phone, document, name, date of birth,
face) should be unique to one person, so sharing them across declared identities is the synthetic-identity
signal. Context attributes (postal address, IP, IP network) are legitimately shared by households, offices
and carrier NAT: they only corroborate, they count once (the strongest of them, as they are not
independent), and never link on their own.

Disagreement is not counted against a link: a ring's identities are meant to disagree.
"""

from __future__ import annotations

import contextlib
import math
import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from warden.kyc.identity.normalise import deletion_keys
from warden.kyc.identity.records import IdentityRecord

EVIDENCE_VERSION = "identity-evidence-1"

# m: share of pairs of one ring's accounts expected to agree this way (priors, see module docstring).
M_PRIORS: dict[str, float] = {
    "device": 0.6,
    "face": 0.9,
    "email": 0.3,
    "phone": 0.2,
    "document": 0.2,
    "name": 0.3,
    "date_of_birth": 0.3,
    "context": 0.5,
}
PERSON_FAMILIES = ("device", "face", "email", "phone", "document", "name", "date_of_birth")
CONTEXT_FAMILIES = ("address", "ip", "ip_network")
NAME_NEAR = 90.0  # token-sort ratio: one typo or transliteration in a full name, not a shared surname
MIN_MAILBOX = 4  # shorter mailboxes ('info', 'jo') say little
MIN_STEM = 5
MIN_NEAR_LEN = 6  # document numbers and phones shorter than this are not compared one edit apart
FACE_MAX_DISTANCE = 0.6  # dlib L2 operating point (FaceIndex / DlibFaceMatcher)
DEFAULT_FACE_FMR = 0.001  # u of a face agreement: the matcher's false match rate at that distance; calibrate


@dataclass(frozen=True, slots=True)
class Agreement:
    family: str  # a person family or 'address' / 'ip' / 'ip_network'
    level: str  # 'exact', 'mailbox', 'stem', 'near', ...
    value: str  # what is shared, for the reviewer
    bits: float


def _dob_variants(d: date) -> list[date]:
    """Dates a fabricator derives from one birth date: the year moved by one, day and month swapped."""
    out: list[date] = []
    for year in (d.year - 1, d.year + 1):
        with contextlib.suppress(ValueError):  # 29 February
            out.append(d.replace(year=year))
    if d.day <= 12 and d.day != d.month:
        with contextlib.suppress(ValueError):
            out.append(date(d.year, d.day, d.month))
    return out


def dob_near(a: date, b: date) -> bool:
    return abs((a - b).days) <= 3 or b in _dob_variants(a)


def name_near(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """One typo or variant apart, in the declared order or with the parts reordered (sorting alone moves a
    mistyped part: 'peez' sorts before 'pena', 'perez' after)."""
    if not a or not b:
        return False
    x, y = " ".join(a), " ".join(b)
    return max(fuzz.ratio(x, y), fuzz.token_sort_ratio(x, y)) >= NAME_NEAR


class Population:
    """Value frequencies over distinct customers, from which every `u` is read. A face agreement's `u` is
    the face matcher's false match rate at its threshold (`face_fmr`, from the operator's calibration)."""

    def __init__(self, records: Iterable[IdentityRecord], face_fmr: float = DEFAULT_FACE_FMR) -> None:
        self.face_fmr = face_fmr
        self.records = list(records)
        customers: dict[str, set[str]] = defaultdict(set)
        for r in self.records:
            for key in self.keys(r):
                customers[key].add(r.customer_id)
        self.counts: dict[str, int] = {k: len(v) for k, v in customers.items()}
        self.n = max(2, len({r.customer_id for r in self.records}))
        tokens: Counter[str] = Counter()
        for names in {r.customer_id: set(r.name) for r in self.records}.values():
            tokens.update(names)
        self.token_df = tokens
        self.dobs = sorted(r.date_of_birth for r in self.records)
        self.dob_count = Counter(self.dobs)

    @staticmethod
    def keys(r: IdentityRecord) -> list[str]:
        """Every exact key a record is counted (and blocked) under, prefixed by its family."""
        keys = [f"email:{r.email}", f"phone:{r.phone}", f"document:{r.document_country}:{r.document}"]
        if len(r.mailbox) >= MIN_MAILBOX:
            keys.append(f"mailbox:{r.mailbox}")
        if len(r.email_stem) >= MIN_STEM:
            keys.append(f"stem:{r.email_stem}")
        if r.device:
            keys.append(f"device:{r.device}")
        if r.name:
            keys.append(f"name:{' '.join(sorted(r.name))}")
        if r.address:
            keys.append(f"address:{r.address}")
        if r.ip:
            keys.append(f"ip:{r.ip}")
        if r.ip_prefix:
            keys.append(f"ip_network:{r.ip_prefix}")
        if len(r.document) >= MIN_NEAR_LEN:
            keys += [f"document~:{k}" for k in deletion_keys(r.document)]
        if len(r.phone) >= MIN_NEAR_LEN:
            keys += [f"phone~:{k}" for k in deletion_keys(r.phone)]
        return keys

    def u(self, *keys: str) -> float:
        """Chance an unrelated customer shares this value: (customers holding it - 1) / (N - 1), the larger
        over the keys given (both sides of a pair), never below one customer in N."""
        holders = max((self.counts.get(k, 1) for k in keys), default=1)
        return max(1, holders - 1) / (self.n - 1)

    def u_near(self, prefix: str, a: str, b: str) -> float:
        """One edit apart: the customers sharing a one-deletion key with either side (an upper bound)."""
        holders = max(max((self.counts.get(f"{prefix}:{k}", 1) for k in deletion_keys(v)), default=1) for v in (a, b))
        return max(1, holders - 1) / (self.n - 1)

    def u_name(self, a: tuple[str, ...], b: tuple[str, ...]) -> float:
        """A full name (near) match: namesakes in the population (either spelling), or the product of the
        parts' frequencies (shorter name) where that is larger; at least one customer in N."""
        shorter = a if len(a) <= len(b) else b
        p = 1.0
        for t in shorter:
            p *= max(1, self.token_df.get(t, 1)) / self.n
        namesakes = self.u(f"name:{' '.join(sorted(a))}", f"name:{' '.join(sorted(b))}")
        return max(p, namesakes)

    def u_dob(self, d: date, exact: bool) -> float:
        if exact:
            return max(1, self.dob_count[d] - 1) / (self.n - 1)
        lo = bisect_left(self.dobs, d - timedelta(days=3))
        hi = bisect_right(self.dobs, d + timedelta(days=3))
        near = (hi - lo) + sum(self.dob_count[v] for v in _dob_variants(d))
        return max(1, near - 1) / (self.n - 1)


def _bits(family: str, u: float) -> float:
    return math.log2(M_PRIORS[family] / u)


def face_agreement(a: Sequence[float], b: Sequence[float], face_fmr: float = DEFAULT_FACE_FMR) -> Agreement | None:
    """Two faces within the matcher's distance: an agreement worth log2(m / FMR) bits (the graph's and the
    session's 1:N search's one rule)."""
    distance = math.dist(a, b)
    if distance > FACE_MAX_DISTANCE:
        return None
    return Agreement("face", "match", f"distance {distance:.3f}", _bits("face", face_fmr))


def compare(pop: Population, a: IdentityRecord, b: IdentityRecord) -> list[Agreement]:
    """Every agreement between two submissions, with its weight."""
    out: list[Agreement] = []
    if a.device and a.device == b.device:
        out.append(Agreement("device", "exact", a.device, _bits("device", pop.u(f"device:{a.device}"))))
    if a.face is not None and b.face is not None:
        face = face_agreement(a.face, b.face, pop.face_fmr)
        if face is not None:
            out.append(face)
    if a.email == b.email:
        out.append(Agreement("email", "exact", a.email, _bits("email", pop.u(f"email:{a.email}"))))
    elif len(a.mailbox) >= MIN_MAILBOX and a.mailbox == b.mailbox:
        out.append(Agreement("email", "mailbox", a.mailbox, _bits("email", pop.u(f"mailbox:{a.mailbox}"))))
    elif len(a.email_stem) >= MIN_STEM and a.email_stem == b.email_stem:
        out.append(Agreement("email", "stem", a.email_stem, _bits("email", pop.u(f"stem:{a.email_stem}"))))
    if a.phone == b.phone:
        out.append(Agreement("phone", "exact", a.phone, _bits("phone", pop.u(f"phone:{a.phone}"))))
    elif min(len(a.phone), len(b.phone)) >= MIN_NEAR_LEN and OSA.distance(a.phone, b.phone) == 1:
        u = pop.u_near("phone~", a.phone, b.phone)
        out.append(Agreement("phone", "near", f"{a.phone}~{b.phone}", _bits("phone", u)))
    if a.document == b.document and a.document_country == b.document_country:
        key = f"document:{a.document_country}:{a.document}"
        out.append(Agreement("document", "exact", a.document, _bits("document", pop.u(key))))
    elif min(len(a.document), len(b.document)) >= MIN_NEAR_LEN and OSA.distance(a.document, b.document) == 1:
        u = pop.u_near("document~", a.document, b.document)
        out.append(Agreement("document", "near", f"{a.document}~{b.document}", _bits("document", u)))
    if a.name and sorted(a.name) == sorted(b.name):
        out.append(Agreement("name", "exact", " ".join(a.name), _bits("name", pop.u_name(a.name, b.name))))
    elif name_near(a.name, b.name):
        value = f"{' '.join(a.name)}~{' '.join(b.name)}"
        out.append(Agreement("name", "near", value, _bits("name", pop.u_name(a.name, b.name))))
    if a.date_of_birth == b.date_of_birth:
        u = pop.u_dob(a.date_of_birth, exact=True)
        out.append(Agreement("date_of_birth", "exact", a.date_of_birth.isoformat(), _bits("date_of_birth", u)))
    elif dob_near(a.date_of_birth, b.date_of_birth):
        u = max(pop.u_dob(a.date_of_birth, exact=False), pop.u_dob(b.date_of_birth, exact=False))
        value = f"{a.date_of_birth.isoformat()}~{b.date_of_birth.isoformat()}"
        out.append(Agreement("date_of_birth", "near", value, _bits("date_of_birth", u)))
    if a.address and a.address == b.address:
        out.append(Agreement("address", "exact", a.address, _bits("context", pop.u(f"address:{a.address}"))))
    if a.ip and a.ip == b.ip:
        out.append(Agreement("ip", "exact", a.ip, _bits("context", pop.u(f"ip:{a.ip}"))))
    elif a.ip_prefix and a.ip_prefix == b.ip_prefix:
        key = f"ip_network:{a.ip_prefix}"
        out.append(Agreement("ip_network", "exact", a.ip_prefix, _bits("context", pop.u(key))))
    return out


def name_derived(mailbox: str, name: tuple[str, ...]) -> bool:
    """Is the mailbox (digits and dots aside) spelt from the name: parts, their prefixes and initials
    ('jorgepena75', 'braunnik', 'fbauer')? Then it carries no evidence beyond the name's."""
    letters = re.sub(r"[^a-z]", "", mailbox)
    if not letters or not name:
        return False
    reach = [True] + [False] * len(letters)  # reach[i]: letters[:i] is spelt from name parts
    for i in range(len(letters)):
        if not reach[i]:
            continue
        for token in name:
            k = 0
            while k < len(token) and i + k < len(letters) and letters[i + k] == token[k]:
                k += 1
                reach[i + k] = True
    return reach[-1]


def link_weight(agreements: list[Agreement], a: IdentityRecord, b: IdentityRecord) -> tuple[float, bool]:
    """(total bits, has person evidence), with agreements that one benign story explains counted once:

    - namesakes: the same name spelt the same way, and a mailbox spelt from it (`kevin.walsh@...`), and
      households: the same address, IP or network, often the same surname or whole name (father and son).
      With an exact name these form one group and only its strongest counts.
    - a near name (one typo or variant apart) is not what namesakes produce, so it stands on its own with
      context; a mailbox spelt from the name still goes with the name, as it follows from it.
    - a device shared at the same address or IP is a household's family computer: it goes with the
      context, and only person evidence beyond it (a document, phone, e-mail, birth date) links them.
    - a mailbox or stem shared by two people of exactly the same name goes with the name too, even where
      it cannot be read as spelt from it (a name written in another script: `田中陽翔` and `harutotanaka`);
      only the very same address stands on its own.
    Person agreements outside these groups add up. Context alone never links."""
    exact_name = any(g.family == "name" and g.level == "exact" for g in agreements)
    derived = (
        name_derived(a.mailbox, a.name)
        or name_derived(b.mailbox, b.name)
        or (exact_name and any(g.family == "email" and g.level != "exact" for g in agreements))
    )
    name = [g.bits for g in agreements if g.family == "name" and g.bits > 0]
    home = any(g.family in ("address", "ip") for g in agreements)
    name_mail = [g.bits for g in agreements if g.family == "email" and derived and g.bits > 0]
    household_device = [g.bits for g in agreements if g.family == "device" and home and g.bits > 0]
    context = [g.bits for g in agreements if g.family in CONTEXT_FAMILIES and g.bits > 0] + household_device
    independent = [
        g.bits
        for g in agreements
        if g.family in PERSON_FAMILIES
        and g.family != "name"
        and not (g.family == "email" and derived)
        and not (g.family == "device" and home)
        and g.bits > 0
    ]
    named = max([*name, *name_mail], default=0.0)
    best_context = max(context, default=0.0)
    explained = max(named, best_context) if exact_name else named + best_context
    return sum(independent) + explained, bool(independent or name or name_mail)
