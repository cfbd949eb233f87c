"""The identity graph: customers linked when their submissions' evidence outweighs the prior odds that two
customers picked at random are one person (log2 N bits), and rings as its connected components.

Candidate pairs come from blocking keys (every exact and one-edit key of `Population.keys`, plus name and
birth-date keys), so the work follows the shared values, not N squared. A value held by more customers than
`hub_size` is not expanded pair by pair: it is reported as a hub on its own (a device farm, a carrier NAT).
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from itertools import combinations
from typing import Any

from warden.kyc.identity.evidence import (
    DEFAULT_FACE_FMR,
    EVIDENCE_VERSION,
    FACE_MAX_DISTANCE,
    PERSON_FAMILIES,
    Agreement,
    Population,
    compare,
    link_weight,
)
from warden.kyc.identity.records import IdentityRecord

GRAPH_VERSION = f"identity-graph-1/{EVIDENCE_VERSION}"
DEFAULT_HUB_SIZE = 50


@dataclass(frozen=True)
class Link:
    a: str  # customer ids, a < b
    b: str
    bits: float
    agreements: tuple[Agreement, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "customers": [self.a, self.b],
            "bits": round(self.bits, 2),
            "shared": [
                {"attribute": g.family, "level": g.level, "value": g.value, "bits": round(g.bits, 2)}
                for g in self.agreements
            ],
        }


@dataclass
class Ring:
    ring_id: str
    customers: list[str]
    links: list[Link]
    shared: dict[str, list[str]] = field(default_factory=dict)  # attribute -> values shared inside the ring

    @property
    def score(self) -> float:
        return max((link.bits for link in self.links), default=0.0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ring_id": self.ring_id,
            "size": len(self.customers),
            "customers": self.customers,
            "score_bits": round(self.score, 2),
            "shared_attributes": self.shared,
            "reasons": self.reasons(),
            "links": [link.as_dict() for link in self.links],
        }

    def reasons(self) -> list[str]:
        out = []
        for attribute, values in self.shared.items():
            out.append(f"{attribute} shared inside the ring: {', '.join(values[:5])}")
        return out


@dataclass
class IdentityGraph:
    n_customers: int
    threshold_bits: float
    links: list[Link]
    rings: list[Ring]
    hubs: list[dict[str, Any]]
    possible_duplicates: list[Link] = field(default_factory=list)
    version: str = GRAPH_VERSION

    def edges(self) -> list[tuple[str, str, float, tuple[str, ...]]]:
        """(customer, customer, bits, attribute families) for every link: the one identity graph that
        transaction monitoring can read for its ring and mule features instead of building its own."""
        return [(lk.a, lk.b, lk.bits, tuple(sorted({g.family for g in lk.agreements}))) for lk in self.links]

    def neighbours(self, customer_id: str) -> list[tuple[str, float]]:
        """Customers linked to one customer, with the link's weight."""
        out = [(lk.b, lk.bits) for lk in self.links if lk.a == customer_id]
        out += [(lk.a, lk.bits) for lk in self.links if lk.b == customer_id]
        return out

    def ring_of(self) -> dict[str, str]:
        return {c: ring.ring_id for ring in self.rings for c in ring.customers}


def _block_keys(r: IdentityRecord) -> list[str]:
    keys = Population.keys(r)
    if r.name:
        keys.append(f"name-ends:{r.name[0]}:{r.name[-1]}")  # typos in the middle parts still meet
    keys.append(f"dob:{r.date_of_birth.isoformat()}")
    return keys


def _face_pairs(records: list[IdentityRecord], k: int = 10) -> set[tuple[int, int]]:
    """Pairs whose faces are within the match distance: each face's k nearest in a FaceIndex (1:N)."""
    import numpy as np

    from warden.kyc.faces.index import FaceIndex

    with_face = [i for i, r in enumerate(records) if r.face is not None]
    if len(with_face) < 2:
        return set()
    vectors = np.asarray([records[i].face for i in with_face], dtype=np.float32)
    index = FaceIndex.build([str(i) for i in with_face], vectors)
    pairs: set[tuple[int, int]] = set()
    for i, vector in zip(with_face, vectors, strict=True):
        for hit in index.search(vector, k=k, max_distance=FACE_MAX_DISTANCE):
            j = int(hit.customer_id)
            if j != i and records[i].customer_id != records[j].customer_id:
                pairs.add((min(i, j), max(i, j)))
    return pairs


