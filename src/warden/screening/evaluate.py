"""Screening quality on the built evaluation set: recall at the threshold (overall and per variant kind),
false-hit rate on non-listed names, and the threshold that would be needed for 1 % false hits."""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Any

from rapidfuzz import fuzz, process

from warden.screening.evalset import EvalQuery
from warden.screening.matcher import DEFAULT_THRESHOLD, MATCHER_VERSION, NameQuery, screen_name
from warden.screening.name_index import NameIndex


def evaluate(index: NameIndex, queries: list[EvalQuery], threshold: float = DEFAULT_THRESHOLD) -> dict[str, Any]:
    started = time.perf_counter()
    per_variant: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    false_hits = negatives = 0
    misses: list[dict[str, Any]] = []
    false_examples: list[dict[str, Any]] = []
    for q in queries:
        hits = screen_name(index, NameQuery(q.query, kind=q.kind), threshold=threshold, limit=10)
        if q.expected_id is None:
            negatives += 1
            if hits:
                false_hits += 1
                if len(false_examples) < 15:
                    false_examples.append({"query": q.query, "hit": hits[0].alias, "score": hits[0].score})
            continue
        found = any(h.entry.id == q.expected_id for h in hits)
        per_variant[q.variant][0] += int(found)
        per_variant[q.variant][1] += 1
        if not found and len(misses) < 25:
            misses.append({"query": q.query, "variant": q.variant, "expected": q.expected_id})
    positives = sum(n for _, n in per_variant.values())
    found_total = sum(f for f, _ in per_variant.values())
    return {
        "matcher_version": MATCHER_VERSION,
        "threshold": threshold,
        "positives": positives,
        "negatives": negatives,
        "recall": round(found_total / max(positives, 1), 4),
        "false_hit_rate": round(false_hits / max(negatives, 1), 4),
        "recall_by_variant": {k: {"recall": round(f / n, 4), "n": n} for k, (f, n) in sorted(per_variant.items())},
        "seconds": round(time.perf_counter() - started, 2),
        "misses": misses,
        "false_hits": false_examples,
    }


def baseline_token_sort(index: NameIndex, queries: list[EvalQuery], max_false_rate: float = 0.01) -> dict[str, Any]:
    """The reference: plain token_sort_ratio over every listed name, at the cut-off giving <= 1 % false hits."""
    names = [" ".join(t) for t in index.alias_tokens]
    alias_entry_ids = [index.entries[i].id for i in index.alias_entry]
    neg_best: list[float] = []
    pos_best: list[float] = []
    for q in queries:
        text = " ".join(q.query.lower().split())
        scores = process.cdist([text], names, scorer=fuzz.token_sort_ratio, workers=1)[0]
        if q.expected_id is None:
            neg_best.append(float(scores.max()))
        else:
            pos_best.append(
                max((float(s) for s, e in zip(scores, alias_entry_ids, strict=True) if e == q.expected_id), default=0.0)
            )
    neg_best.sort()
    cut_index = int(len(neg_best) * (1 - max_false_rate))
    cut = neg_best[min(cut_index, len(neg_best) - 1)] if neg_best else 100.0
    return {
        "scorer": "rapidfuzz token_sort_ratio, full scan",
        "cutoff": cut,
        "recall_at_1pct_false_hits": round(sum(s > cut for s in pos_best) / max(len(pos_best), 1), 4),
        "false_hit_rate": round(sum(s > cut for s in neg_best) / max(len(neg_best), 1), 4),
    }
