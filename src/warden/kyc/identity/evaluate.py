"""Rings against ground-truth labels: customer-level and ring-level precision and recall."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from warden.events.labels import Label
from warden.kyc.identity.graph import IdentityGraph

POSITIVE = "synthetic_identity"


def evaluate_rings(graph: IdentityGraph, labels: list[Label]) -> dict[str, Any]:
    """A customer is positive when labelled `synthetic_identity`; a true ring is one labelled scenario.

    Customer level: flagged = in any ring. Ring level: a labelled ring is found when one predicted ring
    holds at least two of its customers; a predicted ring is correct when most of its customers are positive.
    Flagged customers of each benign typology are counted, so look-alikes (households) show up by name.
    """
    customer_labels = {lb.entity_id: lb for lb in labels if lb.entity_type == "customer"}
    positives = {c for c, lb in customer_labels.items() if lb.label == POSITIVE}
    truth: dict[str, set[str]] = defaultdict(set)
    for c in positives:
        truth[customer_labels[c].scenario_id or c].add(c)
    flagged = {c for ring in graph.rings for c in ring.customers}
    tp = len(flagged & positives)
    found = 0
    for members in truth.values():
        if any(len(members & set(ring.customers)) >= 2 for ring in graph.rings):
            found += 1
    correct = sum(1 for ring in graph.rings if 2 * len(positives & set(ring.customers)) > len(ring.customers))
    benign: dict[str, int] = defaultdict(int)
    for c in flagged - positives:
        lb = customer_labels.get(c)
        benign[lb.typology if lb and lb.typology else "unlabelled"] += 1
    return {
        "labelled_customers": len(positives),
        "labelled_rings": len(truth),
        "flagged_customers": len(flagged),
        "customer_precision": round(tp / len(flagged), 4) if flagged else None,
        "customer_recall": round(tp / len(positives), 4) if positives else None,
        "predicted_rings": len(graph.rings),
        "ring_precision": round(correct / len(graph.rings), 4) if graph.rings else None,
        "ring_recall": round(found / len(truth), 4) if truth else None,
        "false_flags_by_typology": dict(sorted(benign.items(), key=lambda kv: -kv[1])),
    }