def attach_faces(records: list[IdentityRecord], faces: dict[str, Any]) -> list[IdentityRecord]:
    """Records with each customer's face embedding (customer id -> 128 floats) where one is known."""
    return [
        replace(r, face=tuple(float(v) for v in faces[r.customer_id])) if r.customer_id in faces else r for r in records
    ]


def _candidate_pairs(records: list[IdentityRecord], hub_size: int) -> tuple[set[tuple[int, int]], list[dict[str, Any]]]:
    blocks: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(records):
        for key in _block_keys(r):
            blocks[key].append(i)
    pairs: set[tuple[int, int]] = set()
    hubs: list[dict[str, Any]] = []
    for key, members in blocks.items():
        customers = {records[i].customer_id for i in members}
        if len(customers) < 2:
            continue
        if len(customers) > hub_size:
            family = key.split(":", 1)[0]
            if family in ("device", "phone", "document", "email", "mailbox"):
                hubs.append({"attribute": family, "value": key.split(":", 1)[1], "customers": len(customers)})
            continue
        for i, j in combinations(members, 2):
            if records[i].customer_id != records[j].customer_id:
                pairs.add((i, j) if i < j else (j, i))
    return pairs | _face_pairs(records), hubs


class _Components:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> Iterator[list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        for x in self.parent:
            out[self.find(x)].append(x)
        for members in out.values():
            yield sorted(members)


def _shared(links: Iterable[Link]) -> dict[str, list[str]]:
    shared: dict[str, set[str]] = defaultdict(set)
    for link in links:
        for g in link.agreements:
            shared[g.family].add(g.value)
    order = [*PERSON_FAMILIES, "address", "ip", "ip_network"]
    return {k: sorted(shared[k]) for k in order if k in shared}


DECLARED = frozenset({"name", "date_of_birth"})


def _controlled(link: Link) -> bool:
    """Does the link rest on something a person holds (device, e-mail, phone, document, face, address or
    network), not only on what anyone can type? Strangers share names and birthdays by chance in numbers
    that grow with N squared: at 20,000 generated customers drawn from 143 names, same name + same birth
    date linked 78 pairs. Such links are listed as possible duplicate persons, not rings."""
    return any(g.family not in DECLARED for g in link.agreements)


def build_graph(
    records: list[IdentityRecord], hub_size: int = DEFAULT_HUB_SIZE, face_fmr: float = DEFAULT_FACE_FMR
) -> IdentityGraph:
    """Link, then group: each ring carries the links (and their evidence) that hold it together."""
    pop = Population(records, face_fmr)
    threshold = math.log2(pop.n)
    pairs, hubs = _candidate_pairs(records, hub_size)
    best: dict[tuple[str, str], Link] = {}
    for i, j in pairs:
        a, b = records[i], records[j]
        agreements = compare(pop, a, b)
        bits, person = link_weight(agreements, a, b)
        if not person or bits < threshold:
            continue
        key = (min(a.customer_id, b.customer_id), max(a.customer_id, b.customer_id))
        if key not in best or best[key].bits < bits:  # a customer's several submissions: the strongest pair
            best[key] = Link(key[0], key[1], bits, tuple(sorted(agreements, key=lambda g: -g.bits)))
    ring_links = [lk for lk in best.values() if _controlled(lk)]
    duplicates = sorted((lk for lk in best.values() if not _controlled(lk)), key=lambda lk: -lk.bits)
    comps = _Components()
    for link in ring_links:
        comps.union(link.a, link.b)
    by_root: dict[str, list[Link]] = defaultdict(list)
    for link in ring_links:
        by_root[comps.find(link.a)].append(link)
    rings = []
    for members in comps.groups():
        links = sorted(by_root[comps.find(members[0])], key=lambda lk: -lk.bits)
        ring_id = "ring_" + hashlib.sha256("|".join(members).encode()).hexdigest()[:12]
        rings.append(Ring(ring_id, members, links, _shared(links)))
    rings.sort(key=lambda r: (-len(r.customers), -r.score))
    links = sorted(ring_links, key=lambda lk: (lk.a, lk.b))
    return IdentityGraph(pop.n, threshold, links, rings, hubs, duplicates)
